"""Checks before writing: allowed columns, unique values, foreign keys the caller
may see. Each raises ``FieldErrors`` in plain words before the database would."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    UniqueConstraint,
    case,
    exists,
    false,
    select,
)

from app.access import TableAccess
from app.data.writes.errors import FieldErrors
from app.data.writes.json_values import json_value
from app.data.writes.keys import (
    editable_columns,
    pk_clause,
    pk_columns,
    row_filter_terms,
    table_key,
)
from app.data.writes.statements import exists_statement
from app.extensions import db

EDITABLE_CACHE_SIZE = 1024


def check_values(
    table: Table, access: TableAccess, values: Mapping[str, Any], *, creating: bool
) -> None:
    """Refuse hidden, unknown or server-managed columns (a crafted form or CSV)."""
    allowed = _editable_names(table, creating)
    errors = FieldErrors()
    for name in values:
        if name in access.hidden_columns or name not in table.c:
            errors.add(None, f"Unknown column {name!r}.")
        elif name not in allowed:
            errors.add(name, "This value is set by the database and cannot be changed.")
    if errors.errors:
        raise errors


# Keyed on the table and the kind of write only: which columns the server manages is
# the schema's, the same for every caller (hidden columns are checked per access).
_EDITABLE: dict[tuple[Table, bool], frozenset[str]] = {}


def _editable_names(table: Table, creating: bool) -> frozenset[str]:
    """Names of ``editable_columns(table)``, worked out once per table."""
    key = (table, creating)
    names = _EDITABLE.get(key)
    if names is None:
        if len(_EDITABLE) >= EDITABLE_CACHE_SIZE:
            _EDITABLE.clear()
        names = _EDITABLE[key] = frozenset(
            c.name for c in editable_columns(table, creating=creating)
        )
    return names


def unique_sets(table: Table) -> list[tuple[str, ...]]:
    """Column sets that must be unique (constraints, unique indexes, unique=True)."""
    sets: list[tuple[str, ...]] = []
    for cons in table.constraints:
        if isinstance(cons, UniqueConstraint) and len(cons.columns):
            sets.append(tuple(c.name for c in cons.columns))
    for index in table.indexes:
        if index.unique and len(index.columns):
            sets.append(tuple(c.name for c in index.columns))
    sets += [(c.name,) for c in table.columns if c.unique]
    return list(dict.fromkeys(sets))


def check_unique(
    table: Table,
    values: Mapping[str, Any],
    pk: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    access: TableAccess | None = None,
) -> None:
    """Friendly duplicate messages before the database would refuse the write;
    the value is named only when the caller may see the clashing row."""
    errors = FieldErrors()
    candidates = list(unique_sets(table))
    if pk is None and all(c.name in values for c in pk_columns(table)):
        candidates.append(tuple(c.name for c in pk_columns(table)))
    for cols in candidates:
        if not all(name in values for name in cols):
            continue
        if any(values[name] is None for name in cols):
            continue  # NULLs never collide on SQLite/PostgreSQL (SQL Server: once)
        where = [table.c[name] == values[name] for name in cols]
        if pk is not None:
            where.append(~pk_clause(table, pk))
        if any_row(*where):
            names = ", ".join((labels or {}).get(n, n) for n in cols)
            shown = ", ".join(str(json_value(values[n])) for n in cols)
            if clash_visible(table, access, where):
                message = f"Another row already has {names} = {shown}."
            else:
                message = unique_clash_hidden(names)
            errors.add(cols[0] if len(cols) == 1 else None, message)
    if errors.errors:
        raise errors


def clash_visible(
    table: Table, access: TableAccess | None, where: Sequence[ColumnElement[bool]]
) -> bool:
    """Whether a row matching ``where`` (a unique clash) is one the caller may see:
    only then may a message repeat the value. Without a row filter every row is
    visible; with one, a clash outside it must not confirm the row exists with
    that value beyond the one bit the refusal itself gives (README, Access)."""
    visible = row_filter_terms(access) if access is not None else []
    if not visible:
        return True
    stmt = select(*pk_columns(table)).where(*where, *visible).limit(1)
    return db.session.execute(stmt).first() is not None


def unique_clash_hidden(names: str) -> str:
    """The duplicate message that does not repeat the value (a hidden clash)."""
    return f"Another row already has this {names}."


def check_references(
    table: Table,
    values: Mapping[str, Any],
    access_for: Any,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Each foreign key value must name a row the caller may see.

    ``access_for(table)`` returns the caller's TableAccess for a referenced table.
    """
    errors = FieldErrors()
    for cons in table.foreign_key_constraints:
        names = list(cons.column_keys)
        if not all(n in values for n in names) or any(values[n] is None for n in names):
            continue
        ref = cons.referred_table
        ref_access = access_for(ref)
        where = [
            el.column == values[el.parent.name] for el in cons.elements
        ] + row_filter_terms(ref_access)
        if not ref_access.allows("read"):
            where.append(false())
        if not any_row(*where):
            label = ", ".join((labels or {}).get(n, n) for n in names)
            errors.add(
                names[0] if len(names) == 1 else None,
                f"{label}: no such row in {table_key(ref)} (or you may not see it).",
            )
    if errors.errors:
        raise errors


def any_row(*where: ColumnElement[bool]) -> bool:
    """True when some row satisfies ``where`` (in the session's transaction)."""
    return db.session.execute(exists_statement(*where)).first() is not None


def row_exists(
    table: Table, access: TableAccess, pk: Mapping[str, Any], action: str
) -> bool:
    return any_row(pk_clause(table, pk), *row_filter_terms(access, action))


# --- everything the database would check, in one query ---


def check_row(
    table: Table,
    values: Mapping[str, Any],
    pk: Mapping[str, Any] | None,
    access_for: Any,
    labels: Mapping[str, str] | None = None,
    access: TableAccess | None = None,
) -> FieldErrors:
    """Every UNIQUE clash and every foreign key that names no visible row, found
    in ONE statement (``CASE WHEN EXISTS (...) THEN 1 ELSE 0 END`` per rule: T-SQL
    has no boolean values); returned, not raised, so a form shows them beside its
    own problems. ``pk`` is the row being edited (None on insert)."""
    labels = labels or {}
    probes: list[tuple[str, Any]] = []  # (what, payload) per probe, in order
    terms: list[ColumnElement[Any]] = []
    candidates = list(unique_sets(table))
    if pk is None and all(c.name in values for c in pk_columns(table)):
        candidates.append(tuple(c.name for c in pk_columns(table)))
    visible = row_filter_terms(access) if access is not None else []
    for cols in candidates:
        if not all(n in values for n in cols) or any(values[n] is None for n in cols):
            continue  # NULLs never collide on SQLite/PostgreSQL (SQL Server: once)
        where = [table.c[n] == values[n] for n in cols]
        if pk is not None:
            where.append(~pk_clause(table, pk))
        probes.append(("unique", cols))
        terms.append(_probe(*where))
        if visible:  # a clash outside the filter must not repeat the value
            probes.append(("unique_visible", cols))
            terms.append(_probe(*where, *visible))
    for cons in table.foreign_key_constraints:
        names = list(cons.column_keys)
        if not all(n in values for n in names) or any(values[n] is None for n in names):
            continue
        ref_access = access_for(cons.referred_table)
        where = [
            el.column == values[el.parent.name] for el in cons.elements
        ] + row_filter_terms(ref_access)
        if not ref_access.allows("read"):
            where.append(false())
        probes.append(("reference", (cons, names)))
        terms.append(_probe(*where))
    errors = FieldErrors()
    if not terms:
        return errors
    found = db.session.execute(select(*terms)).one()
    hits = {
        (what, id(payload)): bool(hit)
        for (what, payload), hit in zip(probes, found, strict=True)
    }
    for (what, payload), hit in zip(probes, found, strict=True):
        if what == "unique" and hit:
            cols = payload
            names = ", ".join(labels.get(n, n) for n in cols)
            shown = ", ".join(str(json_value(values[n])) for n in cols)
            seen = not visible or hits.get(("unique_visible", id(cols)), False)
            message = (
                f"Another row already has {names} = {shown}."
                if seen
                else unique_clash_hidden(names)
            )
            errors.add(cols[0] if len(cols) == 1 else None, message)
        elif what == "reference" and not hit:
            cons, names = payload
            label = ", ".join(labels.get(n, n) for n in names)
            errors.add(
                names[0] if len(names) == 1 else None,
                f"{label}: no such row in {table_key(cons.referred_table)} "
                "(or you may not see it).",
            )
    return errors


def _probe(*where: ColumnElement[bool]) -> ColumnElement[Any]:
    """1 when some row satisfies ``where``, else 0 (a value SQL Server can select)."""
    return case((exists().where(*where), 1), else_=0)
