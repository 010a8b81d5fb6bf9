"""The home page's table list: readable tables with capped row counts."""

from __future__ import annotations

from dataclasses import dataclass

from app.catalog import Catalog, TableInfo
from app.data.counts import RowCount, capped_count
from app.data.scope import peek_scope
from app.identity import Identity


@dataclass(frozen=True)
class TableSummary:
    """One table on the home page."""

    info: TableInfo
    count: RowCount
    can_export: bool


def table_summaries(
    identity: Identity | None, catalog: Catalog
) -> dict[str, list[TableSummary]]:
    """Tables the caller may read, by schema, each with a capped count that uses
    the caller's row filter."""
    groups: dict[str, list[TableSummary]] = {}
    for schema, tables in catalog.by_schema().items():
        for info in tables:
            scope = peek_scope(identity, catalog, info.key)
            if scope is None:
                continue
            clauses = [scope.row_filter] if scope.row_filter is not None else []
            count = capped_count(scope.table, clauses)
            groups.setdefault(schema, []).append(
                TableSummary(info, count, scope.can("export"))
            )
    return groups
