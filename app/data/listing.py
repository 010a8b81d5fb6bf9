"""One page of a table: keyset paging, filters, search, capped count, FK labels.

Rows come back as plain tuples from a Core SELECT (no ORM objects): the list page's
cost is dominated by rendering, so the data layer keeps its share small.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select

from app.catalog import Catalog, ColumnInfo, TableInfo
from app.data.counts import COUNT_CAP, RowCount, capped_count, exact_count
from app.data.labels import LabelSet, fk_labels
from app.data.query import (
    ListQuery,
    SortColumn,
    conditions,
    keyset_after,
    order_by,
    sort_columns,
    sort_signature,
)
from app.data.scope import Scope, open_scope
from app.data.tokens import make_token, read_token
from app.data.values import encode_row_key
from app.errors import AppError
from app.extensions import db
from app.identity import Identity

log = logging.getLogger(__name__)

PAGE_SIZES = (10, 25, 50, 100, 200, 500)
MAX_PAGE_SIZE = PAGE_SIZES[-1]


@dataclass
class ListPage:
    """One page of rows and everything needed to render and continue it."""

    scope: Scope
    columns: list[ColumnInfo]
    rows: list[tuple[Any, ...]]
    row_keys: list[str | None]
    labels: dict[str, LabelSet]
    sort: list[SortColumn]
    size: int
    count: RowCount | None
    next_token: str | None = None
    prev_token: str | None = None
    is_first: bool = True
    is_last: bool = True
    notices: list[str] = field(default_factory=list)

    @property
    def info(self) -> TableInfo:
        return self.scope.info


@dataclass
class PlannedList:
    """The statement of a list request before execution (compiled in tests)."""

    scope: Scope
    columns: list[ColumnInfo]
    extra: list[str]  # key/sort columns selected but not shown
    sort: list[SortColumn]
    clauses: list[Any]
    statement: Select
    size: int
    reverse: bool
    token_count: tuple[int, bool] | None
    from_token: bool
    notices: list[str]


def page_size(requested: int | None, info: TableInfo) -> int:
    """The page size: requested (1..MAX) or the table's default."""
    if requested is None:
        return info.page_size
    if not 1 <= requested <= MAX_PAGE_SIZE:
        raise AppError(
            400, "Page size not allowed", f"Page size must be 1 to {MAX_PAGE_SIZE}."
        )
    return requested


def plan_list(
    scope: Scope, query: ListQuery, dialect: str, omit: frozenset[str] = frozenset()
) -> PlannedList:
    """Build (without running) the SELECT for one page of ``query``; ``omit`` names
    listed columns not to show (a related list drops the column pointing back)."""
    info = scope.info
    where = conditions(scope, query, dialect)
    sort = sort_columns(scope, query.sort)
    size = page_size(query.size, info)
    columns = [c for c in scope.listed if c.name not in omit] or scope.listed
    shown = {c.name for c in columns}
    extra = [
        n
        for n in dict.fromkeys([*info.primary_key, *(s.column.name for s in sort)])
        if n not in shown
    ]
    table = scope.table
    stmt = select(*(table.c[c.name] for c in columns), *(table.c[n] for n in extra))
    if where.clauses:
        stmt = stmt.where(*where.clauses)
    reverse = False
    token_count = None
    from_token = False
    if query.page == "last":
        reverse = True
    elif query.page:
        token = read_token(
            query.page,
            info.key,
            sort_signature(sort),
            len(sort),
            _count_key(scope, query),
        )
        reverse = token.direction == "prev"
        token_count = token.count
        from_token = True
        stmt = stmt.where(keyset_after(scope, sort, token.values, reverse))
    stmt = stmt.order_by(*order_by(scope, sort, reverse, dialect)).limit(size + 1)
    return PlannedList(
        scope,
        columns,
        extra,
        sort,
        where.clauses,
        stmt,
        size,
        reverse,
        token_count,
        from_token,
        where.notices,
    )


def list_page(
    identity: Identity | None,
    catalog: Catalog,
    key: str,
    query: ListQuery,
    *,
    with_count: bool = True,
) -> ListPage:
    """One page of table ``key`` as ``identity`` may see it."""
    scope = open_scope(identity, catalog, key, "read")
    return scoped_list_page(scope, query, with_count=with_count)


def scoped_list_page(
    scope: Scope,
    query: ListQuery,
    *,
    with_count: bool = True,
    omit: frozenset[str] = frozenset(),
) -> ListPage:
    """One page for an already opened scope (related lists reuse this)."""
    dialect = db.session.get_bind().dialect.name
    plan = plan_list(scope, query, dialect, omit)
    fetched = db.session.execute(plan.statement).all()
    more = len(fetched) > plan.size
    rows = fetched[: plan.size]
    if plan.reverse:
        rows.reverse()
    width = len(plan.columns)
    names = [c.name for c in plan.columns] + plan.extra
    position = {n: i for i, n in enumerate(names)}
    pk_positions = [position[n] for n in scope.info.primary_key]
    sort_positions = [position[s.column.name] for s in plan.sort]
    row_keys = (
        [encode_row_key([r[i] for i in pk_positions]) for r in rows]
        if pk_positions
        else [None] * len(rows)
    )
    shown = [tuple(r[:width]) for r in rows]

    count: RowCount | None = None
    if query.exact_count:
        count = exact_count(scope.table, plan.clauses) or RowCount(
            COUNT_CAP, capped=True, timed_out=True
        )
    elif plan.token_count is not None:
        count = RowCount(*plan.token_count)
    elif with_count:
        count = capped_count(scope.table, plan.clauses)
    carried = (count.value, count.capped) if count and not count.timed_out else None

    if query.page == "last":
        is_first, is_last = not more, True
    elif plan.reverse:
        is_first, is_last = not more, False
    else:
        is_first, is_last = not plan.from_token, not more
    page = ListPage(
        scope=scope,
        columns=plan.columns,
        rows=shown,
        row_keys=row_keys,
        labels=fk_labels(scope, plan.columns, shown),
        sort=plan.sort,
        size=plan.size,
        count=count,
        is_first=is_first,
        is_last=is_last,
        notices=plan.notices,
    )
    sig = sort_signature(plan.sort)
    state = _count_key(scope, query)
    if rows and not is_last:
        values = [rows[-1][i] for i in sort_positions]
        page.next_token = make_token(
            scope.info.key, sig, "next", values, state, carried
        )
    if rows and not is_first:
        values = [rows[0][i] for i in sort_positions]
        page.prev_token = make_token(
            scope.info.key, sig, "prev", values, state, carried
        )
    return page


def _count_key(scope: Scope, query: ListQuery) -> str:
    """What a count carried in a page token is valid for: the filters and search,
    and the caller (row filters differ per caller, so a shared link recounts)."""
    caller = scope.identity.login.lower() if scope.identity else ""
    return f"{query.state_key()}|{caller}"
