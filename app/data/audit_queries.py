"""Reading the audit log as the access policy allows.

- A row's history is shown only while the row is visible to the reader (read
  filter); the history of a deleted row is on the admin's /audit page only.
- /audit (admin role) leaves out entries of tables the reader may not read and of
  rows outside the reader's read filter (rows deleted since are then left out too:
  safe rather than leaky), and strips columns hidden from the reader from the old and
  new values everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select

from app.access import TableAccess
from app.data.parameters import chunked, keys_per_statement
from app.data.writes import pk_clause, python_value, row_key
from app.extensions import db
from app.models.audit import AuditLog

AUDIT = AuditLog.__table__
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditEntry:
    """One audit row, values already stripped of hidden columns."""

    audit_id: int
    changed_at: dt.datetime
    user_login: str
    request_id: str | None
    table_name: str
    row_key: str
    action: str
    changes: list[tuple[str, Any, Any]]  # (column, old, new)


def _values(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def to_entry(row: Mapping[str, Any], hidden: frozenset[str]) -> AuditEntry:
    """An audit row with the reader's hidden columns removed."""
    old, new = _values(row["old_values"]), _values(row["new_values"])
    names = [n for n in dict.fromkeys([*old, *new]) if n not in hidden]
    return AuditEntry(
        audit_id=row["audit_id"],
        changed_at=row["changed_at"],
        user_login=row["user_login"],
        request_id=row["request_id"],
        table_name=row["table_name"],
        row_key=row["row_key"],
        action=row["action"],
        changes=[(n, old.get(n), new.get(n)) for n in names],
    )


def row_history(
    table: Table,
    table_name: str,
    access: TableAccess,
    hidden: frozenset[str],
    pk: Mapping[str, Any],
    limit: int = 200,
) -> list[AuditEntry] | None:
    """The newest ``limit`` changes of one row, or None if the row is not visible."""
    visible = select(table.c[next(iter(pk))]).where(pk_clause(table, pk))
    if access.row_filter is not None:
        visible = visible.where(access.row_filter)
    if db.session.execute(visible.limit(1)).first() is None:
        return None
    stmt = (
        select(AUDIT)
        .where(AUDIT.c.table_name == table_name, AUDIT.c.row_key == row_key(table, pk))
        .order_by(AUDIT.c.audit_id.desc())
        .limit(limit)
    )
    return [to_entry(r, hidden) for r in db.session.execute(stmt).mappings()]


@dataclass(frozen=True)
class AuditFilters:
    """The /audit page's filters (already validated by the view)."""

    user: str = ""
    table: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    before: int | None = None  # keyset: entries with audit_id < before


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_before: int | None


def audit_page(
    filters: AuditFilters,
    tables: Mapping[str, Table],
    access_for: Callable[[Table], TableAccess],
    hidden_for: Callable[[str], frozenset[str]],
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the audit log, newest first, as the reader may see it."""
    stmt = select(AUDIT)
    if filters.user:
        stmt = stmt.where(AUDIT.c.user_login == filters.user)
    if filters.table:
        stmt = stmt.where(AUDIT.c.table_name == filters.table)
    if filters.since:
        stmt = stmt.where(
            AUDIT.c.changed_at >= dt.datetime.combine(filters.since, dt.time())
        )
    if filters.until and filters.until < dt.date.max:  # else: no day after it
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time())
        stmt = stmt.where(AUDIT.c.changed_at < end)
    readable = {k: t for k, t in tables.items() if access_for(t).allows("read")}
    stmt = stmt.where(AUDIT.c.table_name.in_(sorted(readable) or [""]))
    if filters.before is not None:
        stmt = stmt.where(AUDIT.c.audit_id < filters.before)
    stmt = stmt.order_by(AUDIT.c.audit_id.desc()).limit(page_size + 1)
    rows = list(db.session.execute(stmt).mappings())
    more = len(rows) > page_size
    rows = rows[:page_size]
    allowed = _visible_keys(rows, readable, access_for)
    entries = [
        to_entry(r, hidden_for(r["table_name"]))
        for r in rows
        if (r["table_name"], r["row_key"]) in allowed
    ]
    next_before = rows[-1]["audit_id"] if more and rows else None
    return AuditPage(entries, next_before)


def _visible_keys(
    rows: Sequence[Mapping[str, Any]],
    tables: Mapping[str, Table],
    access_for: Callable[[Table], TableAccess],
) -> set[tuple[str, str]]:
    """(table, row_key) pairs whose row the reader may currently read."""
    allowed: set[tuple[str, str]] = set()
    by_table: dict[str, set[str]] = {}
    for r in rows:
        by_table.setdefault(r["table_name"], set()).add(r["row_key"])
    for name, keys in by_table.items():
        table = tables[name]
        access = access_for(table)
        if access.row_filter is None:
            allowed |= {(name, k) for k in keys}
            continue
        allowed |= {(name, k) for k in existing_keys(table, keys, access.row_filter)}
    return allowed


def existing_keys(
    table: Table, keys: Iterable[str], row_filter: ColumnElement[bool] | None = None
) -> set[str]:
    """Which audit row keys (JSON of the primary key) name a row that exists now,
    inside ``row_filter`` when given; keys that are not such JSON are left out."""
    pk_cols = list(table.primary_key.columns)
    conditions = []
    for key in keys:
        try:
            values = json.loads(key)
            conditions.append(
                and_(*(c == python_value(c, values[c.name]) for c in pk_cols))
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    found: set[str] = set()
    where = [row_filter] if row_filter is not None else []
    size = keys_per_statement(len(pk_cols), *where)
    for chunk in chunked(conditions, size):
        stmt = select(*pk_cols).where(or_(*chunk), *where)
        for row in db.session.execute(stmt).mappings():
            found.add(row_key(table, dict(row)))
    return found


def existing_rows(
    entries: Sequence[AuditEntry], scopes: Mapping[str, Any]
) -> set[tuple[str, str]]:
    """(table, row_key) of the entries whose row still exists for the reader:
    ``scopes`` maps a table key to the reader's Scope on it (absent: unreadable)."""
    by_table: dict[str, set[str]] = {}
    for entry in entries:
        if entry.table_name in scopes:
            by_table.setdefault(entry.table_name, set()).add(entry.row_key)
    found: set[tuple[str, str]] = set()
    for name, keys in by_table.items():
        scope = scopes[name]
        existing = existing_keys(scope.table, keys, scope.row_filter)
        found |= {(name, key) for key in existing}
    return found
