"""Hostile input on every route of the demo: never a 500, never a logged traceback.

The routes come from ``app.url_map``; ``ROUTES`` says which parameters each view
reads (path converters, query parameters, form fields), and a route without an entry
fails the suite, so a new view cannot skip the fuzzing. Each route is tried as four
demo users (the admin, a row-filtered sales manager, an employee, and a stranger
with no row in hr.employees), GET and, for form routes, POST with CSRF off.

Two kinds of test:

- a sweep (admin): each parameter of each route alone, with each value of
  ``NASTY`` (superscript digits, 2**64, 9999-12-31, broken tilde escapes...);
- hypothesis: every parameter at once, drawn from real names and hostile text.

Examples per route and user: ``TABLEFRONT_FUZZ_EXAMPLES`` (default 6; 200 is a deep
run). Derandomized, so a failure reproduces; the failing request is in the message.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.catalog import ColumnInfo, TableInfo, get_catalog
from app.catalog.model import DATE_KINDS
from app.data.values import encode_row_key
from app.edit.forms import field_name
from app.extensions import db
from tests.functional.demo_world import (
    ADMIN,
    EMPLOYEE,
    ROW_FILTERED,
    STRANGER,
    LogProblems,
    build_demo_app,
    fresh_form,
)

EXAMPLES = int(os.environ.get("TABLEFRONT_FUZZ_EXAMPLES", "6"))
USERS = (ADMIN, ROW_FILTERED, EMPLOYEE, STRANGER)

# Values that once broke, or that break parsers generally.
NASTY = (
    "",
    " ",
    "²",
    "٣",
    "１２",
    "1_000",
    "-0",
    "+1",
    "0x1F",
    str(2**31),
    str(2**63),
    str(2**64),
    "-" + str(2**64),
    "9" * 400,
    "1e309",
    "-1e309",
    "1e999999999",
    "NaN",
    "sNaN",
    "Infinity",
    "0.000000000000000000000000000000000000001",
    "9999-12-31",
    "9999-12-31 23:59:59.999999",
    "0001-01-01",
    "0000-00-00",
    "2026-02-30",
    "1752-12-31",
    "2079-06-07",
    "24:00",
    "2026-01-01T00:00+14:00",
    "~",
    "~Z",
    "~C3",
    "~FF~FE",
    "~2C,~2C",
    ",",
    "a,b,c",
    "%",
    "%00",
    "\x00",
    "\r\nuser=CONTOSO\\amorgan",
    "../../etc/passwd",
    "'; DROP TABLE x; --",
    '"',
    "<script>alert(1)</script>",
    "[a-z]%_",
    "\u202e\u200b",
    "x" * 300,
    "-",
    "-name",
    "last",
    "true",
)

# Text without lone surrogates (they cannot be put into a URL at all).
TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),
    max_size=40,
)
HOSTILE = st.one_of(
    st.sampled_from(NASTY),
    TEXT,
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.decimals(places=None).map(str),
    st.floats().map(repr),
)


def mostly(real: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``real`` four times in five, else hostile text: most requests get past the
    route's first check (the table) to the code behind it."""
    # hypothesis starts from small integers: 0..3 choose the real value
    return st.tuples(st.integers(0, 4), real, HOSTILE).map(
        lambda t: t[2] if t[0] == 4 else t[1]
    )


@dataclass
class World:
    """The demo app and what a request may name in it."""

    app: Flask
    tables: list[str]
    infos: dict[str, TableInfo]
    keys: dict[str, list[str]]  # table -> URL forms of a few real row keys
    fk_columns: dict[str, list[str]]
    problems: LogProblems = field(default_factory=LogProblems)
    forms: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    # No feed budget: a 429 would hide what the feed's views do with the request
    # (the budget has its own tests in tests/odata/test_feed_limits.py).
    app = build_demo_app(
        tmp_path_factory.mktemp("fuzz"),
        TABLEFRONT_TEST_CSRF="0",
        TABLEFRONT_ODATA_BURST="1000000000",
        TABLEFRONT_ODATA_REQUESTS_PER_MINUTE="1000000000",
    )
    with app.app_context():
        catalog = get_catalog()
        infos = dict(catalog.tables)
        keys = {}
        for name, info in infos.items():
            if not info.primary_key:
                keys[name] = []
                continue
            columns = [info.table.c[c] for c in info.primary_key]
            rows = db.session.execute(select(*columns).limit(3)).all()
            keys[name] = [encode_row_key(list(r)) for r in rows]
        db.session.remove()
    fk_columns = {
        name: [c.name for c in info.columns.values() if c.fk is not None]
        for name, info in infos.items()
    }
    found = World(app, sorted(infos), infos, keys, fk_columns)
    with found.problems:
        yield found


# --- what each route reads ---------------------------------------------------------

LIST_ARGS = ("q", "mode", "sort", "page", "size", "count", "fc", "fo", "fv")
FILTER_OPS = ("contains", "starts", "eq", "gte", "lte", "label", "empty", "notempty")


@dataclass(frozen=True)
class Route:
    """What one view reads: its methods, path converters, query parameters and
    form fields."""

    methods: tuple[str, ...] = ("GET",)
    path: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    form: tuple[str, ...] = ()
    table_fields: bool = False  # the table's form fields (create/edit)
    upload: bool = False


BOTH = ("GET", "POST")
ODATA_ARGS = ("$select", "$filter", "$orderby", "$top", "$skip", "$count", "$expand")
TABLE = ("schema", "table")
ROW = ("schema", "table", "row_key")
IMPORT_FORM = ("mode", "token", "map-0", "map-1")
# The routes of the testing configuration (the development-only identity switcher,
# /dev/act-as, is not registered there).
ROUTES: dict[str, Route] = {
    "static": Route(path=("filename",)),
    "health.live": Route(),
    "health.ready": Route(),
    "health.directory": Route(),
    "home.index": Route(),
    "home.whoami": Route(),
    "admin.access": Route(query=("login",)),
    "browse.index": Route(
        path=TABLE, query=(*LIST_ARGS, "cols", "cols_set", "cols_reset")
    ),
    "browse.detail": Route(path=ROW),
    "browse.download": Route(path=(*ROW, "column")),
    "browse.export": Route(path=(*TABLE, "fmt"), query=(*LIST_ARGS, "confirm")),
    "browse.filter_lookup": Route(path=(*TABLE, "column"), query=("q",)),
    "edit.create": Route(BOTH, TABLE, table_fields=True),
    "edit.edit": Route(BOTH, ROW, form=("original_token",), table_fields=True),
    "edit.delete": Route(BOTH, ROW, form=("original_token",)),
    "edit.lookup": Route(path=(*TABLE, "column"), query=("q", "term")),
    "imports.import_upload": Route(BOTH, TABLE, form=IMPORT_FORM, upload=True),
    "imports.import_apply": Route(("POST",), TABLE, form=IMPORT_FORM),
    "imports.template": Route(path=(*TABLE, "fmt")),
    "audit.history": Route(path=ROW),
    "audit.index": Route(query=("before", "table", "user", "since", "until")),
    "odata.index": Route(),
    "odata.metadata": Route(),
    "odata.link": Route(path=TABLE, query=LIST_ARGS),
    "odata.resource": Route(path=("resource",), query=ODATA_ARGS),
    "api.detail": Route(path=("name", "row_key")),
    "api.create": Route(("POST",), ("name",)),
    # PATCH/DELETE only (the sweep sends GET/POST): listed for their path arguments.
    "api.edit": Route((), ("name", "row_key")),
    "api.delete": Route((), ("name", "row_key")),
    "api.openapi": Route(),
    "api.docs": Route(),
}


def rules(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, method) of every route, GET and POST only."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule.endpoint, method))
    return sorted(set(found))


def _rule(app: Flask, endpoint: str):
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)


def path_for(world: World, endpoint: str, pick: Callable[[Any], Any]) -> str:
    """A path for ``endpoint``: real table, key and column names mostly, hostile
    text sometimes, each URL-quoted as a browser would."""
    rule = _rule(world.app, endpoint)
    table = pick(st.sampled_from(world.tables))
    values: dict[str, str] = {}
    schema, name = table.split(".")
    choices = {
        "schema": mostly(st.just(schema)),
        "table": mostly(st.just(name)),
        "row_key": mostly(st.sampled_from(world.keys[table] or ["1"])),
        "column": mostly(st.sampled_from(world.fk_columns[table] or ["x"])),
        "fmt": mostly(st.sampled_from(["csv", "xlsx"])),
        "filename": mostly(st.sampled_from(["css/app.css", "favicon.ico"])),
        "name": mostly(st.just(table.replace(".", "_"))),
        "resource": mostly(
            st.sampled_from([table.replace(".", "_"), table.replace(".", "_") + "(1)"])
        ),
    }
    for argument in rule.arguments:
        text = pick(choices[argument])
        values[argument] = quote(text, safe="") or "-"
    path = rule.rule
    for argument, text in values.items():
        for converter in (f"<{argument}>", f"<path:{argument}>"):
            path = path.replace(converter, text)
    return path


def value_for(world: World, table: str, name: str) -> st.SearchStrategy[str]:
    """Realistic choices for a parameter, mixed with hostile text."""
    info = world.infos.get(table)
    columns = list(info.columns) if info else ["x"]
    real = {
        "fc": st.sampled_from(columns),
        "fo": st.sampled_from(FILTER_OPS),
        "sort": st.sampled_from(columns + ["-" + c for c in columns]),
        "mode": st.sampled_from(["prefix", "contains", "insert", "update", "upsert"]),
        "count": st.just("exact"),
        "confirm": st.just("1"),
        "table": st.sampled_from(world.tables),
        "map-0": st.sampled_from(columns),
        "map-1": st.sampled_from(columns),
        "size": st.sampled_from(["10", "50", "100"]),
    }.get(name)
    return HOSTILE if real is None else mostly(real)


def csv_bytes(pick: Callable[[Any], Any], columns: list[str]) -> bytes:
    """A small CSV with real headers and hostile cells, or hostile bytes."""
    header = ",".join(columns[:4])
    rows = [",".join(pick(HOSTILE).replace(",", " ") for _ in range(4))]
    text = "\n".join([header, *rows])
    raw = pick(st.sampled_from(["utf-8", "utf-16", "bytes"]))
    if raw == "bytes":
        return pick(st.binary(max_size=200))
    return text.encode(raw, errors="replace")


def request_for(world: World, endpoint: str, method: str, pick) -> dict[str, Any]:
    """The keyword arguments of ``client.open`` for one hostile request."""
    route = ROUTES[endpoint]
    path = path_for(world, endpoint, pick)
    parts = path.split("/")
    table = f"{parts[2]}.{parts[3]}" if len(parts) > 3 and parts[1] == "t" else ""
    query = [
        (name, pick(value_for(world, table, name)))
        for name in route.query
        for _ in range(pick(st.integers(0, 2 if name in {"fc", "fo", "fv"} else 1)))
    ]
    if pick(st.integers(0, 4)) == 0:  # read by every error page (app.errors)
        query.append(("format", pick(st.sampled_from(["json", "html"]) | HOSTILE)))
    kwargs: dict[str, Any] = {"method": method, "path": path, "query_string": query}
    if pick(st.booleans()):  # the list answers htmx with a partial
        kwargs["headers"] = {"HX-Request": "true"}
    if method == "POST":
        form: dict[str, Any] = {
            name: pick(value_for(world, table, name))
            for name in route.form
            if pick(st.booleans())
        }
        info = world.infos.get(table)
        if route.table_fields and info is not None:
            for column in info.columns:
                if pick(st.integers(0, 3)) == 3:  # some fields: the rest as served
                    form[field_name(column)] = pick(HOSTILE)
        if route.upload and info is not None and pick(st.booleans()):
            data = csv_bytes(pick, list(info.columns))
            form["file"] = (io.BytesIO(data), "upload.csv")
        kwargs["data"] = form
        kwargs["fresh"] = pick(st.integers(0, 4)) < 4 and endpoint.startswith("edit.")
    return kwargs


def check(world: World, login: str, request: dict[str, Any]) -> None:
    """Send ``request`` as ``login``; fail on a 5xx or on anything logged as
    an error or with a traceback."""
    client = world.app.test_client()
    client.environ_base["REMOTE_USER"] = login
    fresh = request.pop("fresh", False)
    if fresh:  # start from the form as served, to get past its checks to the save
        key = (login, request["path"])
        if key not in world.forms:
            world.forms[key] = fresh_form(client, request["path"])
        request["data"] = {**world.forms[key], **request["data"]}
    response = client.open(**request)
    response.get_data()  # a streamed export runs to its end
    problems = world.problems.take()
    if fresh and response.status_code != 422:  # saved or refused: a new token next
        world.forms.pop((login, request["path"]), None)
    shown = f"{login} {request['method']} {request['path']} {request['query_string']}"
    shown += f" headers={request.get('headers', {})}"
    if "data" in request:
        shown += f" form={ {k: v for k, v in request['data'].items() if k != 'file'} }"
    # 501 is the feed's answer to an OData option it does not implement.
    assert response.status_code < 500 or response.status_code == 501, (
        f"{response.status_code} for {shown}"
    )
    assert not problems, f"logged for {shown}:\n" + "\n".join(problems)


# --- the tests -----------------------------------------------------------------------


def test_fuzz_routes_every_route_has_its_parameters_listed(world):
    """GIVEN the app's url_map WHEN compared with ROUTES
    THEN every GET/POST route is listed with its methods (a new view cannot
    escape the fuzz)."""
    listed = {(e, m) for e, route in ROUTES.items() for m in route.methods}
    assert set(rules(world.app)) == listed
    for rule in world.app.url_map.iter_rules():
        assert set(rule.arguments) == set(ROUTES[rule.endpoint].path), rule.rule


def _sweep_cases() -> list[tuple[str, str, str]]:
    """(endpoint, method, parameter) for every parameter a route reads."""
    cases = []
    for endpoint, route in ROUTES.items():
        methods = route.methods
        # the export reads the list's parameters with the list's parser: swept once
        shared = set(LIST_ARGS) if endpoint == "browse.export" else set()
        names = [f"query:{n}" for n in route.query if n not in shared]
        names += [f"form:{n}" for n in route.form]
        # create and edit build their forms alike: the sweep edits a row, the
        # hypothesis test covers both
        names += ["form:fields"] if endpoint == "edit.edit" else []
        names += [f"path:{n}" for n in route.path]
        for method in methods:
            for name in names:
                if name.startswith("form:") and method != "POST":
                    continue
                cases.append((endpoint, method, name))
    return cases


def one_per_kind(info: TableInfo) -> list[ColumnInfo]:
    """The last column of each kind (int, date, money, text...) in ``info``: past
    the key, where the editable and foreign-key columns are."""
    return list({c.kind: c for c in info.columns.values()}.values())


def _sweep_requests(world: World, endpoint: str, method: str, parameter: str):
    """Requests with ``parameter`` set to each NASTY value and the rest real."""
    rule = _rule(world.app, endpoint)
    where, name = parameter.split(":")
    table = "ops.tickets" if "column" in rule.arguments else "hr.employees"
    info = world.infos[table]
    schema, table_name = table.split(".")
    real = {
        "schema": schema,
        "table": table_name,
        "row_key": world.keys[table][0],
        "column": "assigned_to",
        "fmt": "csv",
        "filename": "css/app.css",
        "resource": "hr_employees",
        "name": "hr_employees",
    }
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", real[argument])
        path = path.replace(f"<path:{argument}>", real[argument])
    for value in NASTY:
        if where == "path":
            hostile = rule.rule
            for argument in rule.arguments:
                text = value if argument == name else real[argument]
                text = quote(text, safe="") or "-"
                hostile = hostile.replace(f"<{argument}>", text)
                hostile = hostile.replace(f"<path:{argument}>", text)
            yield {"method": method, "path": hostile, "query_string": []}
        elif where == "query" and name == "fv":  # the value of a filter per kind
            for column in one_per_kind(info):
                for op in ("eq", "lte") if column.kind in DATE_KINDS else ("eq",):
                    query = [("fc", column.name), ("fo", op), ("fv", value)]
                    yield {"method": method, "path": path, "query_string": query}
        elif where == "query" and name in {"fc", "fo"}:  # in a filter that applies
            query = {"fc": "last_name", "fo": "eq", "fv": "a", name: value}
            yield {"method": method, "path": path, "query_string": list(query.items())}
        elif where == "query":
            yield {"method": method, "path": path, "query_string": [(name, value)]}
        elif name == "fields":  # a form field of each kind in turn
            for column in one_per_kind(info):
                form = {field_name(column.name): value}
                yield {
                    "method": method,
                    "path": path,
                    "query_string": [],
                    "data": form,
                    "fresh": True,
                }
        else:
            yield {
                "method": method,
                "path": path,
                "query_string": [],
                "data": {name: value},
            }


@pytest.mark.parametrize(("endpoint", "method", "parameter"), _sweep_cases())
def test_fuzz_routes_each_nasty_value_alone_never_fails_inside(
    world, endpoint, method, parameter
):
    """GIVEN one parameter of a route set to each NASTY value, the rest real
    WHEN the admin sends it THEN no 5xx and nothing logged as an error."""
    for request in _sweep_requests(world, endpoint, method, parameter):
        check(world, ADMIN, request)


@pytest.mark.parametrize("login", USERS)
@pytest.mark.parametrize(
    ("endpoint", "method"),
    [(e, m) for e, route in ROUTES.items() for m in route.methods],
)
def test_fuzz_routes_hostile_requests_never_fail_inside(world, endpoint, method, login):
    """GIVEN hostile values for every parameter of a route (hypothesis)
    WHEN one of the demo users sends them THEN no 5xx and nothing logged as an
    error or with a traceback."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def run(data):
        check(world, login, request_for(world, endpoint, method, data.draw))

    run()
