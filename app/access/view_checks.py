"""Views that show what a row filter hides: warnings for the log and /admin/access.

A view reads its tables with the database's rights, not the caller's, so a row filter
on ``sales.orders`` does nothing for ``sales.v_order_totals``. When a role reads a view
without a row filter while it reads a table the view depends on only through one,
the view hands that role every row the filter was written to hide. The dependencies
come from the generated models (``info["depends_on"]``: sys.sql_expression_dependencies
when reflected, the CREATE VIEW text when generated from scripts).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Table

from app.access.settings import AccessSettings, Grant, Role

DEPENDS_INFO_KEY = "depends_on"  # as written by app/codegen/generator.py


def view_filter_warnings(
    settings: AccessSettings, tables: Mapping[str, Table]
) -> list[str]:
    """One sentence per (role, view, filtered table) where the view bypasses it."""
    warnings = []
    for role in settings.roles.values():
        for key, table in sorted(tables.items()):
            unfiltered = [g for g in _readers(role, key) if not g.rows]
            if not table.info.get("is_view") or not unfiltered:
                continue
            for dependency in _dependencies(key, tables):
                filtered = _readers(role, dependency)
                if not filtered or any(not g.rows for g in filtered):
                    continue  # not readable at all, or readable unfiltered
                warnings.append(
                    f"role {role.name!r} reads view {key} without a row filter "
                    f"({unfiltered[0].source}), but the view reads {dependency}, "
                    f"which role {role.name!r} reads only through a row filter "
                    f"({filtered[0].source}): the view shows that role the rows "
                    f"the filter hides. Give the view grant an equivalent row filter "
                    f"or do not grant the view to {role.name!r}."
                )
    return warnings


def _readers(role: Role, key: str) -> list[Grant]:
    return [g for g in role.grants if "read" in g.actions and g.matches(key)]


def _dependencies(key: str, tables: Mapping[str, Table]) -> list[str]:
    """The view's dependencies, through views it reads (each once, cycles safe)."""
    seen: set[str] = set()
    pending = [key]
    while pending:
        table = tables.get(pending.pop())
        found = table.info.get(DEPENDS_INFO_KEY) if table is not None else None
        for dependency in found or []:
            if dependency not in seen and dependency != key:
                seen.add(dependency)
                pending.append(dependency)
    return sorted(seen)
