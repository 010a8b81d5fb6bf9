"""Row filters: a tiny language in the access file, compiled to SQLAlchemy.

A filter is a list of conditions (AND-ed). Each condition is one of::

    { column = "owner_login", equals = "caller.login" }         # the caller's login
    { column = "opened_by", equals = "caller.employee_id" }     # a column of the
                                                                # caller's own row
    { column = "status", op = "!=", value = "retired" }         # a fixed predicate
    { column = "employee_id", in = { table = "hr.employees", column = "employee_id",
        where = [{ column = "department_id", equals = "caller.department_id" }] } }
    { any = [ <condition>, <condition> ] }                      # OR

``caller.<column>`` reads the caller's rows of the ``[caller]`` table (by login) as
``column IN (SELECT <column> FROM <caller table> WHERE login = ?)``, and ``in`` becomes
``IN (SELECT ...)``: the whole filter stays inside the page's one query, with every
value a bound parameter and no per-row lookups.

Decided: a caller with no row in the lookup table matches nothing (fail closed), and
a login with several rows matches the rows of any of them (each row is that person's,
e.g. two employments). ``= (SELECT ...)`` would raise Msg 512 on SQL Server for every
page of such a user, and SQLite would silently pick one row. A NULL value in the
caller's row matches nothing (NULL is never IN a list).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_, false, or_, select
from sqlalchemy.sql.elements import ColumnElement

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "is null", "is not null")
CALLER_PREFIX = "caller."


class FilterError(ValueError):
    """A row filter is malformed or names something that does not exist."""


@dataclass(frozen=True)
class Condition:
    """One parsed condition (see the module docstring for the forms)."""

    kind: str  # "caller" | "op" | "in" | "any"
    column: str = ""
    op: str = "="
    value: Any = None  # literal; tuple for in / not in; attribute for "caller"
    table: str = ""  # "in": the other table
    target: str = ""  # "in": the other table's column
    where: tuple[Condition, ...] = ()  # "in": its conditions; "any": alternatives


@dataclass
class CallerContext:
    """What compiling needs: the caller's login and where their row lives."""

    login: str
    tables: Mapping[str, Table]
    caller_table: str = "hr.employees"
    login_column: str = "login"
    _lookups: dict[str, Any] = field(default_factory=dict)

    def matches(self, column: ColumnElement, attribute: str) -> ColumnElement[bool]:
        """``column`` equals the caller's login, or is IN the caller's own rows'
        ``attribute`` (none: no match; several: any of them)."""
        if attribute == "login":
            return column == self.login
        if attribute not in self._lookups:
            table = self.tables[self.caller_table]
            self._lookups[attribute] = select(table.c[attribute]).where(
                table.c[self.login_column] == self.login
            )
        return column.in_(self._lookups[attribute])


def parse_conditions(raw: Any) -> tuple[Condition, ...]:
    """Parse the ``rows`` value of a grant (a condition or a list of them)."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    return tuple(_parse_one(item) for item in items)


def _parse_one(raw: Any) -> Condition:
    if not isinstance(raw, dict):
        raise FilterError(
            f"a condition must be a table like {{ column = ... }}: {raw!r}"
        )
    keys = set(raw)
    if keys == {"any"}:
        alternatives = parse_conditions(raw["any"])
        if not alternatives:
            raise FilterError("'any' needs at least one condition")
        return Condition("any", where=alternatives)
    column = raw.get("column")
    if not isinstance(column, str) or not column:
        raise FilterError(f'a condition needs column = "name": {raw!r}')
    if keys == {"column", "equals"}:
        ref = raw["equals"]
        if not isinstance(ref, str) or not ref.startswith(CALLER_PREFIX):
            raise FilterError(
                f"equals takes caller.login or caller.<column>, got {ref!r} "
                '(for a fixed value write op = "=", value = ...)'
            )
        return Condition("caller", column, value=ref[len(CALLER_PREFIX) :])
    if keys == {"column", "in"}:
        sub = raw["in"]
        if not isinstance(sub, dict) or not {"table", "column"} <= set(sub):
            raise FilterError("in = { table = ..., column = ..., where = [...] }")
        if set(sub) - {"table", "column", "where"}:
            raise FilterError(f"unknown key in 'in': {sorted(set(sub))}")
        return Condition(
            "in",
            column,
            table=str(sub["table"]).lower(),
            target=str(sub["column"]),
            where=parse_conditions(sub.get("where", [])),
        )
    if keys in ({"column", "op", "value"}, {"column", "op"}):
        op = str(raw["op"]).lower().strip()
        if op not in OPERATORS:
            raise FilterError(f"unknown op {raw['op']!r} (use {', '.join(OPERATORS)})")
        if op.startswith("is "):
            if "value" in raw:
                raise FilterError(f"op {op!r} takes no value")
            return Condition("op", column, op=op)
        if "value" not in raw:
            raise FilterError(f"op {op!r} needs a value")
        value = raw["value"]
        if op in ("in", "not in"):
            if not isinstance(value, list) or not value:
                raise FilterError(f"op {op!r} needs a non-empty list value")
            value = tuple(value)
        elif isinstance(value, list | dict):
            raise FilterError(f"op {op!r} needs a single value")
        return Condition("op", column, op=op, value=value)
    raise FilterError(
        f"cannot read condition {raw!r}: use column + equals, column + op + value, "
        "column + in, or any"
    )


def check_conditions(
    conditions: tuple[Condition, ...],
    table: Table,
    tables: Mapping[str, Table],
    caller_table: str,
) -> None:
    """Raise FilterError if a condition names a column or table that is missing."""
    for cond in conditions:
        if cond.kind == "any":
            check_conditions(cond.where, table, tables, caller_table)
            continue
        if cond.column not in table.c:
            raise FilterError(f"column {cond.column!r} is not in {table.fullname}")
        if cond.kind == "caller" and cond.value != "login":
            lookup = tables.get(caller_table)
            if lookup is None:
                raise FilterError(f"the [caller] table {caller_table!r} does not exist")
            if cond.value not in lookup.c:
                raise FilterError(
                    f"caller.{cond.value}: {cond.value!r} is not a column of "
                    f"{caller_table}"
                )
        if cond.kind == "in":
            other = tables.get(cond.table)
            if other is None:
                raise FilterError(f"table {cond.table!r} in 'in' does not exist")
            if cond.target not in other.c:
                raise FilterError(f"column {cond.target!r} is not in {cond.table}")
            check_conditions(cond.where, other, tables, caller_table)


def compile_conditions(
    conditions: tuple[Condition, ...], table: Table, ctx: CallerContext
) -> ColumnElement[bool]:
    """The conditions as one boolean SQL expression on ``table`` (AND-ed)."""
    parts = [_compile_one(c, table, ctx) for c in conditions]
    return and_(*parts) if len(parts) != 1 else parts[0]


def _compile_one(cond: Condition, table: Table, ctx: CallerContext) -> ColumnElement:
    if cond.kind == "any":
        return or_(*(_compile_one(c, table, ctx) for c in cond.where))
    column = table.c[cond.column]
    if cond.kind == "caller":
        return ctx.matches(column, cond.value)
    if cond.kind == "in":
        other = ctx.tables[cond.table]
        sub = select(other.c[cond.target])
        if cond.where:
            sub = sub.where(compile_conditions(cond.where, other, ctx))
        return column.in_(sub)
    op = cond.op
    if op == "is null":
        return column.is_(None)
    if op == "is not null":
        return column.is_not(None)
    if op == "in":
        return column.in_(list(cond.value))
    if op == "not in":
        return column.not_in(list(cond.value))
    comparisons = {
        "=": column.__eq__,
        "!=": column.__ne__,
        "<": column.__lt__,
        "<=": column.__le__,
        ">": column.__gt__,
        ">=": column.__ge__,
    }
    return comparisons[op](cond.value)


def any_of(filters: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    """OR the filters of several grants; an empty list matches nothing."""
    if not filters:
        return false()
    return filters[0] if len(filters) == 1 else or_(*filters)


def describe(conditions: tuple[Condition, ...]) -> str:
    """A one-line human reading of the conditions (for /whoami and the admin page)."""
    return " and ".join(_describe_one(c) for c in conditions) or "all rows"


def _describe_one(cond: Condition) -> str:
    if cond.kind == "any":
        return "(" + " or ".join(_describe_one(c) for c in cond.where) + ")"
    if cond.kind == "caller":
        return f"{cond.column} = caller.{cond.value}"
    if cond.kind == "in":
        where = f" where {describe(cond.where)}" if cond.where else ""
        return f"{cond.column} in {cond.table}.{cond.target}{where}"
    if cond.op.startswith("is "):
        return f"{cond.column} {cond.op}"
    return f"{cond.column} {cond.op} {cond.value!r}"
