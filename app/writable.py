"""The caller's scope for a change (create, update, delete, import) to a table.

Shared by the edit and imports blueprints so that neither imports the other.
"""

from __future__ import annotations

from flask import g

from app.catalog import get_catalog
from app.data.scope import Scope, open_scope
from app.errors import AppError
from app.pages.links import read_only_reason


def open_for(schema: str, table: str, action: str) -> Scope:
    """The caller's scope for ``action``; 403 with the reason on read-only tables."""
    scope = open_scope(g.identity, get_catalog(), f"{schema}.{table}", action)
    reason = read_only_reason(scope.info)
    if reason:
        raise AppError(403, "Read-only table", reason)
    return scope
