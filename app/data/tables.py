"""The home page's table list: readable tables with capped row counts.

Every count is the caller's (row filters apply) and capped, and all of them come
back in one round trip: one SELECT of scalar subqueries, one per table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select

from app.catalog import Catalog, TableInfo
from app.data.counts import COUNT_CAP, RowCount, capped_count_statement
from app.data.scope import Scope, peek_scope
from app.extensions import db
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
    scopes: list[tuple[str, Scope]] = []
    for schema, tables in catalog.by_schema().items():
        for info in tables:
            scope = peek_scope(identity, catalog, info.key)
            if scope is not None:
                scopes.append((schema, scope))
    counts = capped_counts([scope for _schema, scope in scopes])
    groups: dict[str, list[TableSummary]] = {}
    for (schema, scope), count in zip(scopes, counts, strict=True):
        groups.setdefault(schema, []).append(
            TableSummary(scope.info, count, scope.can("export"))
        )
    return groups


def capped_counts_statement(scopes: list[Scope], cap: int = COUNT_CAP) -> Select:
    """One SELECT whose columns are the capped counts of each scope's rows."""
    columns = []
    for i, scope in enumerate(scopes):
        clauses = [scope.row_filter] if scope.row_filter is not None else []
        inner = capped_count_statement(scope.table, clauses, cap)
        columns.append(inner.scalar_subquery().label(f"n{i}"))
    return select(*columns)


def capped_counts(scopes: list[Scope], cap: int = COUNT_CAP) -> list[RowCount]:
    """The capped count of each scope's visible rows, in one round trip."""
    if not scopes:
        return []
    row = db.session.execute(capped_counts_statement(scopes, cap)).one()
    return [RowCount(min(n, cap), capped=n > cap) for n in row]
