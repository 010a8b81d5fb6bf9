"""Names in the access file matched as SQL Server's default collation matches them.

Settings name tables and columns the way people type them (``saleslt.customer``,
``EmailAddress``); the database decides the spelling. These functions resolve a name
case-insensitively to the spelling SQLAlchemy's ``table.c`` knows, so settings written
in any case work, and a name that matches nothing is still an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import Table

from app.access.rowfilters import Condition


def column_named(table: Table, name: str) -> str | None:
    """The spelling of column *name* in *table*, matched case-insensitively."""
    if name in table.c:
        return name
    folded = name.casefold()
    return next((c.key for c in table.c if c.key.casefold() == folded), None)


def uses_caller_row(conditions: tuple[Condition, ...]) -> bool:
    """True when a condition reads ``caller.<column>`` (not just ``caller.login``)."""
    for cond in conditions:
        if cond.kind == "caller" and cond.value != "login":
            return True
        if uses_caller_row(cond.where):
            return True
    return False


def spell_conditions(
    conditions: tuple[Condition, ...],
    table: Table,
    tables: Mapping[str, Table],
    caller_table: Table | None,
) -> tuple[Condition, ...]:
    """*conditions* with every column name in the database's spelling.

    A name that matches nothing is left as written, so the usual check reports it.
    """
    return tuple(_spell(c, table, tables, caller_table) for c in conditions)


def _spell(
    cond: Condition,
    table: Table,
    tables: Mapping[str, Table],
    caller_table: Table | None,
) -> Condition:
    if cond.kind == "any":
        return replace(
            cond, where=spell_conditions(cond.where, table, tables, caller_table)
        )
    column = column_named(table, cond.column) or cond.column
    if cond.kind == "caller":
        value = cond.value
        if value != "login" and caller_table is not None:
            value = column_named(caller_table, value) or value
        return replace(cond, column=column, value=value)
    if cond.kind == "in":
        other = tables.get(cond.table)
        if other is None:
            return replace(cond, column=column)
        return replace(
            cond,
            column=column,
            target=column_named(other, cond.target) or cond.target,
            where=spell_conditions(cond.where, other, tables, caller_table),
        )
    return replace(cond, column=column)
