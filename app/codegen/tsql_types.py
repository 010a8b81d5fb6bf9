"""SQL Server column types from T-SQL, as the mssql dialect's reflection gives them.

A type name as written (``rowversion``, ``nvarchar(max)``, ``decimal(12, 2)``) becomes
the class from the dialect's ``ischema_names`` with its length, precision and scale,
string types with the database's collation; a type the dialect does not know
(geography, geometry, hierarchyid) is an ``OpaqueSqlType`` keeping its name. A view's
columns take their types from the columns of the tables it selects.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table
from sqlalchemy.dialects.mssql import base as mssql_base
from sqlalchemy.types import NumericCommon, TypeEngine
from sqlglot import exp

from app.mssql_types import OpaqueSqlType

# Type names sys.types reports for aliases written in scripts.
TYPE_ALIASES = {"rowversion": "timestamp", "integer": "int", "dec": "decimal"}
STRING_TYPES = {"varchar", "nvarchar", "char", "nchar", "text", "ntext"}


def column_type(
    data_type: exp.DataType, spelled: str | None, collation: str
) -> TypeEngine:
    """The mssql dialect's type for a column's T-SQL type (``spelled``: its name as
    written); string types carry ``collation``."""
    name = (spelled or data_type.this.name).lower()
    name = TYPE_ALIASES.get(name, name)
    type_class = mssql_base.ischema_names.get(name)
    if type_class is None:  # geography, hierarchyid, ...: kept by name
        return OpaqueSqlType(name)
    params = [p.this.name for p in data_type.expressions]
    kwargs: dict = {}
    if name in STRING_TYPES or name in {"binary", "varbinary"}:
        if name not in {"text", "ntext"}:
            length = params[0] if params else "1"
            kwargs["length"] = None if length.upper() == "MAX" else int(length)
        if name in STRING_TYPES:
            kwargs["collation"] = collation
    elif issubclass(type_class, NumericCommon):
        precision, scale = _numeric_params(name, params)
        kwargs["precision"] = precision
        if name not in {"float", "real"}:
            kwargs["scale"] = scale
    return type_class(**kwargs)


def view_column_type(
    node: exp.Expression, aliases: dict[str, Table], outer_joined: set[str]
) -> tuple[TypeEngine, bool]:
    """The type and nullability of a view's column, from the columns it selects
    (``aliases``: the view's tables by alias; a column of an outer-joined one is
    nullable)."""
    if isinstance(node, exp.Column):
        if node.table and node.table not in aliases:
            raise ValueError(
                f"cannot derive a view column type from {node.sql('tsql')} "
                "(not a column of a table)"
            )
        source = aliases[node.table] if node.table else _only(aliases.values())
        column = source.c[node.name]
        return column.type, column.nullable or node.table in outer_joined
    if isinstance(node, exp.Count):
        return mssql_base.INTEGER(), True
    if isinstance(node, exp.Sum | exp.Min | exp.Max | exp.Avg):
        inner_type, _ = view_column_type(node.this, aliases, outer_joined)
        if isinstance(node, exp.Sum | exp.Avg) and isinstance(
            inner_type, mssql_base.DECIMAL
        ):
            inner_type = mssql_base.DECIMAL(precision=38, scale=inner_type.scale)
        return inner_type, True
    if isinstance(node, exp.Anonymous) and node.name.upper() == "COUNT_BIG":
        return mssql_base.BIGINT(), True
    raise ValueError(f"cannot derive a view column type from {node.sql('tsql')}")


def _numeric_params(name: str, params: list[str]) -> tuple[int | None, int | None]:
    if name in {"decimal", "numeric"}:
        precision = int(params[0]) if params else 18
        scale = int(params[1]) if len(params) > 1 else 0
        return precision, scale
    if name == "float":
        return (int(params[0]) if params else 53), None
    if name == "real":
        return 24, None
    return None, None


def _only(tables: Iterable[Table]) -> Table:
    (table,) = list(tables)
    return table
