"""Columns the write layer never sends: temporal periods and opaque CLR types."""

from __future__ import annotations

from sqlalchemy import INTEGER, Column, MetaData, Table, Unicode
from sqlalchemy.dialects import mssql

from app.data import writes
from app.mssql_types import OpaqueSqlType


def test_editable_columns_period_columns_without_server_default_are_left_out():
    """GIVEN a temporal table whose ROW START/END columns are only marked in info
    (no FetchedValue: e.g. a hand-written model)
    WHEN the columns an UPDATE or INSERT may set are listed
    THEN neither period column is among them (Msg 13536/13537)."""
    table = Table(
        "pay_rates",
        MetaData(),
        Column("id", INTEGER(), primary_key=True, autoincrement=False),
        Column("grade", Unicode(10)),
        Column("valid_from", mssql.DATETIME2(), info={"generated_always": "row_start"}),
        Column("valid_to", mssql.DATETIME2(), info={"generated_always": "row_end"}),
        schema="hr",
    )
    assert [c.name for c in writes.editable_columns(table, creating=True)] == [
        "id",
        "grade",
    ]


def test_editable_columns_opaque_clr_column_is_left_out():
    """GIVEN a table with a hierarchyid column (opaque: read as text)
    WHEN the columns a form may set are listed
    THEN the hierarchyid column is not among them."""
    table = Table(
        "org",
        MetaData(),
        Column("id", INTEGER(), primary_key=True, autoincrement=False),
        Column("node", OpaqueSqlType("hierarchyid")),
    )
    assert [c.name for c in writes.editable_columns(table, creating=True)] == ["id"]
