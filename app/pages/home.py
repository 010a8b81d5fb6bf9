"""The home page's view: the tables the caller may see, grouped by schema."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.data.summaries import TableSummary
from app.urls import fixed_url


@dataclass(frozen=True)
class TableEntry:
    """One table on the home page, with the count of rows the caller may see."""

    key: str
    schema: str
    name: str
    label: str
    description: str
    url: str
    count: int | None  # None: the database did not answer the count in time
    count_text: str
    capped: bool


@dataclass(frozen=True)
class SchemaGroup:
    """A schema's tables."""

    name: str
    tables: list[TableEntry]


@dataclass(frozen=True)
class HomeView:
    """Everything the home page shows, as plain values."""

    schemas: list[SchemaGroup]


def home_view(groups: Mapping[str, Sequence[TableSummary]]) -> HomeView:
    """The home page of the summaries the data layer made for this caller."""
    schemas = []
    for schema, summaries in groups.items():
        tables = []
        for s in summaries:
            info = s.info
            tables.append(
                TableEntry(
                    info.key,
                    info.schema,
                    info.name,
                    info.label,
                    info.description,
                    fixed_url("browse.index", schema=info.schema, table=info.name),
                    s.count.value if s.count else None,
                    s.count.text if s.count else "",
                    bool(s.count and s.count.capped),
                )
            )
        schemas.append(SchemaGroup(schema, tables))
    return HomeView(schemas)
