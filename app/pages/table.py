"""A results table as a page view: header cells and rows of formatted cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog import ColumnInfo
from app.catalog.model import NUMBER_KINDS
from app.data.labels import LabelSet
from app.pages.cells import Cell, formatter


@dataclass(frozen=True)
class HeaderCell:
    """A column heading; ``sort_url`` is empty when the column cannot be sorted."""

    name: str
    label: str
    numeric: bool
    title: str
    sort_url: str = ""
    sorted: str = ""  # "asc", "desc" or ""


@dataclass(slots=True)
class TableRow:
    """A row: its detail page (empty when it has none) and its cells."""

    href: str
    cells: list[Cell]


@dataclass(frozen=True)
class ResultsTable:
    """Headers and rows; ``open_column`` adds a leading "Open" link cell."""

    headers: list[HeaderCell]
    rows: list[TableRow]
    open_column: bool = False
    testid: str = "results-table"


def has_open_column(columns: Sequence[ColumnInfo], keyed: bool) -> bool:
    """True when rows need a separate "Open" cell: they have detail pages but the
    first column cannot carry the row link (it links elsewhere, or is binary)."""
    if not keyed or not columns:
        return False
    first = columns[0]
    return first.fk is not None or first.kind == "binary"


def headers(
    columns: Sequence[ColumnInfo],
    sort_urls: Mapping[str, str] | None = None,
    current_sort: str = "",
) -> list[HeaderCell]:
    """Heading cells; numbers are right-aligned unless they are foreign keys."""
    cells = []
    for column in columns:
        sorted_as = ""
        if current_sort == column.name:
            sorted_as = "asc"
        elif current_sort == "-" + column.name:
            sorted_as = "desc"
        cells.append(
            HeaderCell(
                name=column.name,
                label=column.label,
                numeric=column.kind in NUMBER_KINDS and column.fk is None,
                # A column SQL Server cannot sort says so in its tooltip.
                title=column.limit_note or column.name,
                sort_url=(sort_urls or {}).get(column.name, ""),
                sorted=sorted_as,
            )
        )
    return cells


def table_rows(
    columns: Sequence[ColumnInfo],
    rows: Sequence[Sequence[Any]],
    labels: Mapping[str, LabelSet],
    row_keys: Sequence[str | None],
    row_base: str,
    link_base: str,
) -> list[TableRow]:
    """Formatted rows; the first cell links to the row unless an Open cell does."""
    keyed = bool(row_keys) and row_keys[0] is not None
    first_links = keyed and not has_open_column(columns, keyed)
    formats = [formatter(c, labels.get(c.name), link_base) for c in columns]
    out = []
    for values, key in zip(rows, row_keys, strict=True):
        cells = [fmt(value) for fmt, value in zip(formats, values, strict=True)]
        href = row_base + key if key is not None else ""
        if first_links and href and cells and not cells[0].href:
            cells[0].href, cells[0].link = href, "row-link"  # a fresh Cell
        out.append(TableRow(href, cells))
    return out


def results_table(
    columns: Sequence[ColumnInfo],
    rows: Sequence[Sequence[Any]],
    labels: Mapping[str, LabelSet],
    row_keys: Sequence[str | None],
    row_base: str,
    link_base: str,
    *,
    sort_urls: Mapping[str, str] | None = None,
    current_sort: str = "",
    testid: str = "results-table",
) -> ResultsTable:
    """The table view of a page of rows."""
    keyed = bool(row_keys) and row_keys[0] is not None
    return ResultsTable(
        headers=headers(columns, sort_urls, current_sort),
        rows=table_rows(columns, rows, labels, row_keys, row_base, link_base),
        open_column=has_open_column(columns, keyed),
        testid=testid,
    )
