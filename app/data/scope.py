"""A table as one caller sees it: the access decision applied to the catalog entry.

Every data-layer function starts here, so the row filter and hidden columns of
``app.access`` reach every query: list, count, search, labels, detail, export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Table
from sqlalchemy.sql.elements import ColumnElement

from app.access import TableAccess, require, table_access
from app.catalog import Catalog, ColumnInfo, TableInfo
from app.errors import AppError
from app.identity import Identity


@dataclass
class Scope:
    """One table, one caller: what may be seen and which rows exist."""

    info: TableInfo
    access: TableAccess
    identity: Identity | None
    catalog: Catalog
    hidden: frozenset[str] = field(default_factory=frozenset)

    @property
    def table(self) -> Table:
        return self.info.table

    @property
    def visible(self) -> list[ColumnInfo]:
        return [c for c in self.info.columns.values() if c.name not in self.hidden]

    @property
    def listed(self) -> list[ColumnInfo]:
        """The list page's columns: the table's ``list_columns`` (in that order)
        that the caller may see, else every visible column."""
        names = self.info.list_columns
        if not names:
            return self.visible
        columns = self.info.columns
        return [columns[n] for n in names if n not in self.hidden]

    @property
    def row_filter(self) -> ColumnElement[bool] | None:
        return self.access.row_filter

    def column(self, name: str, purpose: str = "column") -> ColumnInfo:
        """A visible column, or a 400 that does not reveal whether it exists."""
        info = self.info.columns.get(name)
        if info is None or name in self.hidden:
            raise AppError(
                400,
                "Unknown column",
                f"There is no {purpose} {name!r} in {self.info.label}.",
            )
        return info

    def can(self, action: str) -> bool:
        return self.access.allows(action)

    @property
    def actor(self) -> str:
        """The login a write is audited under ("" for no caller)."""
        return self.identity.login if self.identity is not None else ""

    @property
    def labels(self) -> dict[str, str]:
        """Labels of the columns the caller sees, for messages about this table's
        columns: a message never names a hidden one."""
        return {
            n: c.label for n, c in self.info.columns.items() if n not in self.hidden
        }

    def access_for(self, table: Table) -> TableAccess:
        """The same caller's access to another table (foreign keys, referrers)."""
        return table_access(self.identity, table)


def open_scope(
    identity: Identity | None, catalog: Catalog, key: str, action: str = "read"
) -> Scope:
    """The caller's scope on table ``key``: 404 if unknown or unreadable, 403 if
    the action is not granted."""
    info = catalog.get(key)
    # An unreadable table answers exactly like a missing one: no probing for names.
    if info is None or not table_access(identity, info.table).allows("read"):
        raise AppError(404, detail=f"There is no table {key!r} here.")
    access = require(identity, info.table, action)
    return _scope(identity, catalog, info, access)


def peek_scope(identity: Identity | None, catalog: Catalog, key: str) -> Scope | None:
    """The caller's scope on ``key`` if it is readable, else None (never raises)."""
    info = catalog.get(key)
    if info is None:
        return None
    access = table_access(identity, info.table)
    if not access.allows("read"):
        return None
    return _scope(identity, catalog, info, access)


def _scope(
    identity: Identity | None, catalog: Catalog, info: TableInfo, access: TableAccess
) -> Scope:
    hidden = frozenset(access.hidden_columns) | frozenset(
        n for n, c in info.columns.items() if c.hidden
    )
    return Scope(info, access, identity, catalog, hidden)
