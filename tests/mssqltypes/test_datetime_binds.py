"""DATETIME/SMALLDATETIME parameters reach SQL Server CAST to the column's own type.

pyodbc sends a Python datetime as datetime2(7); SQL Server (compat level 130+) then
compares a DATETIME value ending in .xx3/.xx7 ms exactly and never finds it equal
(FACTS.md). ``CAST(? AS DATETIME)`` rounds the parameter to the stored tick instead.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Unicode, create_engine, select

from app.access import TableAccess
from app.catalog import build_catalog
from app.data import writes
from app.data.query import keyset_after, sort_columns
from app.data.scope import Scope
from app.models.generated.ops import OpsMaintenanceWindow
from app.mssql_types import DATETIME_LEGACY
from tests.mssql import compile_mssql

WINDOWS = OpsMaintenanceWindow.__table__
# A DATETIME as SQL Server stores it: .003 ms is really 1/300 s.
ON_A_TICK = dt.datetime(2026, 3, 2, 9, 15, 0, 3000)
CAST_DATETIME = "CAST(? AS DATETIME)"


@pytest.fixture
def scope() -> Scope:
    """Full access on the demo's ops.maintenance_windows (a DATETIME sort column)."""
    catalog = build_catalog([WINDOWS], None)
    info = catalog.get("ops.maintenance_windows")
    access = TableAccess("ops.maintenance_windows", frozenset({"read"}))
    return Scope(info, access, None, catalog)


def test_datetime_legacy_equality_mssql_casts_parameter():
    """GIVEN the demo's DATETIME column starts_at
    WHEN ``starts_at = <datetime>`` is compiled for SQL Server
    THEN the parameter is CAST to DATETIME (so a .xx3 ms value can match)."""
    sql = compile_mssql(select(WINDOWS).where(WINDOWS.c.starts_at == ON_A_TICK))
    assert f"ops.maintenance_windows.starts_at = {CAST_DATETIME}" in sql


def test_smalldatetime_legacy_equality_mssql_casts_to_smalldatetime():
    """GIVEN the demo's SMALLDATETIME column remind_at
    WHEN ``remind_at = <datetime>`` is compiled for SQL Server
    THEN the parameter is CAST to SMALLDATETIME."""
    sql = compile_mssql(select(WINDOWS).where(WINDOWS.c.remind_at == ON_A_TICK))
    assert "ops.maintenance_windows.remind_at = CAST(? AS SMALLDATETIME)" in sql


def test_keyset_after_datetime_sort_casts_every_bound(scope):
    """GIVEN a list sorted on the DATETIME column starts_at
    WHEN the keyset condition for the next page is compiled for SQL Server
    THEN every comparison with the last row's starts_at casts its parameter."""
    sort = sort_columns(scope, "starts_at")
    condition = keyset_after(scope, sort, [ON_A_TICK, 1010], reverse=False)
    sql = compile_mssql(select(WINDOWS.c.window_no).where(condition))
    compared = re.findall(r"starts_at (?:>=|>|=|<=|<) (\S+(?: AS DATETIME\))?)", sql)
    assert compared, sql
    assert all(bound == CAST_DATETIME for bound in compared), sql


def test_update_concurrency_datetime_original_casts_parameter():
    """GIVEN an edit of a maintenance window (no rowversion) opened at a .xx3 ms start
    WHEN the UPDATE is compiled for SQL Server
    THEN the original-value check compares starts_at with a CAST parameter."""
    stmt = writes.update_statement(
        WINDOWS,
        {"window_no": 1010},
        {"title": "HVAC service"},
        {"title": "Generator test", "starts_at": ON_A_TICK},
    )
    where = compile_mssql(stmt).split("WHERE", 1)[1]
    assert f"ops.maintenance_windows.starts_at = {CAST_DATETIME}" in where


def test_row_key_datetime_primary_key_casts_parameter():
    """GIVEN a legacy table keyed by a DATETIME column
    WHEN the statement reading one row by its key is compiled for SQL Server
    THEN the key parameter is CAST to DATETIME (else the row 404s)."""
    table = Table(
        "readings",
        MetaData(),
        Column("taken_at", DATETIME_LEGACY(), primary_key=True),
        Column("value", Integer),
        schema="ops",
    )
    access = TableAccess("ops.readings", frozenset({"read"}))
    sql = compile_mssql(writes.read_row_statement(table, access))
    assert f"ops.readings.taken_at = {CAST_DATETIME}" in sql


def test_datetime_legacy_sqlite_round_trip_matches_without_cast():
    """GIVEN a .xx3 ms DATETIME value stored in SQLite (the embedded default)
    WHEN it is read back with ``= <the same datetime>``
    THEN the row is found and the SQL has no CAST (only SQL Server needs it)."""
    table = Table(
        "log",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", DATETIME_LEGACY()),
        Column("note", Unicode(20)),
    )
    engine = create_engine("sqlite://")
    table.create(engine)
    query = select(table.c.id).where(table.c.at == ON_A_TICK)
    with engine.begin() as conn:
        conn.execute(table.insert().values(id=1, at=ON_A_TICK, note="x"))
        assert conn.execute(query).scalar_one() == 1
    assert "CAST" not in str(query.compile(engine))
