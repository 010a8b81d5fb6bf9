"""The list page's repeated fragments as ready HTML: pagers, filter fields, headers.

These are loops of small elements (four pager links twice, one option per column
and operator for every filter row, one header cell per column) that cost a Jinja
macro call and several autoescapes each: built here, once per page, with every
value that is not a constant of this module escaped (``markupsafe.escape``), and
returned as ``Markup`` for the template to print. The HTML is what the macros
rendered (data-testids, classes, ARIA attributes unchanged).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from app.browse.params import state_pairs, with_query
from app.catalog import ColumnInfo, TableInfo
from app.catalog.model import NUMBER_KINDS
from app.urls import fixed_url

# (name, label, compact label): the pager's links, in order. Glyphs are written as
# character references (« ‹ › »): pages stay ASCII strings (app.browse.row_markup).
PAGER_LINKS = (
    ("first", "&#171; First", "&#171;"),
    ("prev", "&#8249; Previous", "&#8249;"),
    ("next", "Next &#8250;", "&#8250;"),
    ("last", "Last &#187;", "&#187;"),
)


def pager_items(hrefs: Mapping[str, str], compact: bool) -> Markup:
    """The ``<li>`` items of a pager; an empty href shows the link disabled."""
    prefix = "top-page-" if compact else "page-"
    items = []
    for name, label, short in PAGER_LINKS:
        href = hrefs.get(name, "")
        shown = short if compact else label
        if href:
            link = escape(href)
            aria = f' aria-label="{label}" title="{label}"' if compact else ""
            items.append(
                f'<li class="page-item"><a class="page-link" href="{link}"'
                f' hx-get="{link}" data-testid="{prefix}{name}"{aria}>{shown}</a></li>'
            )
        else:
            aria = f' aria-label="{label}"' if compact else ""
            items.append(
                f'<li class="page-item disabled"><span class="page-link"'
                f' data-testid="{prefix}{name}" aria-disabled="true"{aria}>'
                f"{shown}</span></li>"
            )
    return Markup("\n".join(items))


def json_attribute(value: object) -> Markup:
    """``value|tojson`` as Flask's filter writes it (sorted keys, HTML-safe)."""
    return htmlsafe_json_dumps(value, dumps=lambda v: json.dumps(v, sort_keys=True))


def filter_fields_maker(
    filterable: Sequence[tuple[ColumnInfo, Sequence[str]]],
    op_labels: Mapping[str, str],
) -> Callable[[str, str, str], Markup]:
    """``filter_fields(column, op, value)``: one filter row's column menu, operator
    menu and value box. A chosen column narrows the operators on the server; each
    column option carries its operators (data-ops) so static/js/filters.js narrows
    them in the browser too. Nothing here sends a request: only Apply does.
    Made once per set of filterable columns (a table as one kind of caller sees it)."""
    key = tuple((c.name, c.kind, c.label, tuple(ops)) for c, ops in filterable)
    return _filter_fields(key, tuple(op_labels.items()))


@lru_cache(maxsize=256)
def _filter_fields(
    filterable: tuple[tuple[str, str, str, tuple[str, ...]], ...],
    op_items: tuple[tuple[str, str], ...],
) -> Callable[[str, str, str], Markup]:
    all_ops = escape(" ".join(key for key, _ in op_items))
    columns = [
        (
            name,
            frozenset(ops),
            f'<option value="{escape(name)}" data-ops="{escape(" ".join(ops))}"'
            f' data-kind="{escape(kind)}"',
            f">{escape(label)}</option>",
        )
        for name, kind, label, ops in filterable
    ]
    allowed_by_column = {name: allowed for name, allowed, _, _ in columns}
    operators = [
        (key, f'<option value="{escape(key)}"', f">{escape(label)}</option>")
        for key, label in op_items
    ]

    def filter_fields(column: str, op: str, value: str) -> Markup:
        allowed = allowed_by_column.get(column) if column else None
        column_options = "".join(
            f"{start}{' selected' if name == column else ''}{end}"
            for name, _, start, end in columns
        )
        op_options = "".join(
            f"{start}{' selected' if key == op else ''}{end}"
            for key, start, end in operators
            if allowed is None or key in allowed
        )
        return Markup(
            '<div class="col-auto">\n'
            '<select name="fc" class="form-select form-select-sm tf-filter-column"'
            ' aria-label="Filter column" data-testid="filter-column">\n'
            f'<option value="" data-ops="{all_ops}">Filter on&#8230;</option>\n'
            f"{column_options}\n"
            "</select>\n"
            "</div>\n"
            '<div class="col-auto">\n'
            '<select name="fo" class="form-select form-select-sm tf-filter-op"'
            ' aria-label="Filter operator" data-testid="filter-op">\n'
            f"{op_options}\n"
            "</select>\n"
            "</div>\n"
            f'<div class="col-auto"><input name="fv" value="{escape(value)}"'
            ' class="form-control form-control-sm tf-filter-value"'
            ' aria-label="Filter value" placeholder="value" maxlength="200"'
            ' data-testid="filter-value"></div>'
        )

    return filter_fields


def table_head(
    columns: Sequence[ColumnInfo],
    open_column: bool,
    sort_links: Mapping[str, str] | None = None,
    current_sort: str = "",
) -> Markup:
    """The header row's cells: sortable columns link to their sort (▲/▼ marks the
    current one); numbers are right-aligned unless they are foreign keys."""
    cells = []
    if open_column:
        cells.append(
            '<th class="tf-open-col"><span class="visually-hidden">Open</span></th>'
        )
    for column in columns:
        numeric = column.kind in NUMBER_KINDS and column.fk is None
        name = escape(column.name)
        label = escape(column.label)
        link = sort_links.get(column.name) if sort_links else None
        if link is not None:
            href = escape(link)
            mark = ""
            if current_sort == column.name:
                mark = ' <span aria-label="sorted ascending">&#9650;</span>'
            elif current_sort == "-" + column.name:
                mark = ' <span aria-label="sorted descending">&#9660;</span>'
            label = Markup(
                f'<a href="{href}" hx-get="{href}" class="tf-sort link-dark'
                f' text-decoration-none" data-testid="sort-{name}">{label}{mark}</a>'
            )
        # A column SQL Server cannot sort (xml, CLR types) says so in its tooltip.
        note = getattr(column, "limit_note", "")
        title = escape(note) if note else name
        cells.append(
            f'<th scope="col" class="{"tf-num" if numeric else ""}" title="{title}">'
            f"{label}</th>"
        )
    return Markup("\n".join(cells))


@lru_cache(maxsize=64)
def page_size_options(sizes: tuple[int, ...], chosen: int) -> Markup:
    """The rows-per-page menu's options, ``chosen`` selected (numbers only)."""
    return Markup(
        "".join(
            f'<option value="{n}"{" selected" if n == chosen else ""}>{n}</option>'
            for n in sizes
        )
    )


def results_table(head: Markup, body: Markup, testid: str = "results-table") -> Markup:
    """A results table: header cells (``table_head``) and rows
    (app.browse.row_markup.table_body), both already escaped."""
    return Markup(
        '<div class="tf-table-wrap">\n'
        '<table class="table table-sm table-hover align-middle mb-0 tf-table"'
        f' data-testid="{escape(testid)}">\n'
        f'<thead class="table-light">\n<tr>\n{head}\n</tr>\n</thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>\n</div>"
    )


def breadcrumbs(info: TableInfo, row_title: str | None = None) -> Markup:
    """Home › schema › table (› row, on a detail page)."""
    home = fixed_url("home.index")
    schema = escape(info.schema)
    label = escape(info.label)
    if row_title is None:
        last = (
            '<li class="breadcrumb-item active" aria-current="page"'
            f' data-testid="crumb-table">{label}</li>'
        )
    else:
        table = escape(fixed_url("browse.index", schema=info.schema, table=info.name))
        last = (
            f'<li class="breadcrumb-item"><a href="{table}" data-testid="crumb-table">'
            f"{label}</a></li>\n"
            '<li class="breadcrumb-item active" aria-current="page"'
            f' data-testid="crumb-row">{escape(row_title)}</li>'
        )
    home = escape(home)
    return Markup(
        '<nav aria-label="breadcrumb" data-testid="breadcrumbs">\n'
        '<ol class="breadcrumb small mb-2">\n'
        f'<li class="breadcrumb-item"><a href="{home}" data-testid="crumb-home">'
        "Home</a></li>\n"
        f'<li class="breadcrumb-item"><a href="{home}#schema-{schema}"'
        f' data-testid="crumb-schema">{schema}</a></li>\n'
        f"{last}\n</ol>\n</nav>"
    )


def detail_fields(fields: Sequence[tuple[ColumnInfo, Any]]) -> Markup:
    """The detail page's field rows (``<div>`` per column in the fields ``<dl>``):
    each (column, app.browse.cells.Cell) as detail.html's loop wrote it."""
    items = []
    for column, cell in fields:
        name = escape(column.name)
        title = f' title="{escape(cell.title)}"' if cell.title else ""
        text = escape(cell.text)
        if cell.href:
            text = f'<a href="{escape(cell.href)}" data-testid="fk-link">{text}</a>'
        items.append(
            '\n            <div class="tf-field-row" data-testid="field"'
            f' data-column="{name}">\n'
            f'              <dt title="{name}">{escape(column.label)}</dt>\n'
            f'              <dd class="{escape(cell.css)}" data-testid="field-value"'
            f"{title}>{text}</dd>\n"
            "            </div>\n          "
        )
    return Markup("".join(items))


def contains_url(base: str, query) -> str:
    """The same list with the search matching anywhere."""
    return with_query(base, state_pairs(replace(query, search_mode="contains")))


def list_results(
    *,
    page,
    query,
    filter_rows: Sequence[tuple[Any, str]],
    filter_fields: Callable[[str, str, str], Markup],
    op_labels_json: Markup,
    links: Mapping[str, str],
    pager_top: Markup,
    pager_bottom: Markup,
    export_links: Mapping[str, str],
    table: Markup,
    base: str,
    page_size_options: Markup,
    **_other: object,
) -> Markup:
    """The part of the list page that htmx swaps: problems, notices, filters, count,
    rows (or why there are none), pager and page size: the HTML the template
    browse/_results.html used to write, every value not built here escaped."""
    out = [
        "\n"
        '<div id="list-problem" data-testid="list-problem"></div>\n'
        f'<input type="hidden" name="sort" value="{escape(query.sort)}">\n'
    ]
    for notice in page.notices:
        out.append(
            '<div class="alert alert-warning py-2 mb-2" data-testid="notice">'
            f"{escape(notice)}</div>"
        )
    out.append(
        "\n\n"
        '<fieldset class="tf-filters mb-2" data-testid="filters"'
        f" data-op-labels='{escape(op_labels_json)}'>\n"
        '  <legend class="visually-hidden">Filters</legend>\n  '
    )
    for row, remove_link in filter_rows:
        remove = escape(remove_link)
        out.append(
            "\n"
            '    <div class="row g-1 align-items-center mb-1'
            f'{"" if row.complete else " tf-incomplete"}" data-testid="filter-row">\n'
            f"      {filter_fields(row.column, row.op, row.value)}\n"
            '      <div class="col-auto"><a class="btn btn-sm btn-outline-secondary"'
            f' href="{remove}" hx-get="{remove}" data-testid="filter-remove"'
            ' aria-label="Remove filter">&#215;</a></div>\n'
            "    </div>\n  "
        )
    count = page.count
    if count is None:
        count_text = ""
    elif count.timed_out:
        count_text = f"more than {escape(count.text)} rows (too many to count in time)"
    else:
        plural = "" if count.value == 1 and not count.capped else "s"
        count_text = f"{escape(count.text)} row{plural}"
    exact = ""
    if count and count.capped and not count.timed_out:
        href = escape(links["exact_count"])
        exact = (
            f'<a href="{href}" hx-get="{href}" data-testid="count-exact">'
            "count exactly</a>"
        )
    top = ""
    if not (page.is_first and page.is_last):
        top = (
            '\n    <nav aria-label="Pages (top)" data-testid="top-pager">'
            '<ul class="pagination pagination-sm mb-0 tf-compact-pager">'
            f"{pager_top}</ul></nav>\n  "
        )
    export = ""
    if export_links:
        export = (
            '\n    <span class="ms-auto">Export:\n'
            f'      <a href="{escape(export_links["csv"])}" data-testid="export-csv"'
            ' hx-boost="false">CSV</a> &#183;\n'
            f'      <a href="{escape(export_links["xlsx"])}" data-testid="export-xlsx"'
            ' hx-boost="false">Excel</a>\n'
            "    </span>\n  "
        )
    out.append(
        "\n"
        '  <div class="row g-1 align-items-center" data-testid="filter-new">\n'
        f"    {filter_fields('', 'eq', '')}\n"
        '    <div class="col-auto"><button type="submit" class="btn btn-sm'
        ' btn-primary" data-testid="apply-filters">Apply</button></div>\n'
        "  </div>\n"
        "</fieldset>\n\n\n"
        '<div class="d-flex flex-wrap align-items-center gap-2 mb-2 small"'
        ' data-testid="count-bar">\n'
        '  <span data-testid="row-count" class="fw-semibold">\n'
        f"    {count_text}\n"
        "  </span>\n"
        f"  {exact}\n"
        f"  {top}\n"
        f"  {export}\n"
        "</div>\n\n"
    )
    if page.rows:
        out.append(f"\n  {table}\n")
    else:
        if query.filters or query.q:
            hint = anywhere = ""
            found = getattr(page, "contains_count", None)
            if found is not None and found.value:
                href = escape(contains_url(base, query))
                anywhere = (
                    f'<p class="mb-1"><a href="{href}" data-testid="search-anywhere">'
                    f"{escape(found.text)} row{'' if found.text == '1' else 's'}"
                    f" contain &#8220;{escape(query.q.strip())}&#8221; &#8211;"
                    " search anywhere</a></p>"
                )
            elif (query.search_mode or "prefix") != "contains" and query.q:
                hint = "&#8220;contains&#8221; instead of &#8220;starts with&#8221;, "
            why = (
                '\n      <p class="mb-1 fw-semibold">No rows match.</p>\n'
                f"      {anywhere}\n"
                f'      <p class="mb-0">Try a shorter search, {hint}or'
                f' <a href="{escape(base)}" data-testid="clear-all">clear all'
                " filters</a>.</p>\n    "
            )
        else:
            mine = "" if page.scope.row_filter is None else " that you may see"
            why = f'\n      <p class="mb-0">This table has no rows{mine}.</p>\n    '
        out.append(
            "\n"
            '  <div class="tf-empty-state text-center text-secondary p-5 bg-white'
            ' border rounded" data-testid="empty-state">\n'
            f"    {why}\n"
            "  </div>\n"
        )
    out.append(
        "\n\n"
        '<nav class="d-flex flex-wrap align-items-center gap-2 mt-2" aria-label="Pages"'
        ' data-testid="pager">\n'
        f'  <ul class="pagination pagination-sm mb-0">{pager_bottom}</ul>\n'
        '  <label class="small text-secondary ms-2" for="page-size">Rows per page'
        "</label>\n"
        '  <select id="page-size" name="size" class="form-select form-select-sm'
        ' w-auto" data-testid="page-size"\n'
        f'          hx-get="{escape(base)}" hx-include="closest form"'
        ' hx-trigger="change" hx-sync="closest form:queue last">\n'
        f"    {page_size_options}\n"
        "  </select>\n"
        "</nav>"
    )
    return Markup("".join(out))
