"""From a parsed list request to SQL: conditions, ordering and keyset bounds.

Everything here is dialect-aware but execution-free, so tests compile it for SQL
Server without a server. NULL sorts as the smallest value on every backend (the SQL
Server and SQLite default; PostgreSQL is told NULLS FIRST/LAST explicitly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from app.catalog import ColumnInfo
from app.catalog.model import SEARCH_MODES
from app.catalog.parse import BadValue, parse_day, parse_value
from app.data.like import (
    LIKE_ESCAPE,
    contains_pattern,
    escape_like,
    next_prefix,
    prefix_pattern,
)
from app.data.scope import Scope, peek_scope
from app.errors import AppError

OP_LABELS = {
    "contains": "contains",
    "starts": "starts with",
    "eq": "equals",
    "gte": "from",
    "lte": "to",
    "label": "label starts with",
    "empty": "is empty",
    "notempty": "is not empty",
}
VALUELESS_OPS = frozenset({"empty", "notempty"})
_OPS_BY_KIND = {
    "text": ("contains", "starts", "eq"),
    "longtext": ("contains", "starts", "eq"),
    "guid": ("eq",),
    "bool": ("eq",),
    "int": ("eq", "gte", "lte"),
    "decimal": ("eq", "gte", "lte"),
    "money": ("eq", "gte", "lte"),
    "float": ("eq", "gte", "lte"),
    "date": ("eq", "gte", "lte"),
    "datetime": ("eq", "gte", "lte"),
    "time": ("eq", "gte", "lte"),
    "binary": (),
    "other": ("eq",),
}


@dataclass(frozen=True)
class FilterSpec:
    """One filter as the user gave it: column, operator, text value."""

    column: str
    op: str
    value: str = ""


@dataclass(frozen=True)
class ListQuery:
    """A list request in plain data (all of it comes from the URL)."""

    sort: str = ""  # column, "-" prefix for descending; "" = the table's default
    filters: tuple[FilterSpec, ...] = ()
    q: str = ""
    search_mode: str = ""  # one of SEARCH_MODES; "" = the table's search_mode
    page: str = ""  # a signed page token, "last", or "" for the first page
    size: int | None = None
    exact_count: bool = False
    # The caller's chosen list columns, in order; () = the table's list_columns.
    # Names the caller may not see are dropped (plan_list), never shown.
    columns: tuple[str, ...] = ()

    def state_key(self) -> str:
        """What decides the row set (not the position): for counts carried in tokens."""
        parts = [f"{f.column}\x1f{f.op}\x1f{f.value}" for f in self.filters]
        return "\x1e".join([*parts, self.q.strip(), self.search_mode])


@dataclass(frozen=True)
class SortColumn:
    """One ORDER BY element: a column and its direction."""

    column: ColumnInfo
    descending: bool = False


@dataclass
class Conditions:
    """WHERE conditions for a request, plus notices for input that was dropped."""

    clauses: list[ColumnElement[bool]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


COMPARING_OPS = frozenset({"eq", "gte", "lte", "label"})
MATCHING_OPS = frozenset({"contains", "starts"})


def ops_for(column: ColumnInfo, scope: Scope | None = None) -> tuple[str, ...]:
    """The filter operators that make sense for ``column`` (and that SQL Server
    allows on its type: no = on xml/ntext/CLR types, no LIKE on xml/sql_variant)."""
    ops = _OPS_BY_KIND.get(column.kind, ("eq",))
    if not column.comparable:
        ops = tuple(o for o in ops if o not in COMPARING_OPS)
    if not column.matchable:
        ops = tuple(o for o in ops if o not in MATCHING_OPS)
    if column.fk is not None and scope is not None:
        target = peek_scope(scope.identity, scope.catalog, column.fk.ref_key)
        if target is not None and _label_columns(target):
            ops = (*ops, "label")
    if column.nullable:
        ops = (*ops, "empty", "notempty")
    return ops


def _label_columns(scope: Scope) -> list[ColumnInfo]:
    return [
        scope.info.columns[n]
        for n in scope.info.label_columns
        if n not in scope.hidden and scope.info.columns[n].is_string
    ]


def text_prefix(col: Any, text: str, dialect: str) -> ColumnElement[bool]:
    """``col`` starts with ``text``, in the form the backend can answer from an index.

    SQLite's LIKE is case-insensitive and so cannot use an ordinary index: there the
    prefix becomes ranges for the usual casings (as typed, lower, upper, capitalised).
    SQL Server's usual case-insensitive collation seeks on ``LIKE 'abc%'``.
    PostgreSQL needs ILIKE to stay case-insensitive.
    """
    if dialect == "sqlite":
        variants = dict.fromkeys([text, text.lower(), text.upper(), text.capitalize()])
        ranges = []
        for variant in variants:
            upper = next_prefix(variant)
            bound = col >= variant
            ranges.append(bound if upper is None else and_(bound, col < upper))
        return or_(*ranges)
    if dialect == "postgresql":
        return col.ilike(prefix_pattern(text), escape=LIKE_ESCAPE)
    return col.like(prefix_pattern(text), escape=LIKE_ESCAPE)


def text_contains(col: Any, text: str, dialect: str) -> ColumnElement[bool]:
    """``col`` contains ``text`` (case-insensitive; a scan on every backend)."""
    if dialect == "postgresql":
        return col.ilike(contains_pattern(text), escape=LIKE_ESCAPE)
    return col.like(contains_pattern(text), escape=LIKE_ESCAPE)


def text_word_starts(col: Any, text: str, dialect: str) -> ColumnElement[bool]:
    """``col`` starts with ``text``, or a word in it does ("wil" finds "Sofia
    Williams"): the prefix part can seek, the word part scans."""
    word = " " + escape_like(text) + "%"
    pattern = "%" + word
    if dialect == "postgresql":
        inner = col.ilike(pattern, escape=LIKE_ESCAPE)
    else:
        inner = col.like(pattern, escape=LIKE_ESCAPE)
    return or_(text_prefix(col, text, dialect), inner)


SEARCH_MATCHERS = {
    "prefix": text_prefix,
    "words": text_word_starts,
    "contains": text_contains,
}


def search_mode(scope: Scope, query: ListQuery) -> str:
    """The mode this search runs in: the request's, else the table's setting."""
    return query.search_mode or scope.info.search_mode


def _filter_clause(scope: Scope, spec: FilterSpec, dialect: str) -> ColumnElement[bool]:
    column = scope.column(spec.column, "filter column")
    col = scope.table.c[column.name]
    allowed = ops_for(column, scope)
    if spec.op not in allowed:
        choices = ", ".join(OP_LABELS[o] for o in allowed) or "none"
        raise AppError(
            400,
            "Unknown filter",
            f"Filter {spec.op!r} does not apply to {column.label} "
            f"(possible: {choices}).",
        )
    # "Empty" text is NULL or '' -- except where = '' is refused (xml, ntext): NULL.
    blank_too = column.is_string and column.comparable
    if spec.op == "empty":
        return or_(col.is_(None), col == "") if blank_too else col.is_(None)
    if spec.op == "notempty":
        return and_(col.is_not(None), col != "") if blank_too else col.is_not(None)
    text = spec.value.strip() if not column.is_string else spec.value
    if text == "":
        raise AppError(
            400, "Missing filter value", f"Filter on {column.label} needs a value."
        )
    if spec.op == "label":
        return _label_clause(scope, column, col, text, dialect)
    if spec.op == "contains":
        return text_contains(col, text, dialect)
    if spec.op == "starts":
        return text_prefix(col, text, dialect)
    if column.kind == "datetime" and len(text.strip()) == 10:
        return _day_clause(column, col, spec.op, text)
    try:
        value = parse_value(column, text)
    except BadValue as exc:
        raise AppError(
            400, "Wrong filter value", f"Filter on {column.label}: {exc}."
        ) from None
    if column.kind == "bool":
        return col == (true() if value else false())
    if spec.op == "gte":
        return col >= value
    if spec.op == "lte":
        return col <= value
    return col == value


def _day_clause(column: ColumnInfo, col: Any, op: str, text: str):
    try:
        start, end = parse_day(column, text)
    except BadValue as exc:
        raise AppError(
            400, "Wrong filter value", f"Filter on {column.label}: {exc}."
        ) from None
    if op == "gte":
        return col >= start
    if end is None:  # the type's last day: nothing comes after it
        return col >= start if op == "eq" else col.is_not(None)
    if op == "lte":
        return col < end
    return and_(col >= start, col < end)


def _label_clause(
    scope: Scope, column: ColumnInfo, col: Any, text: str, dialect: str
) -> ColumnElement[bool]:
    fk = column.fk
    target = peek_scope(scope.identity, scope.catalog, fk.ref_key)
    assert target is not None  # ops_for offered "label" only for a readable target
    ref = target.table
    matches = [
        text_prefix(ref.c[c.name], text, dialect) for c in _label_columns(target)
    ]
    sub = select(ref.c[fk.ref_columns[0]]).where(or_(*matches))
    if target.row_filter is not None:
        sub = sub.where(target.row_filter)
    return col.in_(sub)


def conditions(scope: Scope, query: ListQuery, dialect: str) -> Conditions:
    """Row filter + user filters + search, all ANDed; 400 on bad input."""
    result = Conditions()
    if scope.row_filter is not None:
        result.clauses.append(scope.row_filter)
    for spec in query.filters:
        result.clauses.append(_filter_clause(scope, spec, dialect))
    clause = search_clause(scope, query, dialect, result.notices)
    if clause is not None:
        result.clauses.append(clause)
    return result


def search_clause(
    scope: Scope,
    query: ListQuery,
    dialect: str,
    notices: list[str],
    mode: str | None = None,
) -> ColumnElement[bool] | None:
    """The search box's condition in ``mode`` (default: the query's), or None."""
    q = query.q.strip()
    if not q:
        return None
    mode = mode or search_mode(scope, query)
    if mode not in SEARCH_MODES:
        raise AppError(400, "Unknown search mode", f"Search mode {mode!r}.")
    columns = [scope.table.c[n] for n in scope.info.searchable if n not in scope.hidden]
    if not columns:
        notices.append(
            f"{scope.info.label} has no searchable columns; the search was ignored."
        )
        return None
    match = SEARCH_MATCHERS[mode]
    return or_(*(match(c, q, dialect) for c in columns))


def sort_columns(scope: Scope, sort: str) -> list[SortColumn]:
    """The requested sort plus the unique tie-breaker (400 for an unknown column)."""
    spec = sort or scope.info.default_sort
    if not sort and spec.lstrip("-") in scope.hidden:
        spec = ""  # a default sort on a column this caller may not see: key order
    descending = spec.startswith("-")
    name = spec.lstrip("-")
    result: list[SortColumn] = []
    if name:
        if sort:
            column = scope.column(name, "sort column")
            if not column.sortable:
                why = f" ({column.limit_note})" if column.limit_note else ""
                raise AppError(
                    400, "Cannot sort", f"{column.label} cannot be sorted{why}."
                )
        else:
            column = scope.info.columns[name]
        result.append(SortColumn(column, descending))
    for key in scope.info.order_key:
        if key != name:
            result.append(SortColumn(scope.info.columns[key], descending))
    return result


def sort_signature(sort: Sequence[SortColumn]) -> str:
    """A short text naming the ordering (page tokens are only valid for it)."""
    return ",".join(("-" if s.descending else "") + s.column.name for s in sort)


def order_by(
    scope: Scope, sort: Sequence[SortColumn], reverse: bool, dialect: str
) -> list[Any]:
    """ORDER BY elements; ``reverse`` flips every direction (for previous/last)."""
    elements = []
    for item in sort:
        col = scope.table.c[item.column.name]
        descending = item.descending != reverse
        element = col.desc() if descending else col.asc()
        if dialect == "postgresql" and item.column.nullable:
            element = element.nulls_last() if descending else element.nulls_first()
        elements.append(element)
    return elements


def _after(col: Any, value: Any, descending: bool, nullable: bool):
    """Rows whose ``col`` comes strictly after ``value`` (NULL is the smallest)."""
    if not descending:
        return col.is_not(None) if value is None else col > value
    if value is None:
        return false()
    return or_(col < value, col.is_(None)) if nullable else col < value


def _same(col: Any, value: Any):
    return col.is_(None) if value is None else col == value


def keyset_after(
    scope: Scope, sort: Sequence[SortColumn], values: Sequence[Any], reverse: bool
) -> ColumnElement[bool]:
    """Rows after the row whose ordering values are ``values`` (lexicographic),
    with a redundant leading range on the first column so an index can seek."""
    condition = None
    for item, value in reversed(list(zip(sort, values, strict=True))):
        col = scope.table.c[item.column.name]
        descending = item.descending != reverse
        after = _after(col, value, descending, item.column.nullable)
        condition = (
            after
            if condition is None
            else or_(after, and_(_same(col, value), condition))
        )
    first, value = sort[0], values[0]
    col = scope.table.c[first.column.name]
    descending = first.descending != reverse
    if value is not None and not descending:
        condition = and_(col >= value, condition)
    elif value is not None and not first.column.nullable:
        condition = and_(col <= value, condition)
    return condition
