"""The type and nullability SQL Server gives a computed column, from its expression.

Reflection reads both from ``sys.columns``; scripts only have the expression, so
``--from-ddl`` works them out the way SQL Server does: a CONVERT/CAST gives its target
type, ``+`` on text gives (n)varchar, arithmetic follows the data type precedence and
decimal's precision/scale rules, ISNULL takes its first argument's type and is NOT
NULL when its replacement is, and the usual functions have their documented types.
An expression it can't type is ``sql_variant``: shown, never edited, never sorted.
"""

from __future__ import annotations

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import mssql
from sqlalchemy.schema import Table
from sqlalchemy.types import TypeEngine
from sqlglot import exp

MAX_PRECISION = 38
# SQL Server's data type precedence, highest first (numbers only: text is decided
# before, as + on text is concatenation).
NUMBER_PRECEDENCE = [
    "FLOAT", "REAL", "DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY",
    "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "BIT",
]  # fmt: skip
INTEGER_PRECISION = {"BIGINT": 19, "INTEGER": 10, "SMALLINT": 5, "TINYINT": 3, "BIT": 1}
TYPE_NAMES = {
    exp.DataType.Type.NVARCHAR: lambda n: mssql.NVARCHAR(n),
    exp.DataType.Type.VARCHAR: lambda n: mssql.VARCHAR(n),
    exp.DataType.Type.NCHAR: lambda n: mssql.NCHAR(n),
    exp.DataType.Type.CHAR: lambda n: mssql.CHAR(n),
}


class Untyped(ValueError):
    """SQL Server's type for the expression is not worked out here."""


def computed_column_type(
    computed: exp.ComputedColumnConstraint, table: Table
) -> tuple[TypeEngine, bool]:
    """(type, nullable) of a computed column as SQL Server would report them."""
    expression = computed.this
    try:
        sql_type = _type_of(expression, table)
    except Untyped:
        sql_type = mssql.SQL_VARIANT()
    nullable = not computed.args.get("not_null") and _may_be_null(expression, table)
    return sql_type, nullable


def _type_of(node: exp.Expression, table: Table) -> TypeEngine:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        column = _column(table, node.name)
        if column is None:
            raise Untyped(node.name)
        return column.type
    if isinstance(node, exp.National):
        return mssql.NVARCHAR(max(len(node.name), 1))
    if isinstance(node, exp.Literal):
        if node.is_string:
            return mssql.VARCHAR(max(len(node.name), 1))
        if "." in node.name:
            whole, _, fraction = node.name.partition(".")
            return sqltypes.DECIMAL(
                len(whole.lstrip("-")) + len(fraction), len(fraction)
            )
        return sqltypes.Integer()
    if isinstance(node, exp.Convert):
        return _data_type(node.this)
    if isinstance(node, exp.Cast | exp.TryCast):
        return _data_type(node.to)
    if isinstance(node, exp.Coalesce):
        return _type_of(node.this, table)  # ISNULL: the first argument's type
    if isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Div | exp.Mod):
        left, right = _type_of(node.this, table), _type_of(node.expression, table)
        if isinstance(node, exp.Add) and (_is_text(left) or _is_text(right)):
            return _concatenated(left, right)
        return _arithmetic(type(node), left, right)
    if isinstance(node, exp.Length | exp.Year | exp.Month | exp.Day | exp.DateDiff):
        return sqltypes.Integer()
    if isinstance(node, exp.Extract):
        return sqltypes.Integer()
    if isinstance(node, exp.Upper | exp.Lower | exp.Trim | exp.Left | exp.Right):
        return _type_of(node.this, table)
    if isinstance(node, exp.Substring):
        return _type_of(node.this, table)
    if isinstance(node, exp.CurrentTimestamp):
        return mssql.DATETIME()
    if isinstance(node, exp.Case):
        ifs = node.args.get("ifs") or []
        if ifs:
            return _type_of(ifs[0].args["true"], table)
    raise Untyped(node.sql("tsql"))


def _data_type(node: exp.Expression) -> TypeEngine:
    if not isinstance(node, exp.DataType):
        raise Untyped(str(node))
    params = [
        p.this.name if isinstance(p.this, exp.Literal) else p.name
        for p in node.expressions
    ]
    if node.this in TYPE_NAMES:
        length = params[0] if params else "30"
        return TYPE_NAMES[node.this](None if length.upper() == "MAX" else int(length))
    text = node.sql("tsql")
    from sqlalchemy.dialects.mssql.base import ischema_names

    name = text.split("(", 1)[0].strip().lower()
    factory = ischema_names.get(name)
    if factory is None:
        raise Untyped(text)
    numbers = [int(p) for p in params if p.isdigit()]
    if issubclass(factory, sqltypes.Numeric) and numbers:
        return factory(*numbers[:2])
    return factory()


def _is_text(sql_type: TypeEngine) -> bool:
    return isinstance(sql_type, sqltypes.String)


def _concatenated(left: TypeEngine, right: TypeEngine) -> TypeEngine:
    unicode = any(
        isinstance(t, sqltypes.NVARCHAR | sqltypes.NCHAR | sqltypes.Unicode)
        for t in (left, right)
    )
    lengths = [getattr(t, "length", None) for t in (left, right)]
    if all(isinstance(n, int) for n in lengths):
        limit = 4000 if unicode else 8000
        total: int | None = min(sum(lengths), limit)
    else:
        total = None
    return mssql.NVARCHAR(total) if unicode else mssql.VARCHAR(total)


def _number_name(sql_type: TypeEngine) -> str:
    name = type(sql_type).__name__.upper()
    if isinstance(sql_type, sqltypes.Boolean):
        return "BIT"
    if name in NUMBER_PRECEDENCE:
        return name
    if isinstance(sql_type, sqltypes.BigInteger):
        return "BIGINT"
    if isinstance(sql_type, sqltypes.SmallInteger):
        return "SMALLINT"
    if isinstance(sql_type, sqltypes.Integer):
        return "INTEGER"
    if isinstance(sql_type, sqltypes.Float):
        return "FLOAT"
    if isinstance(sql_type, sqltypes.Numeric):
        return "DECIMAL"
    raise Untyped(name)


def _precision_scale(sql_type: TypeEngine, name: str) -> tuple[int, int]:
    if name in INTEGER_PRECISION:
        return INTEGER_PRECISION[name], 0
    if name in {"MONEY", "SMALLMONEY"}:
        return (19 if name == "MONEY" else 10), 4
    return (sql_type.precision or 18), (sql_type.scale or 0)


def _arithmetic(operator: type, left: TypeEngine, right: TypeEngine) -> TypeEngine:
    names = [_number_name(left), _number_name(right)]
    winner = min(names, key=NUMBER_PRECEDENCE.index)
    if winner not in {"DECIMAL", "NUMERIC"}:
        return left if names[0] == winner else right
    (p1, s1), (p2, s2) = (
        _precision_scale(left, names[0]),
        _precision_scale(right, names[1]),
    )
    if operator is exp.Mul:
        precision, scale = p1 + p2 + 1, s1 + s2
    elif operator is exp.Div:
        scale = max(6, s1 + p2 + 1)
        precision = p1 - s1 + s2 + scale
    else:
        scale = max(s1, s2)
        precision = max(p1 - s1, p2 - s2) + scale + 1
    if precision > MAX_PRECISION:  # SQL Server keeps the integral part first
        scale = max(min(scale, 6), scale - (precision - MAX_PRECISION))
        precision = MAX_PRECISION
    return sqltypes.DECIMAL(precision, scale)


def _may_be_null(node: exp.Expression, table: Table) -> bool:
    """False when SQL Server knows the expression is never NULL (ISNULL's rule)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Coalesce) and node.args.get("is_null"):
        replacement = (node.expressions or [None])[0]
        return replacement is None or _may_be_null(replacement, table)
    if isinstance(node, exp.Literal | exp.National):
        return False
    if isinstance(node, exp.Column):
        column = _column(table, node.name)
        return column is None or column.nullable
    return True


def _column(table: Table, name: str):
    folded = name.casefold()
    return next((c for c in table.columns if c.name.casefold() == folded), None)
