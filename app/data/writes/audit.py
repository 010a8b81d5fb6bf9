"""Audit rows (``tablefront.audit_log``), written in the write's own transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert

from app.catalog.columns import ROWVERSION_TYPES
from app.data.writes.json_values import dumps, row_key
from app.data.writes.keys import table_key
from app.extensions import db
from app.logs import current_request_id
from app.models.audit import AuditLog


def audit_entry(
    table: Table,
    pk: Mapping[str, Any],
    action: str,
    actor: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """One audit_log row as parameters (same shape for executemany in imports)."""
    return {
        "user_login": actor,
        "request_id": current_request_id(),
        "table_name": table_key(table),
        "row_key": row_key(table, pk),
        "action": action,
        "old_values": dumps(old) if old else None,
        "new_values": dumps(new) if new else None,
    }


_AUDIT_INSERT = insert(AuditLog.__table__)  # built once: only the values change


def write_audit(entries: Sequence[dict[str, Any]]) -> None:
    """Insert audit rows in the current transaction (executemany when several)."""
    if entries:
        db.session.execute(_AUDIT_INSERT, list(entries))


# The parameters of one audit row for write_audit_rows, in this order.
AUDIT_FIELDS = (
    "user_login",
    "request_id",
    "table_name",
    "row_key",
    "action",
    "old_values",
    "new_values",
)


def insert_rows(table: Table, names: Sequence[str], rows: Sequence[tuple]) -> None:
    """executemany ``INSERT INTO table (names)`` of ``rows`` (tuples in ``names``
    order) in the session's transaction, with bound parameters (fast_executemany on
    SQL Server, insertmanyvalues elsewhere): one path for every backend."""
    if rows:
        db.session.execute(
            insert(table), [dict(zip(names, row, strict=True)) for row in rows]
        )


def write_audit_rows(rows: Sequence[tuple]) -> None:
    """Insert audit rows given as tuples in AUDIT_FIELDS order (bulk: imports)."""
    insert_rows(AuditLog.__table__, AUDIT_FIELDS, rows)


def changed(
    before: Mapping[str, Any], after: Mapping[str, Any], names: Iterable[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(old, new) values of the ``names`` that ``after`` changes."""
    old, new = {}, {}
    for name in names:
        if name in after and before.get(name) != after.get(name):
            old[name] = before.get(name)
            new[name] = after[name]
    return old, new


def audit_columns(table: Table) -> list[str]:
    """Columns worth recording (not rowversion: it is noise)."""
    return [c.name for c in table.columns if not isinstance(c.type, ROWVERSION_TYPES)]
