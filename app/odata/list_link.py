"""The feed URL of a list page's view: its filters, search and sort as $filter and
$orderby, for the "Excel / Power BI" panel.

What OData cannot say the same way is left out and named in ``notes`` (a filter on
an FK's label; the list's case-insensitive prefix search is ``startswith``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import zip_longest
from urllib.parse import quote

from werkzeug.datastructures import MultiDict

from app.catalog import ColumnInfo
from app.catalog.entity_sets import property_name, set_name
from app.catalog.parse import BadValue, parse_day, parse_value
from app.data.scope import Scope

MAX_ITEMS = 20


@dataclass
class FeedLink:
    """The feed URL of a view, its Power Query M line, and what was left out."""

    url: str
    m: str
    notes: list[str] = field(default_factory=list)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _literal(column: ColumnInfo, text: str) -> str | None:
    """``text`` as an OData literal of ``column``'s type, or None if invalid."""
    if column.is_string:
        return _quoted(text)
    try:
        value = parse_value(column, text)
    except BadValue:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat() + "Z"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _term(scope: Scope, column_name: str, op: str, value: str) -> str | None:
    column = scope.info.columns.get(column_name)
    if column is None or column_name in scope.hidden:
        return None
    name = property_name(column_name)
    if op == "empty":
        blank = f" or {name} eq ''" if column.is_string else ""
        return f"({name} eq null{blank})"
    if op == "notempty":
        blank = f" and {name} ne ''" if column.is_string else ""
        return f"({name} ne null{blank})"
    if op == "contains":
        return f"contains({name},{_quoted(value)})"
    if op == "starts":
        return f"startswith({name},{_quoted(value)})"
    if column.kind == "datetime" and len(value.strip()) == 10:
        return _day_term(column, name, op, value)
    literal = _literal(column, value)
    ops = {"eq": "eq", "gte": "ge", "lte": "le"}
    if literal is None or op not in ops:
        return None
    return f"{name} {ops[op]} {literal}"


def _day_term(column: ColumnInfo, name: str, op: str, text: str) -> str | None:
    """A whole day of a datetime column, as the list reads it (``parse_day``): the
    type's last day has no next day to stop before."""
    try:
        start, end = parse_day(column, text)
    except BadValue:
        return None
    since = f"{name} ge {start.isoformat()}Z"
    if op == "gte":
        return since
    if end is None:
        return since if op == "eq" else f"{name} ne null"
    before = f"{name} lt {end.isoformat()}Z"
    return before if op == "lte" else f"({since} and {before})"


def feed_link(scope: Scope, args: MultiDict, root: str) -> FeedLink:
    """The feed URL (under ``root``, ending in /odata/) of the list view ``args``."""
    terms, notes = [], []
    rows = zip_longest(
        args.getlist("fc"), args.getlist("fo"), args.getlist("fv"), fillvalue=""
    )
    for name, op, value in list(rows)[:MAX_ITEMS]:
        if not name:
            continue
        term = _term(scope, name, op or "eq", value)
        if term is None:
            notes.append(f"The filter on {name!r} ({op}) has no OData form; left out.")
        else:
            terms.append(term)
    q = args.get("q", "").strip()
    if q:
        searchable = [n for n in scope.info.searchable if n not in scope.hidden]
        match = "contains" if args.get("mode") == "contains" else "startswith"
        if searchable:
            ors = " or ".join(
                f"{match}({property_name(n)},{_quoted(q)})" for n in searchable
            )
            terms.append(f"({ors})" if len(searchable) > 1 else ors)
    options = []
    if terms:
        options.append("$filter=" + quote(" and ".join(terms), safe="(),'"))
    sort = args.get("sort", "").strip()
    name = sort.lstrip("-")
    if name and name in scope.info.columns and name not in scope.hidden:
        direction = " desc" if sort.startswith("-") else ""
        options.append("$orderby=" + quote(property_name(name) + direction))
    url = root + set_name(scope.info.key) + ("?" + "&".join(options) if options else "")
    m = 'OData.Feed("' + url.replace('"', '""') + '", null, [Implementation="2.0"])'
    return FeedLink(url, m, notes)
