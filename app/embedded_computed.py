"""Computed columns on the embedded SQLite database: T-SQL expressions translated.

Generated models carry SQL Server's own text for a computed column
(``ISNULL(N'SO'+CONVERT(nvarchar(23),[id]),N'*** ERROR ***')``). SQLite has generated
columns, but not T-SQL: ``+`` on text is ``||`` there, ``N'...'`` and ``CONVERT`` do
not exist, and a generated column may only use deterministic functions. This module
translates what has a faithful SQLite equivalent (ISNULL/COALESCE, CAST/CONVERT without
a style, ``+`` concatenation, arithmetic, YEAR/MONTH/DAY, DATEPART, DATEDIFF in days,
LEN, UPPER/LOWER, LEFT/RIGHT, SUBSTRING, LTRIM/RTRIM) and proves the result on an
in-memory table before it is used. Anything else (``getdate()``, styles, CLR methods)
stays a plain, nullable column on SQLite that sample rows fill: still read-only in the
app, because the model says it is computed.
"""

from __future__ import annotations

import logging
import sqlite3

import sqlglot
from sqlalchemy import Column, Table
from sqlalchemy import types as sqltypes
from sqlalchemy.schema import Computed
from sqlglot import exp

log = logging.getLogger(__name__)

TEXT_TYPES = {
    exp.DataType.Type.CHAR,
    exp.DataType.Type.NCHAR,
    exp.DataType.Type.VARCHAR,
    exp.DataType.Type.NVARCHAR,
    exp.DataType.Type.TEXT,
}
INTEGER_TYPES = {
    exp.DataType.Type.TINYINT,
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.INT,
    exp.DataType.Type.BIGINT,
    exp.DataType.Type.BIT,
}
TEXT_FUNCTIONS = (
    exp.Upper,
    exp.Lower,
    exp.Left,
    exp.Right,
    exp.Substring,
    exp.Trim,
    exp.DPipe,
    exp.Concat,
)
DATE_PARTS = {"year": "%Y", "month": "%m", "day": "%d", "hour": "%H", "minute": "%M"}


class Untranslatable(ValueError):
    """The expression has no faithful SQLite equivalent."""


def translate_computed(sqltext: str, table: Table) -> str | None:
    """The SQLite text of a computed column's T-SQL expression, or None."""
    try:
        tree = sqlglot.parse_one(sqltext, read="tsql")
        translated = _rewrite(tree, table).sql(dialect="sqlite")
    except (sqlglot.errors.SqlglotError, Untranslatable) as exc:
        log.info("computed column %s (%s): not translated: %s", table, sqltext, exc)
        return None
    if not _works(translated, table):
        return None
    return translated


def _rewrite(tree: exp.Expression, table: Table) -> exp.Expression:
    def visit(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and _column(table, node.name) is None:
            # SQLite would read an unknown "name" as a string literal.
            raise Untranslatable(f"no column {node.name!r}")
        if isinstance(node, exp.National):
            return exp.Literal.string(node.name)
        if isinstance(node, exp.Convert | exp.Cast | exp.TryCast):
            return _cast(node)
        if isinstance(node, exp.Add) and (
            _is_text(node.this, table) or _is_text(node.expression, table)
        ):
            return exp.DPipe(this=node.this, expression=node.expression, safe=True)
        if isinstance(node, exp.Year | exp.Month | exp.Day):
            part = type(node).__name__.lower()
            return _strftime_part(part, _date_operand(node.this))
        if isinstance(node, exp.Extract):
            part = node.this.name.lower()
            if part not in DATE_PARTS:
                raise Untranslatable(f"DATEPART({part})")
            return _strftime_part(part, node.expression)
        if isinstance(node, exp.DateDiff):
            unit = (node.args.get("unit") and node.unit.name or "day").lower()
            if unit not in {"day", "dd", "d"}:
                raise Untranslatable(f"DATEDIFF({unit})")
            # DATEDIFF counts the day boundaries crossed: compare the dates only.
            return exp.Cast(
                this=exp.Sub(
                    this=_julian_day(node.this), expression=_julian_day(node.expression)
                ),
                to=exp.DataType.build("INTEGER"),
            )
        if isinstance(node, exp.Left):
            return exp.Anonymous(
                this="substr",
                expressions=[node.this, exp.Literal.number(1), node.expression],
            )
        if isinstance(node, exp.Right):
            return exp.Anonymous(
                this="substr", expressions=[node.this, exp.Neg(this=node.expression)]
            )
        if isinstance(node, exp.Length):
            # LEN ignores trailing spaces.
            return exp.Length(this=exp.Trim(this=node.this, position="TRAILING"))
        if isinstance(node, exp.TimeToStr | exp.StrToTime):
            raise Untranslatable("a date conversion style")
        if isinstance(node, exp.CurrentTimestamp | exp.CurrentDate):
            raise Untranslatable("the current time is not deterministic")
        if isinstance(node, exp.Anonymous):
            raise Untranslatable(f"function {node.name}")
        return node

    def rewrite(node: exp.Expression) -> exp.Expression:
        # Children first, so that a parent sees its operands already translated.
        for key, value in list(node.args.items()):
            if isinstance(value, exp.Expression):
                node.set(key, rewrite(value))
            elif isinstance(value, list):
                node.set(
                    key,
                    [rewrite(v) if isinstance(v, exp.Expression) else v for v in value],
                )
        return visit(node)

    return rewrite(tree.copy())


def _cast(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Convert):
        if node.args.get("style") is not None:
            raise Untranslatable("CONVERT with a style")
        target, value = node.this, node.expression
    else:
        target, value = node.to, node.this
    if not isinstance(target, exp.DataType):
        raise Untranslatable(f"cast to {target}")
    if target.this in TEXT_TYPES:
        sqlite_type = "TEXT"
    elif target.this in INTEGER_TYPES:
        sqlite_type = "INTEGER"
    elif target.is_type(*exp.DataType.REAL_TYPES, *exp.DataType.NUMERIC_TYPES):
        sqlite_type = "NUMERIC"
    else:
        raise Untranslatable(f"cast to {target.sql()}")
    return exp.Cast(this=value, to=exp.DataType.build(sqlite_type))


def _date_operand(node: exp.Expression) -> exp.Expression:
    # sqlglot wraps YEAR()'s argument in its own date conversion; SQLite's strftime
    # takes the stored text as it is.
    while isinstance(node, exp.TsOrDsToDate | exp.TimeStrToTime):
        node = node.this
    return node


def _julian_day(value: exp.Expression) -> exp.Expression:
    date = exp.Anonymous(this="date", expressions=[_date_operand(value)])
    return exp.Anonymous(this="julianday", expressions=[date])


def _strftime_part(part: str, value: exp.Expression) -> exp.Expression:
    if part not in DATE_PARTS:
        raise Untranslatable(f"date part {part}")
    return exp.Cast(
        this=exp.Anonymous(
            this="strftime",
            expressions=[exp.Literal.string(DATE_PARTS[part]), _date_operand(value)],
        ),
        to=exp.DataType.build("INTEGER"),
    )


def _is_text(node: exp.Expression, table: Table) -> bool:
    if isinstance(node, exp.Paren):
        return _is_text(node.this, table)
    if isinstance(node, exp.Literal):
        return node.is_string
    if isinstance(node, exp.National | exp.DPipe):
        return True
    if isinstance(node, exp.Cast):
        return node.to.this in TEXT_TYPES
    if isinstance(node, exp.Convert):
        return isinstance(node.this, exp.DataType) and node.this.this in TEXT_TYPES
    if isinstance(node, exp.Column):
        column = _column(table, node.name)
        return column is not None and isinstance(column.type, sqltypes.String)
    if isinstance(node, exp.Coalesce):
        return any(_is_text(arg, table) for arg in [node.this, *node.expressions])
    if isinstance(node, exp.Add):
        return _is_text(node.this, table) or _is_text(node.expression, table)
    return isinstance(node, TEXT_FUNCTIONS)


def _column(table: Table, name: str) -> Column | None:
    folded = name.casefold()
    return next((c for c in table.columns if c.name.casefold() == folded), None)


def _works(translated: str, table: Table) -> bool:
    """True when SQLite accepts the expression as a generated column of the table."""
    columns = [
        f'"{c.name.replace(chr(34), chr(34) * 2)}"'
        for c in table.columns
        if c.computed is None
    ]
    ddl = (
        f"CREATE TABLE probe ({', '.join(columns) or 'x'}, "
        f"tablefront_probe GENERATED ALWAYS AS ({translated}) VIRTUAL)"
    )
    from app.embedded import register_sqlserver_functions

    connection = sqlite3.connect(":memory:")
    try:
        register_sqlserver_functions(connection)
        connection.execute(ddl)
        connection.execute("INSERT INTO probe DEFAULT VALUES")
        connection.execute("SELECT tablefront_probe FROM probe").fetchall()
    except sqlite3.Error as exc:
        log.info("computed column of %s: SQLite refuses %s: %s", table, translated, exc)
        return False
    finally:
        connection.close()
    return True


def computed_on_sqlite(computed: Computed) -> str:
    """``GENERATED ALWAYS AS (...)`` for SQLite, or "" when it can't be translated."""
    column = computed.column
    translated = translate_computed(str(computed.sqltext), column.table)
    if translated is None:
        log.warning(
            "computed column %s.%s is a plain column on SQLite (its T-SQL has no "
            "SQLite equivalent): sample rows fill it",
            column.table.fullname,
            column.name,
        )
        return ""
    kind = "STORED" if computed.persisted else "VIRTUAL"
    return f"GENERATED ALWAYS AS ({translated}) {kind}"


def is_untranslated_computed(column: Column) -> bool:
    """True for a computed column that SQLite holds as a plain column."""
    computed = column.computed
    return (
        computed is not None
        and translate_computed(str(computed.sqltext), column.table) is None
    )
