"""History of one row and the /audit page, both through the access policy."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, g, render_template, request, url_for
from sqlalchemy import Table

from app.access import policy as access_policy
from app.catalog import TableInfo, get_catalog
from app.catalog.parse import BadValue, parse_date, parse_whole
from app.catalog.ranges import INT_RANGES
from app.data import audit_queries
from app.data.scope import open_scope
from app.errors import AppError
from app.pages.links import detail_url, parse_key

bp = Blueprint("audit", __name__)
AUDIT_ID_MAX = INT_RANGES["BIGINT"][1]  # app.audit_log.audit_id is a BIGINT


def _access_for(table: Table):
    return access_policy.table_access(g.identity, table)


def column_labels(info: TableInfo, hidden: frozenset[str]) -> dict[str, str]:
    """Column name -> label for the columns the reader may see (catalog labels)."""
    return {n: c.label for n, c in info.columns.items() if n not in hidden}


def key_text(row_key: str, labels: dict[str, str]) -> str:
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


@bp.get("/t/<schema>/<table>/<row_key>/history")
def history(schema: str, table: str, row_key: str):
    """Every recorded change of one row the caller may read, newest first."""
    scope = open_scope(g.identity, get_catalog(), f"{schema}.{table}", "read")
    if not scope.info.primary_key:
        raise AppError(404, detail="Rows of this table have no history (no key).")
    pk = parse_key(scope, row_key)
    entries = audit_queries.row_history(
        scope.table, scope.info.key, scope.access, frozenset(scope.hidden), pk
    )
    if entries is None:
        raise AppError(404, detail=f"There is no such row in {scope.info.label}.")
    labels = column_labels(scope.info, frozenset(scope.hidden))
    return render_template(
        "audit/history.html",
        info=scope.info,
        entries=entries,
        labels=labels,
        detail_url=detail_url(scope.info, pk),
    )


def _date(name: str) -> dt.date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw)
    except BadValue:
        raise AppError(
            400, "Bad date", f"{name} must be a date like 2026-01-31, got {raw!r}."
        ) from None


def _before(raw: str) -> int | None:
    """The page position (an audit id) from the URL; 400 when it cannot be one."""
    if not raw.strip():
        return None
    try:
        return parse_whole(raw, 1, AUDIT_ID_MAX)
    except BadValue:
        raise AppError(
            400, "Bad page", "The page link is malformed; start again."
        ) from None


def _table_choice(info) -> str:
    """ "Employees (hr.employees)" for the table filter; the key alone if unlabelled."""
    return info.key if info.label == info.key else f"{info.label} ({info.key})"


@bp.get("/audit")
def index():
    """The audit log for the admin role: filter by user, table and date; paged."""
    if not access_policy.is_admin(g.identity):
        raise AppError(403, detail="Only administrators may read the audit log.")
    catalog = get_catalog()
    tables = {key: info.table for key, info in catalog.tables.items()}
    before = _before(request.args.get("before", ""))
    table = request.args.get("table", "").strip()
    if table and table not in tables:
        raise AppError(400, "Unknown table", f"There is no table {table!r}.")
    filters = audit_queries.AuditFilters(
        user=request.args.get("user", "").strip().upper(),
        table=table,
        since=_date("since"),
        until=_date("until"),
        before=before,
    )

    hidden_of: dict[str, frozenset[str]] = {}

    def hidden_for(name: str) -> frozenset[str]:
        if name not in hidden_of:
            info = catalog.get(name)
            if info is None:
                hidden_of[name] = frozenset()
            else:
                settings_hidden = {n for n, c in info.columns.items() if c.hidden}
                access_hidden = _access_for(info.table).hidden_columns
                hidden_of[name] = frozenset(access_hidden) | settings_hidden
        return hidden_of[name]

    page = audit_queries.audit_page(filters, tables, _access_for, hidden_for)
    rows = []
    for entry in page.entries:
        info = catalog.get(entry.table_name)
        labels = column_labels(info, hidden_for(entry.table_name)) if info else {}
        rows.append(
            {
                "entry": entry,
                "labels": labels,
                "table_label": info.label if info else entry.table_name,
                "key": key_text(entry.row_key, labels) if info else entry.row_key,
            }
        )
    next_url = None
    if page.next_before is not None:
        args = {k: v for k, v in request.args.items() if k != "before"}
        next_url = url_for("audit.index", before=page.next_before, **args)
    return render_template(
        "audit/index.html",
        page=page,
        rows=rows,
        filters=filters,
        table_choices=[
            (key, _table_choice(catalog.get(key))) for key in sorted(tables)
        ],
        next_url=next_url,
    )
