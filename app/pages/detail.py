"""The detail page's view: one row's fields and the lists of rows that point at it."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.data.rows import RowDetail
from app.pages.cells import formatter
from app.pages.links import Action, row_actions, row_base, with_query
from app.pages.listing import TableHeading
from app.pages.table import ResultsTable, results_table
from app.urls import fixed_url


@dataclass(frozen=True)
class FieldView:
    """One field: the column's name and label, the shown value and its link."""

    name: str
    label: str
    text: str
    css: str = ""
    title: str = ""
    href: str = ""
    download_url: str = ""


@dataclass(frozen=True)
class RelatedView:
    """Rows of another table that point at this row, by one reference."""

    table: TableHeading
    via: str
    count_text: str
    size: int
    results: ResultsTable
    all_url: str
    more_url: str = ""


@dataclass(frozen=True)
class DetailView:
    """Everything the detail page shows, as plain values."""

    table: TableHeading
    row_key: str
    title: str
    list_url: str
    fields: list[FieldView]
    related: list[RelatedView] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def detail_view(row: RowDetail, script_root: str) -> DetailView:
    """The detail page of ``row`` (read by the data layer for this caller)."""
    info = row.scope.info
    fields = []
    for column, value in zip(row.columns, row.values, strict=True):
        cell = formatter(column, row.labels.get(column.name), script_root, full=True)(
            value
        )
        download = ""
        if column.kind == "binary" and value is not None:
            download = fixed_url(
                "browse.download",
                schema=info.schema,
                table=info.name,
                row_key=row.row_key,
                column=column.name,
            )
        fields.append(
            FieldView(
                column.name,
                column.label,
                cell.text,
                cell.css,
                cell.title,
                cell.href,
                download,
            )
        )
    related = []
    for item in row.related:
        child = item.page.info
        child_url = fixed_url("browse.index", schema=child.schema, table=child.name)
        pairs: list[tuple[str, str]] = []
        for f in item.filters:
            pairs += [("fc", f.column), ("fo", f.op), ("fv", f.value)]
        more = ""
        if item.page.next_token:
            more = with_query(child_url, [*pairs, ("page", item.page.next_token)])
        page = item.page
        related.append(
            RelatedView(
                table=TableHeading.of(child),
                via=", ".join(
                    child.columns[c].label for c in item.reference.child_columns
                ),
                count_text=page.count.text if page.count else "",
                size=page.size,
                results=results_table(
                    page.columns,
                    page.rows,
                    page.labels,
                    page.row_keys,
                    row_base(child),
                    script_root,
                    testid="related-table",
                ),
                all_url=with_query(child_url, pairs),
                more_url=more,
            )
        )
    return DetailView(
        table=TableHeading.of(info),
        row_key=row.row_key,
        title=row.title,
        list_url=fixed_url("browse.index", schema=info.schema, table=info.name),
        fields=fields,
        related=related,
        actions=row_actions(info, row.row_key),
    )
