"""Which keys already exist, in chunks under SQL Server's 2,100 parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, and_, bindparam, or_, select

from app.access import TableAccess
from app.data import writes
from app.data.parameters import chunked, keys_per_statement
from app.extensions import db


def key_chunks(
    items: Sequence[Any], width: int, *where: Any
) -> Iterable[Sequence[Any]]:
    """Keys of ``width`` columns in lists that keep a statement also binding
    ``where`` under SQL Server's 2,100 parameters."""
    return chunked(items, keys_per_statement(width, *where))


def keys_where(table: Table, names: Sequence[str], keys: Sequence[tuple]):
    cols = [table.c[n] for n in names]
    if len(cols) == 1:
        return cols[0].in_([k[0] for k in keys])
    return or_(*(and_(*(c == v for c, v in zip(cols, k, strict=True))) for k in keys))


def existing_keys(
    table: Table,
    names: Sequence[str],
    keys: Iterable[tuple],
    *where: Any,
    extra: Sequence[str] = (),
) -> set[tuple]:
    """Which ``keys`` (values of ``names``) exist, with ``extra`` columns appended."""
    found: set[tuple] = set()
    cols = [table.c[n] for n in (*names, *extra)]
    if len(names) == 1:  # one statement, the chunk of values as an expanding bind
        stmt = select(*cols).where(
            cols[0].in_(bindparam("import_keys", expanding=True)), *where
        )
        for chunk in key_chunks(list(keys), 1, *where):
            values = {"import_keys": [k[0] for k in chunk]}
            found.update(map(tuple, db.session.execute(stmt, values)))
        return found
    for chunk in key_chunks(list(keys), len(names), *where):
        stmt = select(*cols).where(keys_where(table, names, chunk), *where)
        found |= {tuple(r) for r in db.session.execute(stmt)}
    return found


def missing_references(
    cons: Any, keys: Iterable[tuple], access_for: Callable[[Table], TableAccess]
) -> set[tuple]:
    """The keys with no row the caller may see in the referenced table."""
    keys = set(keys)
    ref = cons.referred_table
    ref_access = access_for(ref)
    if not keys or not ref_access.allows("read"):
        return keys
    ref_names = [el.column.name for el in cons.elements]
    visible = existing_keys(
        ref, ref_names, sorted(keys, key=repr), *writes.row_filter_terms(ref_access)
    )
    return keys - visible
