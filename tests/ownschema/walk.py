"""The every-table walk: every page and action of every table, as the admin uses them.

``walk_every_table(app, user)`` goes through each table of the catalog: the list,
each offered sort both ways, each offered filter kind with a value taken from a real
row, a search, a detail page and its related lists, the CSV and XLSX exports; and
where the table allows it a create (read back), an edit (read back), a conflict
between two sessions, an import and a delete. It returns what went wrong, as
sentences: a 5xx, a problem message on a list, a value that does not read back, a
logged traceback or ERROR. ``Depth`` bounds the work (TABLEFRONT_WALK_DEPTH=deep
walks every column and filter).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import os
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from faker import Faker
from flask import Flask, url_for
from sqlalchemy import func, select

from app.catalog import ColumnInfo, TableInfo, get_catalog
from app.catalog.checks import ValueCheck
from app.data.values import encode_row_key
from app.dev.sample_rows import check_bounds, typed_value
from app.edit.forms import field_name
from app.extensions import db
from tests.access.test_bypass import xlsx_rows
from tests.functional.demo_world import LogProblems, fresh_form

DEEP = os.environ.get("TABLEFRONT_WALK_DEPTH", "") == "deep"


@dataclass(frozen=True)
class Depth:
    """How much of each table the walk tries."""

    sort_columns: int = 1000 if DEEP else 6
    filter_columns: int = 1000 if DEEP else 5
    detail_rows: int = 5 if DEEP else 1


@dataclass
class Walk:
    """What the walk did and what went wrong."""

    checks: int = 0
    problems: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def walk_every_table(app: Flask, user: str, depth: Depth = Depth()) -> Walk:
    """Walk every table of ``app``'s catalog as ``user``; the problems found."""
    walk = Walk()
    with app.app_context():
        infos = dict(get_catalog().tables)
    with LogProblems() as logged:
        for name in sorted(infos):
            _TableWalk(app, user, infos[name], walk, depth).run()
            for problem in logged.take():
                walk.fail(name, f"logged {problem}")
            walk.tables.append(name)
    return walk


def form_text(value: Any) -> str:
    """``value`` as a user types it into a form or a filter box."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


class _TableWalk:
    """The walk of one table."""

    def __init__(
        self, app: Flask, user: str, info: TableInfo, walk: Walk, depth: Depth
    ) -> None:
        self.app, self.info, self.walk, self.depth = app, info, walk, depth
        self.client = self._client(user)
        self.user = user
        with app.test_request_context():
            self.base = url_for("browse.index", schema=info.schema, table=info.name)

    def _client(self, user: str):
        client = self.app.test_client()
        client.environ_base.update({"REMOTE_USER": user, "AUTH_TYPE": "Negotiate"})
        return client

    # --- requests ----------------------------------------------------------------

    def get(self, path: str, what: str, expect: int | None = 200, **kw: Any):
        response = self.client.get(path, **kw)
        self._count(response, path, what, expect)
        return response

    def post(self, client, path: str, data: dict, what: str, expect: int | None):
        response = client.post(path, data=data, **_multipart(data))
        self._count(response, path, what, expect)
        return response

    def _count(self, response, path: str, what: str, expect: int | None) -> None:
        self.walk.checks += 1
        if response.status_code >= 500:
            self.walk.fail(self.info.key, f"{what}: {response.status_code} at {path}")
        elif expect is not None and response.status_code != expect:
            detail = _problem_text(response)
            self.walk.fail(
                self.info.key,
                f"{what}: {response.status_code} (not {expect}) at {path}: {detail}",
            )

    def list_page(self, query: str, what: str) -> BeautifulSoup | None:
        response = self.get(f"{self.base}?{query}" if query else self.base, what)
        if response.status_code != 200:
            return None
        page = _soup(response)
        problem = page.select_one('[data-testid="list-problem-message"]')
        if problem is not None:
            self.walk.fail(self.info.key, f"{what}: {problem.get_text(' ', True)}")
        return page

    # --- the walk ----------------------------------------------------------------

    def run(self) -> None:
        page = self.list_page("", "list")
        if page is None:
            return
        if _no_rows(page) and not self.info.history_of:
            # Nothing to walk: the sample rows (or the seed) left the table empty.
            self.walk.fail(self.info.key, "the list shows no row")
        self.sorts(page)
        self.filters(page)
        self.search()
        self.details(page)
        self.exports()
        if self.info.has_primary_key and not self.info.read_only:
            self.writes()

    def sorts(self, page: BeautifulSoup) -> None:
        links = page.select('a[data-testid^="sort-"]')[: self.depth.sort_columns]
        for link in links:
            column = link["data-testid"].removeprefix("sort-")
            for sort in (column, "-" + column):
                self.list_page(f"sort={_q(sort)}", f"sort {sort}")

    def filters(self, page: BeautifulSoup) -> None:
        options = page.select('[data-testid="filter-column"] option[value]')
        offered = [(o["value"], o.get("data-ops", "").split()) for o in options]
        row = self.sample_row()
        for column, ops in [o for o in offered if o[0]][: self.depth.filter_columns]:
            info = self.info.columns.get(column)
            value = row.get(column) if row else None
            for op in ops:
                text = self.filter_value(info, op, value)
                if text is None:
                    continue
                query = f"fc={_q(column)}&fo={op}&fv={_q(text)}"
                found = self.list_page(query, f"filter {column} {op} {text!r}")
                narrows = op in {"eq", "starts", "contains", "gte"}
                if narrows and value is not None and _no_rows(found):
                    self.walk.fail(
                        self.info.key,
                        f"filter {column} {op} {text!r}: no row, yet a row has it",
                    )

    def filter_value(self, info: ColumnInfo | None, op: str, value: Any) -> str | None:
        if op in {"empty", "notempty"}:
            return ""
        if value is None or info is None:
            return None
        if op == "label":
            return None  # the label of another table: its own walk covers it
        text = form_text(value)
        if op in {"starts", "contains"}:
            return text[:3] if op == "starts" else text[1:4]
        if info.kind == "datetime" and op == "eq":
            return value.date().isoformat()  # eq on a datetime means that day
        return text

    def search(self) -> None:
        if not self.info.searchable:
            return
        row = self.sample_row()
        value = row.get(self.info.searchable[0]) if row else None
        text = form_text(value)[:3] if value is not None else "a"
        for mode in ("prefix", "contains"):
            found = self.list_page(f"q={_q(text)}&mode={mode}", f"search {text!r}")
            if value is not None and text.strip() and _no_rows(found):
                self.walk.fail(self.info.key, f"search {text!r} {mode}: no row")

    def details(self, page: BeautifulSoup) -> None:
        links = page.select('a[data-testid="row-link"]')[: self.depth.detail_rows]
        for link in links:
            self.detail(link["href"])

    def detail(self, path: str) -> None:
        response = self.get(path, "detail")
        if response.status_code != 200:
            return
        page = _soup(response)
        row = self.row_at(path)
        if row is None:
            self.walk.fail(self.info.key, f"detail {path}: no row has that key")
            return
        shown = {
            f["data-column"]: f.select_one('[data-testid="field-value"]')
            for f in page.select('[data-testid="field"]')
        }
        for name in self.info.primary_key:
            cell = shown.get(name)
            if cell is not None and form_text(row[name]) not in _cell_texts(cell):
                self.walk.fail(
                    self.info.key,
                    f"detail {path}: {name} shows {cell.get_text(' ', True)!r}, "
                    f"the row has {row[name]!r}",
                )
        for related in page.select('a[data-testid="related-all"]'):
            self.list_related(related["href"])

    def list_related(self, href: str) -> None:
        response = self.get(href, f"related list {href}")
        problem = '[data-testid="list-problem-message"]'
        if response.status_code == 200 and _soup(response).select_one(problem):
            self.walk.fail(self.info.key, f"related list {href}: a problem")

    def exports(self) -> None:
        with self.app.app_context():
            total = db.session.execute(
                select(func.count()).select_from(self.info.table)
            ).scalar_one()
            db.session.remove()
        for fmt in ("csv", "xlsx"):
            path = f"{self.base}/-/export.{fmt}?confirm=1"
            response = self.get(path, f"export {fmt}")
            if response.status_code != 200:
                continue
            rows = _exported_rows(fmt, response.get_data())
            if rows != total:
                self.walk.fail(
                    self.info.key, f"export {fmt}: {rows} rows, the table has {total}"
                )

    # --- writes ------------------------------------------------------------------

    def writes(self) -> None:
        created = self.create()
        if created is None:
            return
        self.edit(created)
        self.conflict(created)
        self.delete(created)
        self.import_one()

    def editable(self, form: dict[str, str]) -> dict[str, ColumnInfo]:
        """The table's columns that have a field in ``form``, by field name."""
        return {
            field_name(c.name): c
            for c in self.info.columns.values()
            if field_name(c.name) in form
        }

    def create(self) -> str | None:
        with self.app.test_request_context():
            path = url_for("edit.create", schema=self.info.schema, table=self.info.name)
        form_page = self.get(path, "create form", expect=None)
        if form_page.status_code != 200:
            return None  # not offered (a read-only table says so with 403)
        form = fresh_form(self.client, path)
        posted = self.new_values(form)
        if posted is None:
            return None
        response = self.post(self.client, path, {**form, **posted}, "create", 302)
        if response.status_code != 302:
            return None
        location = urlsplit(response.headers["Location"]).path
        row = self.row_at(location)
        if row is None:
            self.walk.fail(self.info.key, f"create: no row at {location}")
            return None
        self.compare(row, posted, "create")
        return location

    def new_values(self, form: dict[str, str]) -> dict[str, str] | None:
        """Text for each field of a new row: fresh values, real parents (None: no
        new row can be made)."""
        # Seeded by the row count too: a walk again over the same rows draws anew.
        rng = random.Random(f"{self.info.key}/{self.count()}")
        fake = Faker("en_GB")
        fake.seed_instance(7)
        bounds = check_bounds(self.info.table)
        values = {}
        # Dates rise in column order: start <= end checks across columns hold.
        day = dt.datetime(2020, 1, 6, 9, 30) + dt.timedelta(days=rng.randrange(2000))
        for name, info in self.editable(form).items():
            if info.kind in {"date", "datetime"} and info.fk is None:
                day += dt.timedelta(days=1)
                values[name] = form_text(day.date() if info.kind == "date" else day)
                continue
            if info.fk is not None:
                parent = self.parent_key(info, rng, fresh=info.primary_key)
                if parent is None and info.primary_key:
                    return None  # every parent has its row here already
                if parent is not None:
                    values[name] = form_text(parent)
                continue
            limit = bounds.get(info.name, ValueCheck())
            if limit.choices:
                values[name] = form_text(rng.choice(limit.choices))
                continue
            value = typed_value(
                info.column, limit, rng, fake, 90_000 + rng.randrange(9_000)
            )
            if info.kind == "datetime" and isinstance(value, dt.datetime):
                value = value.replace(second=0)  # whole minutes: SMALLDATETIME too
            values[name] = form_text(value)
        return values

    def compare(self, row: dict[str, Any], posted: dict[str, str], what: str) -> None:
        by_field = {field_name(n): n for n in row}
        for name, text in posted.items():
            column = by_field.get(name)
            if column is None or text == "":
                continue
            stored = form_text(row[column])
            if not _same(stored, text):
                self.walk.fail(
                    self.info.key,
                    f"{what}: {column} reads back {stored!r}, not {text!r}",
                )

    def edit(self, location: str) -> None:
        path = location + "/edit"
        form = fresh_form(self.client, path)
        changed = self.changed_field(form)
        if changed is None:
            return
        response = self.post(self.client, path, {**form, **changed}, "edit", 302)
        if response.status_code == 302:
            row = self.row_at(location)
            if row is not None:
                self.compare(row, changed, "edit")

    def changed_field(self, form: dict[str, str]) -> dict[str, str] | None:
        """One field set to another valid value (text or a number), if any."""
        key = set(self.info.primary_key)
        for name, info in self.editable(form).items():
            if info.name in key or info.fk is not None or info.unique:
                continue
            current = form[name]
            if info.kind in {"int", "decimal", "money"} and current not in {"", "0"}:
                bounds = check_bounds(self.info.table).get(info.name, ValueCheck())
                if bounds.choices or bounds.low is not None or bounds.high is not None:
                    continue
                return {name: "2" if _same(current, "1") else "1"}
            if (
                info.kind == "text"
                and not check_bounds(self.info.table)
                .get(info.name, ValueCheck())
                .choices
            ):
                length = getattr(info.column.type, "length", None) or 8
                return {name: ("Walked" if current != "Walked" else "Walk2")[:length]}
        return None

    def conflict(self, location: str) -> None:
        path = location + "/edit"
        first, second = self.client, self._client(self.user)
        form_a, form_b = fresh_form(first, path), fresh_form(second, path)
        change = self.changed_field(form_a)
        if change is None:
            return
        (name,) = change
        length = len(change[name])
        other = {name: "3" if change[name].isdigit() else "Walk3"[:length] + "3"[:0]}
        if other[name] == change[name]:
            other = {name: "W" * length}
        self.post(first, path, {**form_a, **change}, "conflict: first save", 302)
        response = self.post(second, path, {**form_b, **other}, "conflict", 409)
        row = self.row_at(location)
        if response.status_code == 409 and row is not None:
            self.compare(row, change, "conflict: the first save kept")

    def delete(self, location: str) -> None:
        path = location + "/delete"
        form = fresh_form(self.client, path)
        self.post(self.client, path, form, "delete", 302)
        if self.row_at(location) is not None:
            self.walk.fail(self.info.key, f"delete: {location} still there")

    def import_one(self) -> None:
        with self.app.test_request_context():
            path = url_for(
                "imports.import_upload", schema=self.info.schema, table=self.info.name
            )
        if self.get(path, "import form", expect=None).status_code != 200:
            return
        form = fresh_form(self.client, self.create_path())
        values = self.new_values(form)
        if values is None:
            return
        columns = self.editable(form)
        header = [columns[n].name for n in values]
        body = io.StringIO()
        writer = csv.writer(body)
        writer.writerow(header)
        writer.writerow(list(values.values()))
        upload = {
            "file": (io.BytesIO(body.getvalue().encode("utf-8")), "walk.csv"),
            "mode": "insert",
        }
        review = self.post(self.client, path, upload, "import upload", 200)
        if review.status_code != 200:
            return
        apply_button = _soup(review).select_one('[data-testid="import-apply"]')
        if apply_button is None:
            self.walk.fail(self.info.key, f"import: no apply ({_problem_text(review)})")
            return
        apply_form = apply_button.find_parent("form")
        data = {e["name"]: e.get("value", "") for e in apply_form.select("input[name]")}
        before = self.count()
        self.post(self.client, apply_form["action"], data, "import apply", None)
        if self.count() != before + 1:
            self.walk.fail(self.info.key, "import: the row was not added")

    def create_path(self) -> str:
        with self.app.test_request_context():
            return url_for("edit.create", schema=self.info.schema, table=self.info.name)

    # --- reading the database directly ---------------------------------------------

    def sample_row(self) -> dict[str, Any] | None:
        """A row with as few empty values as the first rows have."""
        with self.app.app_context():
            table = self.info.table
            rows = db.session.execute(select(table).limit(20)).mappings().all()
            db.session.remove()
        if not rows:
            return None
        return dict(max(rows, key=lambda r: sum(v is not None for v in r.values())))

    def row_at(self, path: str) -> dict[str, Any] | None:
        """The row the detail URL ``path`` names, read straight from the database."""
        key_text = path.rstrip("/").split("/")[-1]
        with self.app.app_context():
            table = self.info.table
            rows = db.session.execute(select(table)).mappings().all()
            db.session.remove()
        for row in rows:
            values = [row[n] for n in self.info.primary_key]
            if _url_key(encode_row_key(values)) == key_text:
                return dict(row)
        return None

    def parent_key(
        self, info: ColumnInfo, rng: random.Random, fresh: bool = False
    ) -> Any:
        """A real parent key, drawn: composite keys of two FKs rarely exist yet.
        ``fresh``: one no row here refers to yet (a key that is also a foreign key)."""
        with self.app.app_context():
            parent = get_catalog().tables[info.fk.ref_key]
            column = parent.table.c[info.fk.ref_columns[0]]
            values = db.session.execute(select(column).limit(500)).scalars().all()
            if fresh:
                mine = db.session.execute(select(self.info.table.c[info.name]))
                taken = set(mine.scalars())
                values = [v for v in values if v not in taken]
            db.session.remove()
        return rng.choice(values) if values else None

    def count(self) -> int:
        with self.app.app_context():
            total = db.session.execute(
                select(func.count()).select_from(self.info.table)
            ).scalar_one()
            db.session.remove()
        return total


def _url_key(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe=",~")


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _same(stored: str, posted: str) -> bool:
    if stored == posted:
        return True
    try:
        return decimal.Decimal(stored) == decimal.Decimal(posted)
    except decimal.InvalidOperation:
        pass
    return stored.rstrip() == posted.rstrip()  # CHAR pads


def _cell_texts(cell: Any) -> set[str]:
    text = " ".join(cell.get_text(" ").split())
    return {text, text.replace(",", ""), cell.get("title", "").split(" = ")[-1]}


def _no_rows(page: BeautifulSoup | None) -> bool:
    """True for a list page that shows no row (None: the request already failed)."""
    return page is not None and not page.select('[data-testid="row"]')


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _problem_text(response) -> str:
    page = _soup(response)
    found = page.select(".invalid-feedback, .alert, [data-testid$='-message']")
    return " | ".join(" ".join(f.get_text(" ").split()) for f in found)[:400]


def _multipart(data: dict) -> dict[str, str]:
    if any(isinstance(v, tuple) for v in data.values()):
        return {"content_type": "multipart/form-data"}
    return {}


def _exported_rows(fmt: str, body: bytes) -> int:
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        return max(0, len(list(csv.reader(io.StringIO(text)))) - 1)
    return max(0, len(xlsx_rows(body)) - 1)
