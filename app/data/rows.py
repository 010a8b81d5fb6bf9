"""One row by its key, and the rows of other tables that point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.catalog import Catalog, ColumnInfo, ReferenceInfo
from app.data.labels import LabelSet, fk_labels, label_text
from app.data.listing import ListPage, scoped_list_page
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
    not exist or is outside the caller's row filter."""
    scope = open_scope(identity, catalog, key, "read")
    info = scope.info
    if not info.primary_key:
        raise _not_found(scope)
    pk_columns = [info.columns[n] for n in info.primary_key]
    try:
        key_values = decode_row_key(pk_columns, row_key)
    except BadValue:
        raise _not_found(scope) from None
    table = scope.table
    columns = scope.visible
    stmt = select(*(table.c[c.name] for c in columns)).where(
        *(table.c[c.name] == v for c, v in zip(pk_columns, key_values, strict=True))
    )
    if scope.row_filter is not None:
        stmt = stmt.where(scope.row_filter)
    row = db.session.execute(stmt).first()
    if row is None:
        raise _not_found(scope)
    values = tuple(row)
    by_name = dict(zip((c.name for c in columns), values, strict=True))
    title = label_text(
        [by_name.get(n) for n in info.label_columns if n in by_name]
    ) or ", ".join(str(v) for v in key_values)
    detail = RowDetail(
        scope=scope,
        columns=columns,
        values=values,
        labels=fk_labels(scope, columns, [values]),
        row_key=encode_row_key(key_values),
        title=title,
    )
    if with_related:
        full = _full_row(scope, pk_columns, key_values)
        detail.related = related_lists(scope, full)
    return detail


def _full_row(scope: Scope, pk_columns, key_values) -> dict[str, Any]:
    """Every column of the row, for matching referencing keys (never rendered)."""
    table = scope.table
    stmt = select(table).where(
        *(table.c[c.name] == v for c, v in zip(pk_columns, key_values, strict=True))
    )
    row = db.session.execute(stmt).mappings().first()
    return dict(row) if row else {}


def related_lists(scope: Scope, row: dict[str, Any]) -> list[RelatedList]:
    """The first rows of each readable table that points at ``row``."""
    result = []
    for ref in scope.info.referenced_by:
        child = peek_scope(scope.identity, scope.catalog, ref.child_key)
        if child is None or any(c in child.hidden for c in ref.child_columns):
            continue
        values = [row.get(c) for c in ref.columns]
        if any(v is None for v in values):
            continue
        filters = tuple(
            FilterSpec(c, "eq", _filter_text(v))
            for c, v in zip(ref.child_columns, values, strict=True)
        )
        query = ListQuery(filters=filters, size=RELATED_PAGE_SIZE)
        page = scoped_list_page(child, query, omit=frozenset(ref.child_columns))
        result.append(RelatedList(ref, filters, page))
    return result


def _filter_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
