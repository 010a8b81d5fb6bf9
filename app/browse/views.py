"""Browse views: parse the URL, call app.data, render. No SQL here."""

from __future__ import annotations

import logging
from functools import cache
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    g,
    get_flashed_messages,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from markupsafe import Markup, escape

from app.browse.cells import formatter
from app.browse.markup import (
    breadcrumbs,
    detail_fields,
    filter_fields_maker,
    json_attribute,
    list_results,
    page_size_options,
    pager_items,
    results_table,
    table_head,
)
from app.browse.params import StateLinks, parse_list_args, state_pairs, with_query
from app.browse.row_markup import has_open_column, table_body
from app.catalog import get_catalog
from app.data import (
    FORMATS,
    OP_LABELS,
    PAGE_SIZES,
    csv_chunks,
    export_size,
    get_row,
    list_page,
    ops_for,
    peek_scope,
    prepare_export,
    xlsx_chunks,
)
from app.edit.views import row_actions
from app.errors import AppError
from app.frames import caller_shape, hole, kept
from app.urls import fixed_url

log = logging.getLogger(__name__)

bp = Blueprint("browse", __name__, url_prefix="/t")
bp.add_app_template_global(breadcrumbs, "breadcrumbs")


def _key(schema: str, table: str) -> str:
    return f"{schema}.{table}"


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _list_context(schema: str, table: str) -> dict:
    query, filter_rows = parse_list_args(request.args)
    page = list_page(g.identity, get_catalog(), _key(schema, table), query)
    scope = page.scope
    base = fixed_url("browse.index", schema=schema, table=table)
    keyed = bool(page.row_keys) and page.row_keys[0] is not None
    open_column = has_open_column(page.columns, keyed)
    body = table_body(
        page.columns,
        page.rows,
        page.labels,
        page.row_keys,
        base + "/",
        request.script_root,
    )
    sort = page.sort[0] if page.sort else None
    current_sort = ("-" if sort and sort.descending else "") + (
        sort.column.name if sort else ""
    )
    link = StateLinks(base, query)
    head, export_links = _head_and_exports(
        page, query, base, link, open_column, current_sort, schema, table
    )
    # Every visible column can be filtered on, listed or not.
    filterable = [(c, ops) for c in scope.visible if (ops := ops_for(c, scope))]
    links = {
        "first": link(),
        "last": link(page="last"),
        "next": link(page=page.next_token) if page.next_token else "",
        "prev": link(page=page.prev_token) if page.prev_token else "",
        "exact_count": link(page=query.page, extra="count=exact"),
    }
    pager = {
        "first": links["first"] if not page.is_first else "",
        "prev": links["prev"],
        "next": links["next"],
        "last": links["last"] if not page.is_last else "",
    }
    return {
        "page": page,
        "info": page.info,
        "query": query,
        "filter_rows": [
            (row, _without_filter(base, query, filter_rows, i))
            for i, row in enumerate(filter_rows)
        ],
        "table": results_table(head, body),
        "base": base,
        "search_labels": [
            page.info.columns[n].label
            for n in page.info.searchable
            if n not in scope.hidden
        ],
        "filter_fields": filter_fields_maker(filterable, OP_LABELS),
        "op_labels_json": _op_labels_json(),
        "page_size_options": page_size_options(PAGE_SIZES, page.size),
        "links": links,
        "pager_top": pager_items(pager, compact=True),
        "pager_bottom": pager_items(pager, compact=False),
        "export_links": export_links,
    }


# The header row (with its sort links) and the export links of a list: the same for
# every page of one table, caller's columns and list state (search, filters, sort,
# size), so kept per those. Column names and labels only, never row data.
_HEADS: dict[tuple, tuple] = {}
_HEADS_MAX = 1024


def _head_and_exports(
    page,
    query,
    base: str,
    link: StateLinks,
    open_column: bool,
    current_sort: str,
    schema: str,
    table: str,
) -> tuple[Markup, dict[str, str]]:
    can_export = page.scope.can("export")
    key = (
        id(page.info),
        base,
        query.q,
        query.search_mode,
        query.filters,
        query.sort,
        query.size,
        current_sort,
        tuple(c.name for c in page.columns),
        open_column,
        can_export,
    )
    found = _HEADS.get(key)
    if found is not None and found[0] is page.info:
        return found[1], found[2]
    sort_links = {}
    for column in page.columns:
        if not column.sortable:  # binary, xml, CLR types: the header says why
            continue
        target = "-" + column.name if current_sort == column.name else column.name
        sort_links[column.name] = link(sort=target)
    export_links = {}
    if can_export:
        for fmt in FORMATS:
            export = fixed_url("browse.export", schema=schema, table=table, fmt=fmt)
            export_links[fmt] = StateLinks(export, query)(size=False)
    head = table_head(page.columns, open_column, sort_links, current_sort)
    if len(_HEADS) >= _HEADS_MAX:
        _HEADS.clear()
    _HEADS[key] = (page.info, head, export_links)
    return head, export_links


@cache
def _op_labels_json() -> Markup:
    return json_attribute(OP_LABELS)


def _without_filter(base: str, query, rows, index: int) -> str:
    """The list URL with filter row ``index`` removed (the others kept)."""
    pairs = [p for p in state_pairs(query) if p[0] not in {"fc", "fo", "fv"}]
    for i, row in enumerate(rows):
        if i != index:
            pairs += [("fc", row.column), ("fo", row.op), ("fv", row.value)]
    return with_query(base, pairs)


@bp.get("/<schema>/<table>")
def index(schema: str, table: str):
    """A table's rows: search, filters, sort, keyset pages; htmx gets the partial."""
    if _is_htmx():
        try:
            context = _list_context(schema, table)
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
        response = Response(list_results(**context))
    else:
        context = _list_context(schema, table)
        response = Response(_list_html(context))
    response.headers["Vary"] = "HX-Request"
    return response


# The full list page is a frame (app.frames; base.html and list.html: navigation,
# title, breadcrumbs, actions, search form) around two holes: the search box's value
# and the results (app.browse.markup.list_results). The frame depends only on the
# table, the caller (app.frames.caller_shape), their row actions, the searchable
# columns they see and the search mode.


def _list_html(context: dict) -> str:
    """The full list page: the kept frame with the search value and results in it."""
    info = context["info"]
    query = context["query"]
    actions = row_actions(info)
    flashes = get_flashed_messages(with_categories=True)
    key = (
        "list",
        id(info),
        caller_shape(),
        query.search_mode,
        tuple(context["search_labels"]),
        tuple((a["label"], a["url"], a["testid"]) for a in actions),
    )
    frame = kept(
        key,
        info,
        lambda: render_template(
            "browse/list.html",
            **context,
            search_value=hole("search"),
            results=hole("results"),
            row_actions_html=_row_actions_html(actions),
            temporal_links=_temporal_links(info),
        ),
        keep=not flashes,
        expect=frozenset({"search", "results"}),
    )
    return frame.fill(
        {"search": str(escape(query.q)), "results": list_results(**context)}
    )


def _temporal_links(info) -> list[dict[str, str]]:
    """Links between a system-versioned table and its history table, where the
    caller may read the other one (the frame is kept per caller shape)."""
    links = []
    for key, label, testid in (
        (info.history_key, "History (past versions of rows)", "history-table-link"),
        (info.history_of, "Current rows", "history-of-link"),
    ):
        if key and peek_scope(g.identity, get_catalog(), key) is not None:
            schema, name = key.split(".", 1)
            url = fixed_url("browse.index", schema=schema, table=name)
            links.append({"label": label, "url": url, "testid": testid, "key": key})
    return links


def _row_actions_html(actions: list[dict[str, str]]) -> Markup:
    """The table's action buttons, as edit/_row_actions.html writes them."""
    items = []
    for a in actions:
        kind = "danger" if a["testid"] == "action-delete" else "primary"
        items.append(
            f'\n  <a class="btn btn-sm btn-outline-{kind}" href="{escape(a["url"])}"'
            f' data-testid="{escape(a["testid"])}">{escape(a["label"])}</a>\n'
        )
    return Markup("\n" + "".join(items))


@bp.get("/<schema>/<table>/<row_key>")
def detail(schema: str, table: str, row_key: str):
    """One row: every field, links along foreign keys, rows that point here."""
    row = get_row(g.identity, get_catalog(), _key(schema, table), row_key)
    link_base = request.script_root
    labels = row.labels
    fields = [
        (c, formatter(c, labels.get(c.name), link_base, full=True)(v))
        for c, v in zip(row.columns, row.values, strict=True)
    ]
    related = []
    for item in row.related:
        child = item.page.info
        child_base = fixed_url("browse.index", schema=child.schema, table=child.name)
        pairs = []
        for f in item.filters:
            pairs += [("fc", f.column), ("fo", f.op), ("fv", f.value)]
        more = ""
        if item.page.next_token:
            more = with_query(child_base, [*pairs, ("page", item.page.next_token)])
        related.append(
            {
                "item": item,
                "info": child,
                "page": item.page,
                "table": results_table(
                    table_head(
                        item.page.columns,
                        has_open_column(
                            item.page.columns,
                            bool(item.page.row_keys)
                            and item.page.row_keys[0] is not None,
                        ),
                    ),
                    table_body(
                        item.page.columns,
                        item.page.rows,
                        item.page.labels,
                        item.page.row_keys,
                        child_base + "/",
                        link_base,
                    ),
                    "related-table",
                ),
                "all_link": with_query(child_base, pairs),
                "more_link": more,
                "via": ", ".join(
                    child.columns[c].label for c in item.reference.child_columns
                ),
            }
        )
    info = row.scope.info
    return render_template(
        "browse/detail.html",
        row=row,
        info=info,
        fields_html=detail_fields(fields),
        related=related,
        # Catalog values: get_row found the table (schema and table name its key).
        list_url=fixed_url("browse.index", schema=info.schema, table=info.name),
        row_actions_html=_row_actions_html(row_actions(info, row_key)),
    )


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
