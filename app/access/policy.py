"""Access decisions for one identity on one table.

INTERIM: until the access-settings issue lands, every signed-in identity may read and
export every table and nothing else. The interface below is the contract the data
layer and the views build on; the real policy replaces only the body of
``table_access``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Table
from sqlalchemy.sql.elements import ColumnElement

from app.errors import AppError
from app.identity import Identity

ACTIONS = ("read", "create", "update", "delete", "export", "import")


@dataclass(frozen=True)
class TableAccess:
    """What one identity may do on one table."""

    table_key: str  # logical "schema.table"
    actions: frozenset[str] = frozenset()
    hidden_columns: frozenset[str] = frozenset()
    row_filter: ColumnElement[bool] | None = None  # rows outside it do not exist
    reasons: dict[str, str] = field(default_factory=dict, compare=False)

    def allows(self, action: str) -> bool:
        return action in self.actions


def table_access(identity: Identity | None, table: Table) -> TableAccess:
    """The caller's access to ``table`` (default deny without an identity)."""
    key = table.fullname
    if identity is None:
        return TableAccess(key)
    return TableAccess(key, actions=frozenset({"read", "export"}))


def require(identity: Identity | None, table: Table, action: str) -> TableAccess:
    """Return the access for ``action`` or raise: 404 if the table is invisible to
    the caller (no read), 403 if it is visible but the action is not granted."""
    access = table_access(identity, table)
    if not access.allows("read"):
        raise AppError(404)
    if not access.allows(action):
        raise AppError(403, detail=f"You may not {action} rows of {access.table_key}.")
    return access
