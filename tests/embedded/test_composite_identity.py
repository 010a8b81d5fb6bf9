"""An IDENTITY column inside a composite primary key numbers rows on SQLite too."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Column,
    Identity,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    create_engine,
    insert,
    select,
)
from sqlalchemy.dialects import mssql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateTable

import app.embedded  # noqa: F401  (the SQLite DDL hooks)


def order_lines() -> Table:
    """dbo.[Order Line]: (OrderID, LineID) with LineID an IDENTITY, as generated."""
    return Table(
        "Order Line",
        MetaData(),
        Column("OrderID", Integer, primary_key=True, autoincrement=False),
        Column(
            "LineID",
            Integer,
            Identity(start=1, increment=1),
            primary_key=True,
            autoincrement=True,
        ),
        Column("Qty", SmallInteger, nullable=False),
        PrimaryKeyConstraint("OrderID", "LineID", name="PK_Order_Line"),
        schema=None,
    )


def test_composite_identity_key_numbers_new_rows_on_sqlite():
    """GIVEN order lines keyed (OrderID, LineID IDENTITY)
    WHEN two lines are inserted without a LineID
    THEN SQLite numbers them 1 and 2 and hands the numbers back."""
    table = order_lines()
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        table.metadata.create_all(conn)
        first = conn.execute(insert(table).values(OrderID=7, Qty=1))
        second = conn.execute(insert(table).values(OrderID=7, Qty=2))
        assert [first.inserted_primary_key, second.inserted_primary_key] == [
            (7, 1),
            (7, 2),
        ]
        assert conn.execute(select(table.c.LineID, table.c.Qty)).all() == [
            (1, 1),
            (2, 2),
        ]


def test_composite_identity_key_still_refuses_a_duplicate_key():
    """GIVEN a line (7, 1)
    WHEN another row with key (7, 1) is inserted by hand
    THEN SQLite refuses it, as SQL Server's primary key would."""
    table = order_lines()
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        table.metadata.create_all(conn)
        conn.execute(insert(table).values(OrderID=7, Qty=1))
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(insert(table).values(OrderID=7, LineID=1, Qty=5))


def test_composite_identity_key_ddl_changes_only_on_sqlite():
    """GIVEN the same table WHEN compiled for SQL Server
    THEN the composite PRIMARY KEY and the IDENTITY are as the model says."""
    ddl = str(CreateTable(order_lines()).compile(dialect=mssql.dialect()))
    assert "IDENTITY(1,1)" in ddl
    assert "PRIMARY KEY ([OrderID], [LineID])" in ddl
