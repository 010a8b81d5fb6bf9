"""A write ``Scope`` made from a table and an access, for data-layer tests."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Table

from app.access import TableAccess
from app.catalog import get_catalog
from app.data.scope import Scope
from app.identity import Identity


def write_scope(
    table: Table,
    access: TableAccess,
    actor: str = "X\\y",
    access_for: Callable[[Table], TableAccess] | None = None,
) -> Scope:
    """``access`` on ``table`` as ``actor``, other tables seen through
    ``access_for`` (the same grants as ``access`` when not given)."""
    domain, _, name = actor.rpartition("\\")
    scope = Scope(
        get_catalog().get(f"{table.schema}.{table.name}"),
        access,
        Identity(domain, name),
        get_catalog(),
        frozenset(access.hidden_columns),
    )
    # The caller's access to other tables, as the test's policy gives it.
    scope.access_for = access_for or (  # type: ignore[method-assign]
        lambda other: TableAccess(f"{other.schema}.{other.name}", access.actions)
    )
    return scope
