"""History of one row and the /audit page, both through the access policy."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, render_template, request, url_for
from sqlalchemy import Table

from app.access import policy as access_policy
from app.catalog import get_catalog
from app.catalog.parse import BadValue, parse_date, parse_whole
from app.catalog.ranges import INT_RANGES
from app.data import audit_queries, writes
from app.data.scope import open_scope, peek_scope
from app.errors import AppError
from app.pages import audit as audit_pages
from app.pages.delete import row_name_of
from app.pages.links import detail_url, parse_key

bp = Blueprint("audit", __name__)
AUDIT_ID_MAX = INT_RANGES["BIGINT"][1]  # app.audit_log.audit_id is a BIGINT


def _access_for(table: Table):
    return access_policy.table_access(g.identity, table)


@bp.get("/t/<schema>/<table>/<row_key>/history")
def history(schema: str, table: str, row_key: str):
    """Every recorded change of one row the caller may read, newest first."""
    scope = open_scope(g.identity, get_catalog(), f"{schema}.{table}", "read")
    if not scope.info.primary_key:
        raise AppError(404, detail="Rows of this table have no history (no key).")
    pk = parse_key(scope, row_key)
    row = writes.read(scope, pk)
    entries = audit_queries.row_history(
        scope.table, scope.info.key, scope.access, frozenset(scope.hidden), pk
    )
    if row is None or entries is None:
        raise AppError(404, detail=f"There is no such row in {scope.info.label}.")
    name = row_name_of(scope, pk, row)
    view = audit_pages.history_view(scope, name, detail_url(scope.info, pk), entries)
    return render_template("audit/history.html", view=view)


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

    scopes = {}
    for key in tables:
        scope = peek_scope(g.identity, catalog, key)
        if scope is not None:
            scopes[key] = scope

    def hidden_for(name: str) -> frozenset[str]:
        return scopes[name].hidden if name in scopes else frozenset()

    page = audit_queries.audit_page(filters, tables, _access_for, hidden_for)
    existing = audit_queries.existing_rows(page.entries, scopes)
    next_url = ""
    if page.next_before is not None:
        args = {k: v for k, v in request.args.items() if k != "before"}
        next_url = url_for("audit.index", before=page.next_before, **args)
    view = audit_pages.audit_log_view(
        catalog, filters, page.entries, scopes, existing, next_url
    )
    return render_template("audit/index.html", view=view)
