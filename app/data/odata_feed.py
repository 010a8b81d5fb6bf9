"""The OData feed's reads: one keyset page of an entity set, one entity by key, and
the rows ``$expand`` brings along, all under the caller's Scope.

Paging is server-driven: a page ends with a signed keyset token bound to the table,
the ordering and the caller (another user's replay is refused, 400). ``$skip`` is an
OFFSET on the first page only; the database still reads the skipped rows, so past
``SKIP_FAST_LIMIT`` rows it is slow (follow nextLink instead, which seeks).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Select, select, type_coerce
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from app.catalog import Catalog, ColumnInfo
from app.data.counts import exact_count
from app.data.export import export_limits
from app.data.odata_expand import Expansion, expand, navigations
from app.data.odata_json import row_json_column
from app.data.odata_query import (
    ODataError,
    bad,
    feed_column,
    parse_filter,
    parse_orderby,
)
from app.data.query import SortColumn, keyset_after, order_by, sort_signature
from app.data.rows import get_row
from app.data.scope import Scope, open_scope
from app.data.tokens import make_token, read_token
from app.data.values import encode_row_key
from app.errors import AppError
from app.extensions import db
from app.identity import Identity

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 5_000
SKIP_FAST_LIMIT = 10_000
# SQLite hands back dates as ISO text, decimals as REAL and Booleans as 0/1; the
# feed writes those as JSON directly, so it skips SQLAlchemy's per-value conversion
# to date/Decimal/bool objects (a third of a page's time). Other drivers already
# return native values.
_RAW_SQLITE_KINDS = frozenset({"date", "decimal", "money", "bool"})


@dataclass(frozen=True)
class FeedQuery:
    """The query options of one entity-set request, as plain values."""

    select: tuple[str, ...] = ()  # () = every visible property
    filter: str = ""
    orderby: str = ""
    top: int | None = None
    skip: int = 0
    count: bool = False
    expand: tuple[str, ...] = ()
    skiptoken: str = ""
    page_size: int | None = None


@dataclass
class FeedPage:
    """One page: the selected columns, their rows, expanded rows, continuation.

    ``objects``, when the database wrote the rows' JSON (app/data/odata_json.py),
    holds one object text per row and ``rows`` is then empty."""

    scope: Scope
    columns: list[ColumnInfo]
    rows: list[tuple[Any, ...]]
    objects: list[str] | None = None
    expanded: dict[str, Expansion] = field(default_factory=dict)
    count: int | None = None
    next_token: str | None = None
    remaining_top: int | None = None
    capped: bool = False


def selected(scope: Scope, names: Sequence[str]) -> list[ColumnInfo]:
    """The $select columns (visible ones only), else every visible column."""
    if not names:
        return scope.visible
    found = {}
    for name in names:
        column = feed_column(scope, name)
        found.setdefault(column.name, column)
    return list(found.values())


def _token_key(scope: Scope) -> str:
    caller = scope.identity.login.lower() if scope.identity else ""
    return f"{scope.info.key}|odata|{caller}"


def _limit_page(query: FeedQuery) -> int:
    configured = int(current_app.config.get("ODATA_PAGE_SIZE") or DEFAULT_PAGE_SIZE)
    size = min(query.page_size or configured, configured)
    if query.top is not None:
        size = min(size, query.top)
    return max(size, 0)


def feed_page(
    identity: Identity | None, catalog: Catalog, key: str, query: FeedQuery
) -> FeedPage:
    """One page of entity set ``key`` for ``identity``; 400 on a bad option."""
    scope = open_scope(identity, catalog, key, "read")
    dialect = db.engine.dialect.name
    columns = selected(scope, query.select)
    navs = navigations(scope) if query.expand else {}
    for name in query.expand:
        if name not in navs:
            raise bad(f"There is no navigation property {name!r} to expand.")
    clauses = [] if scope.row_filter is None else [scope.row_filter]
    if query.filter:
        clauses.append(parse_filter(scope, query.filter, dialect))
    sort = parse_orderby(scope, query.orderby) if query.orderby else None
    if sort is None:
        sort = [SortColumn(scope.info.columns[k]) for k in scope.info.order_key]
    signature = sort_signature(sort)
    served = 0
    keyset = None
    if query.skiptoken:
        try:
            token = read_token(
                query.skiptoken, _token_key(scope), signature, len(sort), query.filter
            )
        except AppError:
            raise bad(
                "This nextLink is not valid for you or for this query; start again "
                "from the first page."
            ) from None
        served = token.count[0] if token.count else 0
        keyset = keyset_after(scope, sort, list(token.values), False)
    cap = export_limits()[0]
    size = min(_limit_page(query), max(cap - served, 0))
    nav_columns = [navs[n].local for n in query.expand]
    names = list(
        dict.fromkeys(
            [
                *(c.name for c in columns),
                *(s.column.name for s in sort),
                *(c.name for c in nav_columns),
            ]
        )
    )
    table = scope.table
    objects = None
    if not query.expand and current_app.config.get("ODATA_DB_JSON", True):
        objects = row_json_column(columns, table, dialect)
    where = [*clauses, keyset] if keyset is not None else clauses

    def shaped(stmt: Select) -> Select:
        if where:
            stmt = stmt.where(*where)
        stmt = stmt.order_by(*order_by(scope, sort, False, dialect)).limit(size + 1)
        if query.skip and not query.skiptoken:
            stmt = stmt.offset(query.skip)
        return stmt

    page = FeedPage(scope, columns, [])
    with db.engine.connect() as connection:
        wanted = names
        try:
            stmt, names = _select(scope, wanted, sort, nav_columns, objects, dialect)
            fetched = connection.execute(shaped(stmt)).all() if size else []
        except OperationalError:
            if objects is None or dialect != "sqlite":
                raise
            # SQLite's json_object refuses a BLOB stored in a text column (only a
            # writer going around the app can store one): the Python writer
            # serves this page.
            log.warning("json_object refused a row of %s", scope.info.key)
            objects = None
            stmt, names = _select(scope, wanted, sort, nav_columns, None, dialect)
            fetched = connection.execute(shaped(stmt)).all()
        if query.count:
            counted = exact_count(table, clauses)
            if counted is None:
                raise ODataError(503, "CountTimeout", "The count took too long.")
            page.count = counted.value
        more = len(fetched) > size
        rows = fetched[:size]
        width = len(columns)
        position = {n: i for i, n in enumerate(names)}
        if objects is not None:
            page.objects = [r[0] for r in rows]
            position = {n: i + 1 for n, i in position.items()}
        elif width == len(names):  # rows are tuples already
            page.rows = rows
        else:  # extra sort/expand columns are cut off
            page.rows = [tuple(r[:width]) for r in rows]
        for name, column in zip(query.expand, nav_columns, strict=True):
            at = position[column.name]
            page.expanded[name] = expand(navs[name], [r[at] for r in rows], connection)
    served += len(rows)
    remaining = None if query.top is None else query.top - len(rows)
    page.remaining_top = remaining
    if served >= cap and (more or remaining):
        page.capped = True
    elif more and rows and (remaining is None or remaining > 0):
        at = [position[s.column.name] for s in sort]
        page.next_token = make_token(
            _token_key(scope),
            signature,
            "next",
            [rows[-1][i] for i in at],
            query.filter,
            (served, False),
        )
    return page


def _select(
    scope: Scope,
    names: list[str],
    sort: list[SortColumn],
    nav_columns: list[ColumnInfo],
    objects: ColumnElement[Any] | None,
    dialect: str,
) -> tuple[Select, list[str]]:
    """The page's SELECT list and the column names it brings back: the row's JSON
    (written by the database) and the sort columns for the next page's token, or
    ``names`` themselves for the Python writer."""
    table = scope.table
    if objects is not None:
        keys = [s.column.name for s in sort]
        return select(objects.label("row_json"), *(table.c[n] for n in keys)), keys
    keyed = {s.column.name for s in sort} | {c.name for c in nav_columns}
    columns = (
        table.c[n] if n in keyed else _served(scope.info.columns[n], table, dialect)
        for n in names
    )
    return select(*columns), names


def _served(column: ColumnInfo, table: Any, dialect: str) -> ColumnElement[Any]:
    """The column as selected for the feed: the driver's own value on SQLite for
    the kinds payload writes from it (columns a keyset token or an expand needs
    keep their Python types)."""
    expression = table.c[column.name]
    if dialect != "sqlite" or column.kind not in _RAW_SQLITE_KINDS:
        return expression
    return type_coerce(expression, NullType()).label(column.name)


def entity(
    identity: Identity | None,
    catalog: Catalog,
    key: str,
    key_values: list[Any],
    query: FeedQuery,
) -> FeedPage:
    """One entity by key as a one-row page; 404 outside the row filter."""
    scope = open_scope(identity, catalog, key, "read")
    columns = selected(scope, query.select)
    navs = navigations(scope) if query.expand else {}
    for name in query.expand:
        if name not in navs:
            raise bad(f"There is no navigation property {name!r} to expand.")
    detail = get_row(
        identity, catalog, key, encode_row_key(key_values), with_related=False
    )
    by_name = dict(zip((c.name for c in detail.columns), detail.values, strict=True))
    page = FeedPage(scope, columns, [tuple(by_name[c.name] for c in columns)])
    with db.engine.connect() as connection:
        for name in query.expand:
            local = navs[name].local.name
            page.expanded[name] = expand(navs[name], [by_name[local]], connection)
    return page
