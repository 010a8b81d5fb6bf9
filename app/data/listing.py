"""One page of a table: keyset paging, filters, search, capped count, FK labels.

Rows come back as plain tuples from a Core SELECT (no ORM objects): the list page's
cost is dominated by rendering, so the data layer keeps its share small. Labels of
a foreign key whose target every row of which the caller may see (no row filter)
and whose referenced column is unique come with the page itself, from a LEFT OUTER
JOIN on an alias of the target (one round trip fewer); any other foreign key's
labels are looked up afterwards (app.data.labels), under the target's row filter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, Connection, Select, Table, bindparam, select

from app.catalog import Catalog, ColumnInfo, TableInfo
from app.catalog.parse import BadValue, parse_value
from app.data.counts import (
    COUNT_CAP,
    SCAN_COUNT_CAP,
    RowCount,
    capped_count_statement,
    contains_count,
    exact_count,
)
from app.data.labels import Label, LabelSet, fk_labels, label_text
from app.data.query import (
    ListQuery,
    SortColumn,
    conditions,
    keyset_after,
    order_by,
    search_mode,
    sort_columns,
    sort_signature,
)
from app.data.scope import Scope, open_scope, peek_scope
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
    search_mode: str = ""  # the mode the search ran in (the table's by default)
    # A prefix/words search that found nothing: how many rows contain the text
    # (capped), so the page can offer "N rows contain 'screen' - search anywhere".
    contains_count: RowCount | None = None
    # Rows before this page (0 on the first page), None when unknown (a page
    # reached backwards from "last" without an exact count).
    start: int | None = None

    @property
    def info(self) -> TableInfo:
        return self.scope.info


@dataclass(frozen=True)
class JoinedLabels:
    """Labels of one FK column read by the page's own SELECT: the joined target's
    columns (referenced column, primary key, label columns) start at ``start``."""

    column: str  # the FK column
    position: int  # its place in a row
    ref_schema: str
    ref_table: str
    start: int
    key_width: int  # primary key columns after the referenced one
    width: int  # every joined column


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
    joined: list[JoinedLabels] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # keyset bound values
    token_start: int | None = None  # rows before the page, carried by the token


# SELECT ... FROM ... ORDER BY ... LIMIT of a page shape, before any condition: one
# statement object per shape, so SQLAlchemy's cache key of the common pages (no
# row filter, filter or search) is computed once, not on every request.
_BASES: dict[tuple, Select] = {}
_BASES_MAX = 1024
# The same with a keyset bound (which values are NULL decides the condition's form;
# the values themselves are bound parameters, passed when executing).
_KEYSETS: dict[tuple, Select] = {}
# A page 1 shape with its capped count folded in (see ``counted``).
_COUNTED: dict[tuple, Select] = {}


def label_joins(
    scope: Scope, columns: list[ColumnInfo], start: int
) -> list[tuple[JoinedLabels, Table, tuple[str, ...]]]:
    """The FK columns whose labels the page's SELECT can read itself, each with
    its target table and the target's columns to read (from ``start`` in a row).

    Joinable: a single-column FK whose target the caller may read without a row
    filter (every row of it is visible, so a label never shows a hidden row) and
    whose referenced column is unique (at most one row joins: the page's rows, their
    order and its limit stay the same). Only target columns the caller may see are
    read. The others' labels are looked up afterwards, under the row filter.
    """
    joins = []
    for position, column in enumerate(columns):
        fk = column.fk
        if fk is None:
            continue
        target = peek_scope(scope.identity, scope.catalog, fk.ref_key)
        ref = fk.ref_columns[0]
        if (
            target is None
            or target.row_filter is not None
            or not target.info.columns[ref].unique
        ):
            continue
        info = target.info
        wanted = (
            ref,
            *info.primary_key,
            *(n for n in info.label_columns if n not in target.hidden),
        )
        item = JoinedLabels(
            column.name,
            position,
            info.schema,
            info.name,
            start,
            len(info.primary_key),
            len(wanted),
        )
        joins.append((item, target.table, wanted))
        start += len(wanted)
    return joins


def select_with_labels(
    table: Table,
    names: tuple[str, ...],
    joins: list[tuple[JoinedLabels, Table, tuple[str, ...]]],
) -> Select:
    """SELECT ``names`` of ``table`` and, for each join, the target's wanted columns
    from a LEFT OUTER JOIN on an alias of the target keyed on the FK column."""
    source: Any = table
    label_columns = []
    for n, (item, target, wanted) in enumerate(joins):
        alias = target.alias(f"tf_label_{n}")
        source = source.outerjoin(alias, alias.c[wanted[0]] == table.c[item.column])
        label_columns += [alias.c[c] for c in wanted]
    stmt = select(*(table.c[n] for n in names), *label_columns)
    return stmt.select_from(source) if joins else stmt


def _page_base(
    scope: Scope,
    names: tuple[str, ...],
    sort: list[SortColumn],
    reverse: bool,
    size: int,
    dialect: str,
    joins: list[tuple[JoinedLabels, Table, tuple[str, ...]]],
) -> Select:
    """SELECT the columns (and joined labels) ORDER BY the sort, LIMIT size + 1.

    Each joined target comes under its own alias (LEFT OUTER JOIN on the FK), so
    that no condition of the page (a row filter's subquery) can correlate with it.
    """
    table = scope.table
    key = (
        table,
        names,
        tuple((s.column.name, s.descending, s.column.nullable) for s in sort),
        reverse,
        size,
        dialect,
        tuple((j.column, target, wanted) for j, target, wanted in joins),
    )
    stmt = _BASES.get(key)
    if stmt is not None:
        return stmt
    stmt = select_with_labels(table, names, joins)
    stmt = stmt.order_by(*order_by(scope, sort, reverse, dialect)).limit(size + 1)
    if len(_BASES) >= _BASES_MAX:
        _BASES.clear()
    _BASES[key] = stmt
    return stmt


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
    scope: Scope,
    query: ListQuery,
    dialect: str,
    omit: frozenset[str] = frozenset(),
    *,
    labels: bool = False,
) -> PlannedList:
    """Build (without running) the SELECT for one page of ``query``; ``omit`` names
    listed columns not to show (a related list drops the column pointing back);
    ``labels`` joins the labels of the FK columns that allow it (``joined``)."""
    info = scope.info
    where = conditions(scope, query, dialect)
    sort = sort_columns(scope, query.sort)
    size = page_size(query.size, info)
    columns = [c for c in scope.listed if c.name not in omit] or scope.listed
    if query.columns:
        columns = chosen_columns(scope, query.columns, omit) or columns
    shown = {c.name for c in columns}
    extra = [
        n
        for n in dict.fromkeys([*info.primary_key, *(s.column.name for s in sort)])
        if n not in shown
    ]
    names = (*(c.name for c in columns), *extra)
    joins = label_joins(scope, columns, len(names)) if labels else []
    reverse = query.page == "last"
    token = None
    if query.page and not reverse:
        token = read_token(
            query.page,
            info.key,
            sort_signature(sort),
            len(sort),
            _count_key(scope, query),
        )
        reverse = token.direction == "prev"
    stmt = _page_base(scope, names, sort, reverse, size, dialect, joins)
    params: dict[str, Any] = {}
    if token is not None:
        params = {f"tf_k{i}": v for i, v in enumerate(token.values) if v is not None}
        shape = (stmt, tuple(v is None for v in token.values))
        keyset = None if where.clauses else _KEYSETS.get(shape)
        if keyset is None:
            bound = [
                None if v is None else _key_param(scope, s.column.name, i)
                for i, (s, v) in enumerate(zip(sort, token.values, strict=True))
            ]
            condition = keyset_after(scope, sort, bound, reverse)
            if where.clauses:
                keyset = stmt.where(*where.clauses).where(condition)
            else:
                if len(_KEYSETS) >= _BASES_MAX:
                    _KEYSETS.clear()
                keyset = _KEYSETS[shape] = stmt.where(condition)
        stmt = keyset
    elif where.clauses:
        stmt = stmt.where(*where.clauses)
    return PlannedList(
        scope,
        columns,
        extra,
        sort,
        where.clauses,
        stmt,
        size,
        reverse,
        token.count if token else None,
        token is not None,
        where.notices,
        [j for j, _, _ in joins],
        params,
        token.start if token else None,
    )


def chosen_columns(
    scope: Scope, names: tuple[str, ...], omit: frozenset[str] = frozenset()
) -> list[ColumnInfo]:
    """The columns of ``names`` the caller may see, in that order (a hidden or
    unknown name is dropped: a crafted choice never reveals a column)."""
    visible = {c.name: c for c in scope.visible}
    picked = dict.fromkeys(n for n in names if n in visible and n not in omit)
    return [visible[n] for n in picked]


def scans(scope: Scope, query: ListQuery) -> bool:
    """Whether the search or a filter reads every row to find its matches (any
    mode but "starts with", or a "contains" filter): page 1 then counts to
    SCAN_COUNT_CAP, in key order."""
    return (bool(query.q.strip()) and search_mode(scope, query) != "prefix") or any(
        f.op == "contains" for f in query.filters
    )


def counted(plan: PlannedList, cap: int, key_order: bool = False) -> Select:
    """The page's SELECT with its capped count (``capped_count``'s subquery) as a
    last column, counted in key order when asked; kept per statement shape when
    the page has no conditions."""
    if plan.clauses:
        count = capped_count_statement(plan.scope.table, plan.clauses, cap, key_order)
        return plan.statement.add_columns(count.scalar_subquery())
    key = (plan.statement, cap)
    stmt = _COUNTED.get(key)
    if stmt is None:
        count = capped_count_statement(plan.scope.table, (), cap)
        stmt = plan.statement.add_columns(count.scalar_subquery())
        if len(_COUNTED) >= _BASES_MAX:
            _COUNTED.clear()
        _COUNTED[key] = stmt
    return stmt


def _key_param(scope: Scope, column: str, index: int) -> BindParameter:
    """The bound value ``tf_k<index>`` of a keyset bound, typed as ``column``."""
    return bindparam(f"tf_k{index}", type_=scope.table.c[column].type, required=True)


def read_joined_labels(
    joined: list[JoinedLabels], rows: list[Any]
) -> dict[str, LabelSet]:
    """The labels of joined FK columns, as app.data.labels.fk_labels gives them."""
    result: dict[str, LabelSet] = {}
    for item in joined:
        found: dict[Any, Label] = {}
        present = False
        at, keys = item.start, item.start + 1
        parts = keys + item.key_width
        end = item.start + item.width
        single = end - parts == 1  # one label column
        for row in rows:
            if row[item.position] is None:
                continue
            present = True
            ref = row[at]
            if ref is None or ref in found:
                continue  # no such row, or labelled already
            text = row[parts] if single else None
            if type(text) is not str or not text:
                text = label_text(row[parts:end]) or str(ref)
            if item.key_width == 1 and type(row[keys]) is int:
                row_key = str(row[keys])  # what encode_row_key gives an integer
            elif item.key_width:
                row_key = encode_row_key(row[keys:parts])
            else:
                row_key = None
            found[ref] = Label(text, row_key)
        if present:
            result[item.column] = LabelSet(item.ref_schema, item.ref_table, found)
    return result


def _label_filter_values(
    scope: Scope,
    query: ListQuery,
    labels: dict[str, LabelSet],
    connection: Connection | None,
) -> None:
    """Labels for the keys that "equals" filters on FK columns name, when the page's
    rows did not bring them (no row matched, or the column is not shown): the chip
    then says "Assigned to is Alex Morgan" on an empty page too. Read under the
    target's row filter like every label; a value that does not parse is left as
    typed (the filter itself has already answered 400 for it)."""
    visible = {c.name: c for c in scope.visible}
    for spec in query.filters:
        column = visible.get(spec.column)
        if spec.op != "eq" or column is None or column.fk is None:
            continue
        try:
            value = parse_value(column, spec.value)
        except BadValue:
            continue
        known = labels.get(column.name)
        if known is not None and value in known.labels:
            continue
        found = fk_labels(scope, [column], [(value,)], connection=connection)
        if column.name not in found:
            continue
        if known is None:
            labels[column.name] = found[column.name]
        else:
            known.labels.update(found[column.name].labels)


def list_page(
    identity: Identity | None,
    catalog: Catalog,
    key: str,
    query: ListQuery,
    *,
    with_count: bool = True,
) -> ListPage:
    """One page of table ``key`` as ``identity`` may see it.

    The page, its labels and its count are read on one Core connection (one
    transaction: they agree with each other), unless this request's ORM session
    already holds a transaction, whose uncommitted changes the page must see, or an
    exact count is asked for (it needs the session's backend-specific deadline).
    A Core connection costs half what the session does for two SELECTs.
    """
    scope = open_scope(identity, catalog, key, "read")
    if query.exact_count or session_in_transaction():
        return scoped_list_page(scope, query, with_count=with_count)
    with db.engine.connect() as connection:
        return scoped_list_page(
            scope, query, with_count=with_count, connection=connection
        )


def session_in_transaction() -> bool:
    """True when the request's session exists and holds a transaction."""
    registry = db.session.registry
    return registry.has() and registry().in_transaction()


def scoped_list_page(
    scope: Scope,
    query: ListQuery,
    *,
    with_count: bool = True,
    omit: frozenset[str] = frozenset(),
    connection: Connection | None = None,
) -> ListPage:
    """One page for an already opened scope (related lists reuse this); read on
    ``connection`` when given, else through the request's session."""
    if connection is None:
        run = db.session.execute
        dialect = db.session.get_bind().dialect.name
    else:
        run = connection.execute
        dialect = connection.dialect.name
    plan = plan_list(scope, query, dialect, omit, labels=True)
    # Page 1 (or "last") of a search counts its rows in the same SELECT: one
    # statement per page instead of two (a later page carries its count in the
    # token, and an exact count needs its own deadline).
    folded = with_count and not query.exact_count and plan.token_count is None
    scanning = scans(scope, query)
    cap = SCAN_COUNT_CAP if scanning else COUNT_CAP
    statement = counted(plan, cap, key_order=scanning) if folded else plan.statement
    fetched = run(statement, plan.params).all()
    more = len(fetched) > plan.size
    rows = fetched[: plan.size]
    if plan.reverse:
        rows.reverse()
    width = len(plan.columns)
    names = [c.name for c in plan.columns] + plan.extra
    position = {n: i for i, n in enumerate(names)}
    pk_positions = [position[n] for n in scope.info.primary_key]
    sort_positions = [position[s.column.name] for s in plan.sort]
    if len(pk_positions) == 1:  # one key column: an integer key is its own text
        at = pk_positions[0]
        row_keys = [
            str(r[at]) if type(r[at]) is int else encode_row_key((r[at],)) for r in rows
        ]
    elif pk_positions:
        row_keys = [encode_row_key([r[i] for i in pk_positions]) for r in rows]
    else:
        row_keys = [None] * len(rows)
    shown = [tuple(r[:width]) for r in rows]
    labels = read_joined_labels(plan.joined, rows)
    labels.update(
        fk_labels(
            scope,
            plan.columns,
            shown,
            skip={j.column for j in plan.joined},
            connection=connection,
        )
    )
    _label_filter_values(scope, query, labels, connection)

    count: RowCount | None = None
    if query.exact_count:
        count = exact_count(scope.table, plan.clauses) or RowCount(
            cap, capped=True, timed_out=True
        )
    elif plan.token_count is not None:
        count = RowCount(*plan.token_count)
    elif folded:
        # No row: nothing matches (page 1 has no keyset bound to skip rows).
        n = fetched[0][-1] if fetched else 0
        count = RowCount(min(n, cap), capped=n > cap)
    carried = (count.value, count.capped) if count and not count.timed_out else None

    if query.page == "last":
        is_first, is_last = not more, True
    elif plan.reverse:
        is_first, is_last = not more, False
    else:
        is_first, is_last = not plan.from_token, not more
    start = _page_start(query, plan, count, len(rows))
    page = ListPage(
        scope=scope,
        columns=plan.columns,
        rows=shown,
        row_keys=row_keys,
        labels=labels,
        sort=plan.sort,
        size=plan.size,
        count=count,
        is_first=is_first,
        is_last=is_last,
        notices=plan.notices,
        search_mode=search_mode(scope, query),
        start=start,
    )
    if not rows and page.search_mode != "contains" and query.q.strip():
        page.contains_count = contains_count(scope, query, dialect, connection)
    sig = sort_signature(plan.sort)
    state = _count_key(scope, query)
    if rows and not is_last:
        values = [rows[-1][i] for i in sort_positions]
        page.next_token = make_token(
            scope.info.key,
            sig,
            "next",
            values,
            state,
            carried,
            None if start is None else start + len(rows),
        )
    if rows and not is_first:
        values = [rows[0][i] for i in sort_positions]
        page.prev_token = make_token(
            scope.info.key,
            sig,
            "prev",
            values,
            state,
            carried,
            None if start is None else max(0, start - plan.size),
        )
    return page


def _page_start(
    query: ListQuery, plan: PlannedList, count: RowCount | None, shown: int
) -> int | None:
    """How many rows come before this page: 0 first, from the token, or (last
    page) from an uncapped count; None when none of these tells."""
    if query.page == "last":
        if count is None or count.capped or count.timed_out:
            return None
        return max(0, count.value - shown)
    if not plan.from_token:
        return 0
    return plan.token_start


def _count_key(scope: Scope, query: ListQuery) -> str:
    """What a count carried in a page token is valid for: the filters and search,
    and the caller (row filters differ per caller, so a shared link recounts)."""
    caller = scope.identity.login.lower() if scope.identity else ""
    return f"{query.state_key()}|{caller}"
