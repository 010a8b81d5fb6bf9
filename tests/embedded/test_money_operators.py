"""MONEY, SMALLMONEY and sql_variant columns take operators without a deprecation.

SQLAlchemy 2.1 warns (SADeprecationWarning, an error in a future release) when an
operator is used on a type without ``operator_classes``; app.mssql_types declares
them for the SQL Server types that lack one.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.dialects import mssql, sqlite
from sqlalchemy.exc import SADeprecationWarning

from app import mssql_types
from tests.embedded.models import Employee

prices = Table(
    "prices",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("price", mssql.MONEY),
    Column("fee", mssql.SMALLMONEY),
    Column("tag", mssql.SQL_VARIANT),
)


def test_every_listed_type_declares_operator_classes():
    """GIVEN the SQL Server types SQLAlchemy leaves unspecified
    WHEN app.mssql_types has been imported
    THEN each declares operator classes."""
    for type_, classes in mssql_types.OPERATOR_CLASSES.items():
        assert type_.operator_classes == classes


@pytest.mark.parametrize("dialect", [mssql.dialect(), sqlite.dialect()])
def test_money_filter_sort_and_arithmetic_compile_without_warning(dialect):
    """GIVEN MONEY, SMALLMONEY and sql_variant columns
    WHEN compared, ordered, added and multiplied in one statement
    THEN no warning at all is raised and the SQL says what was asked."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stmt = (
            select(prices.c.id, (prices.c.price + prices.c.fee) * 2)
            .where(prices.c.price >= Decimal("10.5"), prices.c.fee != 0)
            .where(prices.c.tag == "x")
            .order_by(prices.c.price.desc(), prices.c.tag)
        )
        sql = str(stmt.compile(dialect=dialect))
    assert "prices.price >=" in sql and "ORDER BY prices.price DESC" in sql


def test_sql_variant_string_matching_is_outside_its_classes():
    """GIVEN a sql_variant column WHEN LIKE is asked of it
    THEN SQLAlchemy says it is outside the type's operator classes (declared, so
    the warning is the specific one, not "does not refer to an OperatorClass")."""
    with pytest.warns(SADeprecationWarning, match="does not include operator"):
        prices.c.tag.contains("x")


def test_money_filter_and_sort_on_sqlite_return_decimals(session):
    """GIVEN employees with salaries in a MONEY column on the embedded database
    WHEN filtered by salary and sorted by it
    THEN the right rows come back, in order, as Decimal, without a warning."""
    session.add_all(
        [
            Employee(login="CONTOSO\\a", last_name="A", salary=Decimal("4000.5")),
            Employee(login="CONTOSO\\b", last_name="B", salary=Decimal("5200.25")),
            Employee(login="CONTOSO\\c", last_name="C", salary=Decimal("3999")),
        ]
    )
    session.commit()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        salaries = session.scalars(
            select(Employee.salary)
            .where(Employee.salary > Decimal("4000"))
            .order_by(Employee.salary.desc())
        ).all()
    assert salaries == [Decimal("5200.2500"), Decimal("4000.5000")]
