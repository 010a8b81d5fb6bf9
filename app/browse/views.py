"""Browse views: parse the URL, call app.data, render. No SQL here."""

from __future__ import annotations

import logging
from dataclasses import replace
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from app.browse import column_choice
from app.browse.params import parse_list_args
from app.catalog import get_catalog
from app.data import (
    FORMATS,
    csv_chunks,
    export_size,
    get_row,
    list_page,
    open_scope,
    peek_scope,
    prepare_export,
    xlsx_chunks,
)
from app.data.lookups import reference_lookup
from app.errors import AppError, wants_json
from app.pages import as_json
from app.pages.detail import detail_view
from app.pages.links import state_pairs, with_query
from app.pages.listing import TableLink, is_plain_day, list_view
from app.pages.table_body import table_body
from app.urls import fixed_url

log = logging.getLogger(__name__)

bp = Blueprint("browse", __name__, url_prefix="/t")
bp.add_app_template_global(table_body, "table_body_html")  # see app.pages.table_body
bp.add_app_template_test(is_plain_day, "matching_day")  # date filters' values


def _key(schema: str, table: str) -> str:
    return f"{schema}.{table}"


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _table_links(info) -> list[TableLink]:
    """Links between a system-versioned table and its history table, where the
    caller may read the other one."""
    links = []
    for key, label, testid in (
        (info.history_key, "History (past versions of rows)", "history-table-link"),
        (info.history_of, "Current rows", "history-of-link"),
    ):
        if key and peek_scope(g.identity, get_catalog(), key) is not None:
            schema, name = key.split(".", 1)
            url = fixed_url("browse.index", schema=schema, table=name)
            links.append(TableLink(label, url, testid, key))
    return links


def _list(schema: str, table: str, chosen: tuple[str, ...] | None = None):
    query, filter_rows = parse_list_args(request.args)
    if chosen is None:
        cookie = request.cookies.get(column_choice.COOKIE)
        chosen = column_choice.saved_choice(cookie, g.identity, _key(schema, table))
    query = replace(query, columns=chosen)
    page = list_page(g.identity, get_catalog(), _key(schema, table), query)
    links = _table_links(page.scope.info)
    return list_view(page, query, filter_rows, request.script_root, links)


@bp.get("/<schema>/<table>")
def index(schema: str, table: str):
    """A table's rows: search, filters, sort, keyset pages; htmx gets the partial."""
    chosen = column_choice.sent_choice(request.args)
    if wants_json():
        return jsonify(as_json(_list(schema, table, chosen)))
    if chosen is not None:
        return _remember_columns(schema, table, chosen)
    if not _is_htmx():
        response = Response(
            render_template("browse/list.html", view=_list(schema, table))
        )
    else:
        try:
            view = _list(schema, table)
        except AppError as error:
            if error.status != 400:
                raise
            # htmx 2 swaps only 2xx responses: the problem is sent as 200 and
            # retargeted at the problem box; full pages still get the 400.
            response = Response(render_template("browse/_problem.html", error=error))
            response.headers["X-Tablefront-Status"] = str(error.status)
            response.headers["HX-Retarget"] = "#list-problem"
            response.headers["HX-Reswap"] = "innerHTML"
            return response
        response = Response(render_template("browse/_results.html", view=view))
    response.headers["Vary"] = "HX-Request, Accept"
    return response


def _remember_columns(schema: str, table: str, chosen: tuple[str, ...]) -> Response:
    """Keep the Columns menu's choice in the table's cookie; back to the list."""
    open_scope(g.identity, get_catalog(), _key(schema, table), "read")  # 404 else
    query, _rows = parse_list_args(request.args)
    path = fixed_url("browse.index", schema=schema, table=table)
    response = redirect(with_query(path, state_pairs(query)), 303)
    if chosen:
        value = column_choice.cookie_value(g.identity, _key(schema, table), chosen)
        response.set_cookie(
            column_choice.COOKIE,
            value,
            max_age=column_choice.MAX_AGE,
            path=path,
            secure=bool(
                current_app.config.get("SESSION_COOKIE_SECURE") or request.is_secure
            ),
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(column_choice.COOKIE, path=path)
    return response


@bp.get("/<schema>/<table>/-/filter-lookup/<column>")
def filter_lookup(schema: str, table: str, column: str):
    """A foreign-key filter's value by label: the forms' lookup, as <option>s."""
    catalog = get_catalog()
    scope = open_scope(g.identity, catalog, _key(schema, table), "read")
    col = scope.info.columns.get(column)
    if col is None or col.fk is None or column in scope.hidden:
        raise AppError(404, detail=f"There is no foreign key {column!r} here.")
    target = peek_scope(g.identity, catalog, col.fk.ref_key)
    matches = []
    if target is not None:
        matches = reference_lookup(
            target.table,
            col.fk.ref_columns[0],
            target.info.label_columns,
            target.access,
            request.args.get("q", ""),
        )
    return render_template("browse/_lookup_options.html", matches=matches)


@bp.get("/<schema>/<table>/<row_key>")
def detail(schema: str, table: str, row_key: str):
    """One row: every field, links along foreign keys, rows that point here."""
    row = get_row(g.identity, get_catalog(), _key(schema, table), row_key)
    view = detail_view(row, request.script_root)
    if wants_json():
        return jsonify(as_json(view))
    return render_template("browse/detail.html", view=view)


@bp.get("/<schema>/<table>/<row_key>/-/download/<column>")
def download(schema: str, table: str, row_key: str, column: str):
    """A binary value of one row, as a file: the detail page's access check."""
    row = get_row(
        g.identity, get_catalog(), _key(schema, table), row_key, with_related=False
    )
    # Only the columns the detail page shows: hidden ones are not in row.columns.
    found = [
        (info, value)
        for info, value in zip(row.columns, row.values, strict=True)
        if info.name == column and info.kind == "binary"
    ]
    if not found:
        raise AppError(404, detail=f"There is no binary column {column!r} here.")
    info, value = found[0]
    if value is None:
        raise AppError(404, detail=f"{info.label} has no value in this row.")
    name = f"{row.scope.info.name}.{row_key}.{column}.bin"
    response = Response(bytes(value), mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(name)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<schema>/<table>/-/export.<fmt>")
def export(schema: str, table: str, fmt: str):
    """The current list (filters, search, sort) as CSV or XLSX, streamed."""
    if fmt not in FORMATS:
        raise AppError(404, detail=f"There is no export format {fmt!r}.")
    query, _rows = parse_list_args(request.args)
    plan, confirm_rows = prepare_export(
        g.identity, get_catalog(), _key(schema, table), query
    )
    if request.args.get("confirm") != "1":
        size = export_size(plan, confirm_rows)
        if size.capped:
            limit_count = export_size(plan, plan.max_rows)
            confirm_url = with_query(
                request.base_url,
                [*state_pairs(query, size=False), ("confirm", "1")],
            )
            return render_template(
                "browse/export_confirm.html",
                info=plan.scope.info,
                fmt=fmt,
                size=size,
                limit_count=limit_count,
                max_rows=plan.max_rows,
                confirm_url=confirm_url,
                back_url=with_query(
                    url_for("browse.index", schema=schema, table=table),
                    state_pairs(query),
                ),
            )
    chunks = csv_chunks(plan) if fmt == "csv" else xlsx_chunks(plan)
    filename = f"{plan.scope.info.schema}.{plan.scope.info.name}.{fmt}"
    log.info(
        "export %s of %s by %s",
        fmt,
        plan.scope.info.key,
        getattr(g.identity, "login", "-"),
    )
    response = Response(stream_with_context(chunks), mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
