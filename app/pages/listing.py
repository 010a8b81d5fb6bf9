"""The list page's view: a page of rows with its search, filters, count and pager."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.catalog import TableInfo
from app.data import FORMATS, OP_LABELS, PAGE_SIZES, ListQuery, ops_for
from app.data.counts import RowCount
from app.data.listing import ListPage
from app.data.scope import Scope
from app.pages.links import (
    Action,
    row_actions,
    row_base,
    state_pairs,
    with_query,
)
from app.pages.table import ResultsTable, results_table
from app.urls import fixed_url


@dataclass(frozen=True)
class TableHeading:
    """Which table a page is about."""

    key: str
    schema: str
    name: str
    label: str
    description: str
    is_view_like: bool
    # The badge beside the title: "view", "read-only: no primary key" or "".
    badge: str = ""

    @classmethod
    def of(cls, info: TableInfo) -> TableHeading:
        return cls(
            info.key,
            info.schema,
            info.name,
            info.label,
            info.description,
            info.is_view_like,
            _badge(info),
        )


def _badge(info: TableInfo) -> str:
    """Views say so; a table without a primary key says why it is read-only."""
    # Generated models mark views with info["is_view"] (app.codegen.generator).
    if info.table.info.get("is_view"):
        return "view"
    return "" if info.primary_key else "read-only: no primary key"


@dataclass(frozen=True)
class CountView:
    """How many rows match: ``text`` as shown, ``exact_url`` to count past a cap."""

    value: int
    text: str
    capped: bool
    timed_out: bool
    exact_url: str = ""


@dataclass(frozen=True)
class Pager:
    """Links to the first, previous, next and last page; "" where there is none."""

    first: str
    prev: str
    next: str
    last: str
    single: bool  # the only page: the top pager is left out
    # Where the page is: "Rows 251–300 of 40,000" ("" when the offset is unknown).
    position: str = ""
    number: int | None = None  # the page number, where the offset gives it
    first_row: int | None = None  # 1-based, for the JSON view
    last_row: int | None = None


def _position(
    start: int | None, shown: int, size: int, count: RowCount | None, is_last: bool
) -> tuple[str, int | None, int | None, int | None]:
    """The pager's "Rows a–b of n" text, page number, first and last row."""
    if not shown:
        return "", None, None, None
    total = f" of {count.text}" if count is not None and not count.timed_out else ""
    if start is None:
        return (f"Last {shown:,} rows{total}" if is_last else ""), None, None, None
    first, last = start + 1, start + shown
    number = start // size + 1 if start % size == 0 else None
    return f"Rows {first:,}–{last:,}{total}", number, first, last


@dataclass(frozen=True)
class FilterColumn:
    """A column that can be filtered on and the operators it takes."""

    name: str
    label: str
    kind: str
    ops: list[str]
    # Where its values are looked up by label (a foreign key), else "".
    lookup_url: str = ""

    @property
    def widget(self) -> str:
        """The value field: "bool" (a Yes/No/Any select), "date" or "text"."""
        if self.kind == "bool":
            return "bool"
        return "date" if self.kind in ("date", "datetime") else "text"


@dataclass(frozen=True)
class ColumnChoice:
    """One checkbox of the Columns menu: a column the caller may see."""

    name: str
    label: str
    shown: bool


@dataclass(frozen=True)
class FilterChip:
    """An applied filter in words: "Assigned to is Alex Morgan", and its removal."""

    text: str
    remove_url: str


# How a chip says each operator ("Priority from 2", "Title contains screen").
CHIP_OPS = {
    "eq": "is",
    "contains": "contains",
    "starts": "starts with",
    "gte": "from",
    "lte": "to",
    "label": "starts with",
    "empty": "is empty",
    "notempty": "is not empty",
}
BOOL_WORDS = {"1": "yes", "true": "yes", "yes": "yes", "0": "no", "false": "no"}


@dataclass(frozen=True)
class FilterRowView:
    """One filter row of the form; ``ops`` are the operators its column takes."""

    column: str
    op: str
    value: str
    complete: bool
    remove_url: str
    ops: list[str] | None


@dataclass(frozen=True)
class TableLink:
    """A link to a related table (a history table and its current rows)."""

    label: str
    url: str
    testid: str
    key: str


@dataclass(frozen=True)
class ListView:
    """Everything the list page shows, as plain values."""

    table: TableHeading
    url: str
    q: str
    search_mode: str
    search_labels: list[str]
    # When a search found nothing: how many rows contain the text, and the link.
    anywhere_text: str
    anywhere_url: str
    sort: str
    notices: list[str]
    filters: list[FilterRowView]
    filter_columns: list[FilterColumn]
    op_labels: dict[str, str]
    count: CountView | None
    pager: Pager
    results: ResultsTable
    searched: bool  # a search or filter is applied (the empty state says so)
    row_filtered: bool  # the caller sees only some rows
    page_size: int
    page_sizes: list[int]
    exports: dict[str, str] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    table_links: list[TableLink] = field(default_factory=list)
    # What access takes away, said without naming it: the row filter in plain
    # words, and how many columns are hidden ("" when nothing is).
    row_notice: str = ""
    hidden_notice: str = ""
    chips: list[FilterChip] = field(default_factory=list)
    # The Columns menu: every column the caller may see (the table's list_columns
    # first), whether the caller chose their own, and the list's state to keep.
    column_menu: list[ColumnChoice] = field(default_factory=list)
    columns_chosen: bool = False
    state: list[tuple[str, str]] = field(default_factory=list)


def _noun(label: str) -> str:
    """A table label inside a sentence: "Tickets" -> "tickets", "HR notes" kept."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_plain_day(text: str) -> bool:
    """True for "2024-05-31": what an <input type="date"> can show as it is."""
    return bool(_DAY.fullmatch(text or ""))


def _lookup_url(info: TableInfo, column: Any, ops: Sequence[str]) -> str:
    """The label lookup of a foreign-key filter ("label" is offered only when the
    caller may read the target's labels)."""
    if column.fk is None or "label" not in ops:
        return ""
    return fixed_url(
        "browse.filter_lookup", schema=info.schema, table=info.name, column=column.name
    )


def _column_menu(scope: Scope, page: ListPage) -> list[ColumnChoice]:
    """The columns the caller may see, defaults first; hidden ones never appear."""
    shown = {c.name for c in page.columns}
    listed = scope.listed
    rest = [c for c in scope.visible if c.name not in {x.name for x in listed}]
    return [ColumnChoice(c.name, c.label, c.name in shown) for c in [*listed, *rest]]


def hidden_notice(scope: Scope) -> str:
    """ "2 columns are hidden by your access" (settings-hidden ones not counted)."""
    columns = scope.info.columns
    n = sum(
        1
        for name in scope.access.hidden_columns
        if name in columns and not columns[name].hidden
    )
    if not n:
        return ""
    return f"{n} column{'s are' if n != 1 else ' is'} hidden by your access"


def _count(count: RowCount | None, exact_url: str) -> CountView | None:
    if count is None:
        return None
    # An exact count is offered only past the cap (not when counting timed out).
    offer = count.capped and not count.timed_out
    return CountView(
        count.value,
        count.text,
        count.capped,
        count.timed_out,
        exact_url if offer else "",
    )


def _filters(
    url: str,
    query: ListQuery,
    rows: Sequence[Any],
    ops: dict[str, list[str]],
) -> list[FilterRowView]:
    kept = [p for p in state_pairs(query) if p[0] not in {"fc", "fo", "fv"}]
    views = []
    for index, row in enumerate(rows):
        pairs = list(kept)
        for i, other in enumerate(rows):
            if i != index:
                pairs += [("fc", other.column), ("fo", other.op), ("fv", other.value)]
        views.append(
            FilterRowView(
                row.column,
                row.op,
                row.value,
                row.complete,
                with_query(url, pairs),
                ops.get(row.column),
            )
        )
    return views


def _chip_value(
    column: FilterColumn | None, view: FilterRowView, labels: dict[str, Any]
) -> str:
    """A filter's value as people say it: the label of a foreign key's row (from
    the page's own labels), yes/no, or the text as typed."""
    value = view.value.strip()
    if column is None:
        return value
    if column.kind == "bool":
        return BOOL_WORDS.get(value.lower(), value)
    found = labels.get(column.name)
    if view.op == "eq" and found is not None:
        for key, label in found.labels.items():
            if str(key) == value:
                return label.text
    return value


def _chips(
    views: Sequence[FilterRowView],
    columns: Sequence[FilterColumn],
    labels: dict[str, Any],
) -> list[FilterChip]:
    by_name = {c.name: c for c in columns}
    chips = []
    for view in views:
        if not view.complete:
            continue
        column = by_name.get(view.column)
        name = column.label if column else view.column
        words = CHIP_OPS.get(view.op, view.op)
        if view.op in ("empty", "notempty"):
            text = f"{name} {words}"
        else:
            text = f"{name} {words} {_chip_value(column, view, labels)}"
        chips.append(FilterChip(text, view.remove_url))
    return chips


def list_view(
    page: ListPage,
    query: ListQuery,
    filter_rows: Sequence[Any],
    script_root: str,
    table_links: Sequence[TableLink] = (),
) -> ListView:
    """The list page of ``page`` (rows the data layer returned for ``query``)."""
    scope = page.scope
    info = scope.info
    url = fixed_url("browse.index", schema=info.schema, table=info.name)
    sort = page.sort[0] if page.sort else None
    current_sort = ("-" if sort and sort.descending else "") + (
        sort.column.name if sort else ""
    )
    sort_urls = {
        c.name: with_query(
            url,
            state_pairs(query, sort="-" + c.name if current_sort == c.name else c.name),
        )
        for c in page.columns
        if c.sortable  # binary, xml, CLR types: the header says why not
    }
    exports = {}
    if scope.can("export"):
        for fmt in FORMATS:
            export = fixed_url(
                "browse.export", schema=info.schema, table=info.name, fmt=fmt
            )
            exports[fmt] = with_query(export, state_pairs(query, size=False))
    # Every visible column can be filtered on, listed or not.
    filterable = [
        FilterColumn(c.name, c.label, c.kind, list(ops), _lookup_url(info, c, ops))
        for c in scope.visible
        if (ops := ops_for(c, scope))
    ]

    def link(page_token: str) -> str:
        return with_query(url, state_pairs(query, page=page_token))

    position, number, first_row, last_row = _position(
        page.start, len(page.rows), page.size, page.count, page.is_last
    )
    pager = Pager(
        first="" if page.is_first else link(""),
        prev=link(page.prev_token) if page.prev_token else "",
        next=link(page.next_token) if page.next_token else "",
        last="" if page.is_last else link("last"),
        single=page.is_first and page.is_last,
        position=position,
        number=number,
        first_row=first_row,
        last_row=last_row,
    )
    exact_url = with_query(
        url, [*state_pairs(query, page=query.page), ("count", "exact")]
    )
    filter_views = _filters(
        url, query, filter_rows, {c.name: c.ops for c in filterable}
    )
    anywhere = page.contains_count if page.contains_count else None
    if anywhere is not None and not anywhere.value:
        anywhere = None
    return ListView(
        table=TableHeading.of(info),
        url=url,
        q=query.q,
        search_mode=query.search_mode or info.search_mode,
        anywhere_text=anywhere.text if anywhere else "",
        anywhere_url=(
            with_query(url, state_pairs(replace(query, search_mode="contains")))
            if anywhere
            else ""
        ),
        search_labels=[
            info.columns[n].label for n in info.searchable if n not in scope.hidden
        ],
        sort=query.sort,
        notices=list(page.notices),
        filters=filter_views,
        filter_columns=filterable,
        op_labels=dict(OP_LABELS),
        count=_count(page.count, exact_url),
        pager=pager,
        results=results_table(
            page.columns,
            page.rows,
            page.labels,
            page.row_keys,
            row_base(info),
            script_root,
            sort_urls=sort_urls,
            current_sort=current_sort,
        ),
        searched=bool(query.filters or query.q),
        row_filtered=scope.row_filter is not None,
        page_size=page.size,
        page_sizes=list(PAGE_SIZES),
        exports=exports,
        actions=row_actions(info),
        table_links=list(table_links),
        row_notice=scope.access.describe(_noun(info.label)),
        hidden_notice=hidden_notice(scope),
        chips=_chips(filter_views, filterable, page.labels),
        column_menu=_column_menu(scope, page),
        columns_chosen=bool(query.columns),
        state=state_pairs(query),
    )
