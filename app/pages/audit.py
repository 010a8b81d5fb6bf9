"""The audit pages' views: a row's history and the /audit log, as plain values."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.catalog import Catalog, TableInfo
from app.data.audit_queries import AuditEntry, AuditFilters
from app.data.scope import Scope
from app.data.writes import python_value
from app.pages.links import detail_url
from app.pages.listing import TableHeading


@dataclass(frozen=True)
class ChangeView:
    """One changed field: its column name and label, old and new value."""

    name: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class EntryView:
    """One audit entry; ``row_url`` is the row's detail page while it exists and
    the reader may read it, else empty."""

    audit_id: int
    changed_at: dt.datetime
    user_login: str
    request_id: str
    action: str
    table_key: str
    table_label: str
    key_text: str
    changes: list[ChangeView]
    row_url: str = ""


@dataclass(frozen=True)
class HistoryView:
    """One row's history page."""

    table: TableHeading
    name: str  # "Asset 1 · LT-0001"
    row_url: str
    entries: list[EntryView]


@dataclass(frozen=True)
class AuditLogView:
    """The /audit page: filters, one page of entries, the link to older ones."""

    filters: AuditFilters
    table_choices: list[tuple[str, str]]
    entries: list[EntryView]
    next_url: str = ""
    filtered: bool = field(default=False)


def column_labels(info: TableInfo, hidden: Iterable[str]) -> dict[str, str]:
    """Column name -> label for the columns the reader may see (catalog labels)."""
    hidden = frozenset(hidden)
    return {n: c.label for n, c in info.columns.items() if n not in hidden}


def key_text(row_key: str, labels: Mapping[str, str]) -> str:
    """An audit row key (JSON of the primary key) as ``Label: value`` pairs, hidden
    key columns left out; the raw text when it is not such JSON."""
    try:
        values: Any = json.loads(row_key)
    except ValueError:
        return row_key
    if not isinstance(values, dict):
        return row_key
    shown = [f"{labels[n]}: {v}" for n, v in values.items() if n in labels]
    return ", ".join(shown) or "—"


def row_url(scope: Scope, row_key: str) -> str:
    """The detail page of the row an audit key names ("" when a key column is
    hidden from the reader or the key cannot be read)."""
    names = scope.info.primary_key
    if not names or any(n in scope.hidden for n in names):
        return ""
    try:
        values = json.loads(row_key)
        pk = {n: python_value(scope.table.c[n], values[n]) for n in names}
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""
    return detail_url(scope.info, pk)


def entry_view(
    entry: AuditEntry, info: TableInfo | None, labels: Mapping[str, str], url: str = ""
) -> EntryView:
    """One entry with its columns and key named by the reader's labels."""
    return EntryView(
        audit_id=entry.audit_id,
        changed_at=entry.changed_at,
        user_login=entry.user_login,
        request_id=entry.request_id or "",
        action=entry.action,
        table_key=entry.table_name,
        table_label=info.label if info else entry.table_name,
        key_text=key_text(entry.row_key, labels) if info else entry.row_key,
        changes=[
            ChangeView(name, labels.get(name, name), old, new)
            for name, old, new in entry.changes
        ],
        row_url=url,
    )


def history_view(
    scope: Scope, name: str, url: str, entries: Sequence[AuditEntry]
) -> HistoryView:
    """The history page of one row (``name``, at ``url``) for ``scope``'s reader."""
    labels = column_labels(scope.info, scope.hidden)
    return HistoryView(
        table=TableHeading.of(scope.info),
        name=name,
        row_url=url,
        entries=[entry_view(e, scope.info, labels) for e in entries],
    )


def audit_log_view(
    catalog: Catalog,
    filters: AuditFilters,
    entries: Sequence[AuditEntry],
    scopes: Mapping[str, Scope],
    existing: set[tuple[str, str]],
    next_url: str = "",
) -> AuditLogView:
    """The /audit page; rows in ``existing`` (still there, readable) are linked."""
    views = []
    for entry in entries:
        info = catalog.get(entry.table_name)
        scope = scopes.get(entry.table_name)
        labels = column_labels(info, scope.hidden if scope else ()) if info else {}
        url = ""
        if scope is not None and (entry.table_name, entry.row_key) in existing:
            url = row_url(scope, entry.row_key)
        views.append(entry_view(entry, info, labels, url))
    choices = [(key, _table_choice(catalog.get(key))) for key in sorted(catalog.tables)]
    filtered = bool(filters.user or filters.table or filters.since or filters.until)
    return AuditLogView(filters, choices, views, next_url, filtered)


def _table_choice(info: TableInfo) -> str:
    """ "Employees (hr.employees)" for the table filter; the key alone if unlabelled."""
    return info.key if info.label == info.key else f"{info.label} ({info.key})"
