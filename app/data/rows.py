"""One row by its key, and the rows of other tables that point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam

from app.catalog import Catalog, ColumnInfo, ReferenceInfo
from app.data.labels import LabelSet, fk_labels, label_text
from app.data.listing import (
    JoinedLabels,
    ListPage,
    label_joins,
    read_joined_labels,
    scoped_list_page,
    select_with_labels,
    session_in_transaction,
)
from app.data.query import FilterSpec, ListQuery
from app.data.scope import Scope, open_scope, peek_scope
from app.data.values import BadValue, decode_row_key, encode_row_key
from app.errors import AppError
from app.extensions import db
from app.identity import Identity

RELATED_PAGE_SIZE = 10


@dataclass
class RelatedList:
    """First page of a table's rows that point at the row, with the filter used."""

    reference: ReferenceInfo
    filters: tuple[FilterSpec, ...]
    page: ListPage


@dataclass
class RowDetail:
    """One visible row: values by column, FK labels, title, related lists."""

    scope: Scope
    columns: list[ColumnInfo]
    values: tuple[Any, ...]
    labels: dict[str, LabelSet]
    row_key: str
    title: str
    related: list[RelatedList] = field(default_factory=list)


def _not_found(scope: Scope) -> AppError:
    return AppError(
        404, "Row not found", f"There is no such row in {scope.info.label}."
    )


def get_row(
    identity: Identity | None,
    catalog: Catalog,
    key: str,
    row_key: str,
    *,
    with_related: bool = True,
) -> RowDetail:
    """The row of table ``key`` whose URL key is ``row_key``; 404 when the row does
    not exist or is outside the caller's row filter.

    The row, its joinable FK labels (as on the list page: app.data.listing) and the
    columns that rows of other tables point at come from one SELECT; the row, its
    labels and its related lists are read on one Core connection (one transaction),
    unless this request's session holds a transaction whose changes they must see.
    """
    scope = open_scope(identity, catalog, key, "read")
    info = scope.info
    if not info.primary_key:
        raise _not_found(scope)
    pk_columns = [info.columns[n] for n in info.primary_key]
    try:
        key_values = decode_row_key(pk_columns, row_key)
    except BadValue:
        raise _not_found(scope) from None
    if session_in_transaction():
        return _read_row(scope, pk_columns, key_values, with_related, None)
    with db.engine.connect() as connection:
        return _read_row(scope, pk_columns, key_values, with_related, connection)


def _read_row(
    scope: Scope,
    pk_columns: list[ColumnInfo],
    key_values: list[Any],
    with_related: bool,
    connection: Connection | None,
) -> RowDetail:
    info = scope.info
    columns = scope.visible
    names = tuple(c.name for c in columns)
    # Columns other tables point at, read (never rendered) to find related rows.
    wanted = {n: None for ref in info.referenced_by for n in ref.columns}
    extra = tuple(n for n in wanted if n not in names) if with_related else ()
    joins = label_joins(scope, columns, len(names) + len(extra))
    stmt = _row_statement(scope.table, info.primary_key, names, extra, joins)
    if scope.row_filter is not None:
        stmt = stmt.where(scope.row_filter)
    params = {f"tf_pk{i}": v for i, v in enumerate(key_values)}
    run = db.session.execute if connection is None else connection.execute
    row = run(stmt, params).first()
    if row is None:
        raise _not_found(scope)
    width = len(names)
    values = tuple(row[:width])
    by_name = dict(zip(names, values, strict=True))
    title = label_text(
        [by_name.get(n) for n in info.label_columns if n in by_name]
    ) or ", ".join(str(v) for v in key_values)
    labels = read_joined_labels([j for j, _, _ in joins], [row])
    labels.update(
        fk_labels(
            scope,
            columns,
            [values],
            skip={j.column for j, _, _ in joins},
            connection=connection,
        )
    )
    detail = RowDetail(
        scope=scope,
        columns=columns,
        values=values,
        labels=labels,
        row_key=encode_row_key(key_values),
        title=title,
    )
    if with_related and info.referenced_by:
        full = dict(zip(names + extra, row, strict=False))
        detail.related = related_lists(scope, full, connection)
    return detail


# SELECT columns (and joined labels) WHERE primary key = bound values: one statement
# object per table, caller's columns and joins (catalog values only), so SQLAlchemy's
# cache key is computed once; a row filter is added per request.
_STATEMENTS: dict[tuple, Select] = {}
_STATEMENTS_MAX = 1024


def _row_statement(
    table: Table,
    primary_key: tuple[str, ...],
    names: tuple[str, ...],
    extra: tuple[str, ...],
    joins: list[tuple[JoinedLabels, Table, tuple[str, ...]]],
) -> Select:
    key = (
        table,
        tuple(primary_key),
        names,
        extra,
        tuple((j.column, target, wanted) for j, target, wanted in joins),
    )
    stmt = _STATEMENTS.get(key)
    if stmt is not None:
        return stmt
    stmt = select_with_labels(table, names + extra, joins)
    pk = [table.c[n] for n in primary_key]
    stmt = stmt.where(
        *(
            c == bindparam(f"tf_pk{i}", type_=c.type, required=True)
            for i, c in enumerate(pk)
        )
    )
    if len(_STATEMENTS) >= _STATEMENTS_MAX:
        _STATEMENTS.clear()
    _STATEMENTS[key] = stmt
    return stmt


def related_lists(
    scope: Scope, row: dict[str, Any], connection: Connection | None = None
) -> list[RelatedList]:
    """The first rows of each readable table that points at ``row`` (read on
    ``connection`` when given, else through the request's session)."""
    result = []
    for ref in scope.info.referenced_by:
        child = peek_scope(scope.identity, scope.catalog, ref.child_key)
        if child is None or any(c in child.hidden for c in ref.child_columns):
            continue
        values = [row.get(c) for c in ref.columns]
        if any(v is None for v in values):
            continue
        filters = tuple(
            FilterSpec(c, "eq", filter_text(v))
            for c, v in zip(ref.child_columns, values, strict=True)
        )
        query = ListQuery(filters=filters, size=RELATED_PAGE_SIZE)
        page = scoped_list_page(
            child, query, omit=frozenset(ref.child_columns), connection=connection
        )
        result.append(RelatedList(ref, filters, page))
    return result


def filter_text(value: Any) -> str:
    """A value as the list URL's filter text (``fv``) for equality."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
