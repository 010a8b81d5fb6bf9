"""Operator classes for the SQL Server types SQLAlchemy leaves without one.

SQLAlchemy 2.1 asks every type to say which operators it supports
(``TypeEngine.operator_classes``) and warns, deprecated, when an expression uses an
operator on a type that says nothing: ``mssql.MONEY``, ``SMALLMONEY`` and
``SQL_VARIANT`` are bare ``TypeEngine`` subclasses that still say nothing (2.1.9), so
every filter, comparison and ORDER BY on a money column warned — and a future release
will make that an error. Generated models name these types directly (they must stay
exactly what the generator writes), so the declaration is made once, here, on the
types themselves; it is the same on every backend.

- MONEY/SMALLMONEY are exact decimals on SQL Server: the operators of ``Numeric``
  (comparison, ordering, arithmetic).
- sql_variant may be compared and ordered (SQL Server orders by base-type family),
  never used in arithmetic or string matching.

Imported by ``app.models`` (before the generated models) and by ``app.embedded``.
A type that already declares its classes (a later SQLAlchemy) is left alone.
"""

from __future__ import annotations

from sqlalchemy.dialects import mssql
from sqlalchemy.sql.operators import OperatorClass

OPERATOR_CLASSES: dict[type, OperatorClass] = {
    mssql.MONEY: OperatorClass.NUMERIC,
    mssql.SMALLMONEY: OperatorClass.NUMERIC,
    mssql.SQL_VARIANT: OperatorClass.BASE | OperatorClass.COMPARISON,
}


def declare_operator_classes() -> None:
    """Give each type above its operator classes unless it already has some."""
    for type_, classes in OPERATOR_CLASSES.items():
        if type_.operator_classes is OperatorClass.UNSPECIFIED:
            type_.operator_classes = classes


declare_operator_classes()
