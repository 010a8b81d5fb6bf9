"""A table's keys and writable columns, and the caller's row filter as WHERE terms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, and_

from app.access import TableAccess
from app.catalog.columns import ROWVERSION_TYPES, server_managed
from app.mssql_types import OpaqueSqlType


def rowversion_column(table: Table) -> Column | None:
    """The table's rowversion column, if it has one."""
    for col in table.columns:
        if isinstance(col.type, ROWVERSION_TYPES):
            return col
    return None


def editable_columns(
    table: Table, hidden: Iterable[str] = (), *, creating: bool = False
) -> list[Column]:
    """Columns a caller may set: not server-managed, not hidden; PK only on create."""
    hidden = set(hidden)
    return [
        col
        for col in table.columns
        if col.name not in hidden
        and not server_managed(col)
        and not isinstance(col.type, OpaqueSqlType)  # CLR types: read as text only
        and (creating or not col.primary_key)
    ]


def pk_columns(table: Table) -> list[Column]:
    """The primary key columns, in key order."""
    return list(table.primary_key.columns)


def pk_of(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """The primary key values of ``row`` by column name, in key order."""
    return {c.name: row[c.name] for c in pk_columns(table)}


def pk_clause(table: Table, pk: Mapping[str, Any]) -> ColumnElement[bool]:
    """``pk1 = :v1 AND pk2 = :v2``."""
    return and_(*(c == pk[c.name] for c in pk_columns(table)))


def row_filter_terms(
    access: TableAccess, action: str = "read"
) -> list[ColumnElement[bool]]:
    """The row filter for ``action`` as WHERE terms (read filter AND action's own)."""
    where = access.filter_for(action) if hasattr(access, "filter_for") else None
    if where is None and action == "read":
        where = access.row_filter
    return [where] if where is not None else []


def table_key(table: Table) -> str:
    """Logical ``schema.table``."""
    return f"{table.schema or 'dbo'}.{table.name}"
