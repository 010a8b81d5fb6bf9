"""Computed columns of any schema on the embedded SQLite database."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import (
    Column,
    Computed,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    Table,
    Unicode,
    create_engine,
    insert,
    select,
)

import app.embedded  # noqa: F401  (SQLite DDL for SQL Server models)
from app.embedded import register_sqlserver_functions
from app.embedded_computed import translate_computed

CASES = {
    "ISNULL, N'', + on text, CONVERT": (
        "ISNULL(N'SO'+CONVERT(nvarchar(23),[OrderID]),N'*** ERROR ***')",
        "SO42",
    ),
    "arithmetic": ("([Qty]*[UnitPrice])", 30),
    "text + text": ("[Name]+N' / '+[Name]", "Kim / Kim"),
    "LEFT, UPPER, CAST": ("UPPER(LEFT([Name],2))+CAST([Qty] AS varchar(5))", "KI3"),
    "RIGHT": ("RIGHT([Name],2)", "im"),
    "LEN ignores trailing spaces": ("LEN([Padded])", 2),
    "YEAR": ("YEAR([PlacedAt])", 2024),
    "DATEPART(month)": ("DATEPART(month,[PlacedAt])", 5),
    "DATEDIFF(day)": ("DATEDIFF(day,[PlacedAt],[ShippedAt])", 3),
}


def order_table(expression: str) -> Table:
    """dbo.Order with one computed column holding *expression*."""
    return Table(
        "Order",
        MetaData(),
        Column("OrderID", Integer, primary_key=True),
        Column("Name", Unicode(20)),
        Column("Padded", Unicode(20)),
        Column("Qty", SmallInteger),
        Column("UnitPrice", Numeric(10, 4)),
        Column("PlacedAt", DateTime),
        Column("ShippedAt", DateTime),
        Column("Computed", Unicode(40), Computed(expression), nullable=False),
    )


def run(table: Table) -> object:
    """Create the table on SQLite, insert order 42, read the computed value."""
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        register_sqlserver_functions(conn.connection.dbapi_connection)
        table.metadata.create_all(conn)
        conn.execute(
            insert(table).values(
                OrderID=42,
                Name="Kim",
                Padded="ab  ",
                Qty=3,
                UnitPrice=10,
                PlacedAt=dt.datetime(2024, 5, 6, 10),
                ShippedAt=dt.datetime(2024, 5, 9, 9),
            )
        )
        return conn.scalar(select(table.c.Computed))


@pytest.mark.parametrize("case", sorted(CASES), ids=str)
def test_computed_column_translated_gives_sql_servers_value(case):
    """GIVEN a T-SQL computed column WHEN the table is created on SQLite and a row
    inserted THEN SQLite computes what SQL Server would."""
    expression, expected = CASES[case]
    value = run(order_table(expression))
    assert str(value) == str(expected)


@pytest.mark.parametrize(
    "expression",
    [
        "DATEDIFF(day,[PlacedAt],getdate())",
        "CONVERT(varchar(10),[PlacedAt],120)",
        "dbo.fn_label([Name])",
        "[Name].ToString()",
    ],
)
def test_computed_column_untranslatable_is_a_plain_nullable_column(expression):
    """GIVEN a computed column with no SQLite equivalent (time, style, function)
    WHEN the table is created on SQLite
    THEN it exists as a plain column that accepts the row and sample values."""
    table = order_table(expression)
    assert translate_computed(expression, table) is None
    assert run(table) is None
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        table.metadata.create_all(conn)
        conn.execute(insert(table).values(OrderID=1, Computed="sample"))
        assert conn.scalar(select(table.c.Computed)) == "sample"


def test_translation_is_proven_on_sqlite_before_use():
    """GIVEN an expression naming a column the table lacks
    WHEN translated THEN it is refused rather than breaking CREATE TABLE."""
    assert translate_computed("[Missing]*2", order_table("1")) is None
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(":memory:").execute(
            "CREATE TABLE t (a, b GENERATED ALWAYS AS (Missing * 2))"
        )
