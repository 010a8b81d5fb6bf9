"""The T-SQL compile helper (tests/mssql.py) renders what SQL Server would receive."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    select,
    true,
)
from sqlalchemy.exc import CompileError

from tests.mssql import assert_parses_as_tsql, compile_mssql

metadata = MetaData()
departments = Table(
    "departments",
    metadata,
    Column("department_id", Integer, primary_key=True),
    Column("code", String(10), nullable=False),
    Column("Cost Center", String(20)),
    schema="hr",
)
employees = Table(
    "employees",
    metadata,
    Column("employee_id", Integer, primary_key=True),
    Column("last_name", String(50)),
    Column("is_active", Boolean),
    schema="hr",
)


def test_compile_mssql_schema_qualified_table_renders_schema_dot_table():
    """GIVEN a table in schema hr WHEN compiled THEN FROM names hr.employees."""
    sql = compile_mssql(select(employees.c.employee_id))
    assert "FROM hr.employees" in sql


def test_compile_mssql_column_with_space_renders_bracket_quoted():
    """GIVEN column 'Cost Center' WHEN compiled THEN it is quoted [Cost Center]."""
    sql = compile_mssql(select(departments.c["Cost Center"]))
    assert "hr.departments.[Cost Center]" in sql


def test_compile_mssql_limit_without_offset_renders_top():
    """GIVEN a LIMIT without OFFSET WHEN compiled THEN SQL Server gets SELECT TOP n."""
    sql = compile_mssql(select(employees).limit(50))
    assert sql.startswith("SELECT TOP 50 ")
    assert "OFFSET" not in sql


def test_compile_mssql_offset_with_order_by_renders_offset_fetch():
    """GIVEN LIMIT, OFFSET, ORDER BY WHEN compiled THEN OFFSET/FETCH ends it."""
    stmt = select(employees).order_by(employees.c.employee_id).limit(50).offset(100)
    sql = " ".join(compile_mssql(stmt, literal_binds=True).split())
    assert sql.endswith(
        "ORDER BY hr.employees.employee_id OFFSET 100 ROWS FETCH FIRST 50 ROWS ONLY"
    )
    assert "ROW_NUMBER" not in sql


def test_compile_mssql_offset_without_order_by_raises_compile_error():
    """GIVEN OFFSET without ORDER BY WHEN compiled THEN CompileError."""
    with pytest.raises(CompileError, match="order_by"):
        compile_mssql(select(employees).limit(50).offset(100))


def test_compile_mssql_boolean_equals_true_renders_equals_one():
    """GIVEN col == true() WHEN compiled THEN the predicate is '= 1', valid T-SQL."""
    sql = compile_mssql(select(employees).where(employees.c.is_active == true()))
    assert "hr.employees.is_active = 1" in sql


def test_compile_mssql_bound_values_stay_qmark_placeholders():
    """GIVEN a value in a WHERE clause WHEN compiled THEN it is a ? parameter."""
    sql = compile_mssql(select(employees).where(employees.c.last_name == "O'Hara"))
    assert "last_name = ?" in sql
    assert "O'Hara" not in sql


def test_compile_mssql_schema_map_renders_physical_schema():
    """GIVEN schema map hr=hr_uat WHEN compiled THEN hr_uat is named and hr is not."""
    sql = compile_mssql(
        employees.update().values(is_active=False).where(employees.c.employee_id == 7),
        schema_map={"hr": "hr_uat"},
    )
    assert sql.startswith("UPDATE hr_uat.employees SET")
    assert " hr.employees" not in sql


def test_compile_mssql_old_server_version_uses_row_number_wrapper():
    """GIVEN SQL Server 2008 (10) WHEN paging is compiled THEN ROW_NUMBER() is used."""
    stmt = select(employees).order_by(employees.c.employee_id).limit(5).offset(5)
    assert "ROW_NUMBER()" in compile_mssql(stmt, server_version=(10,))


@pytest.mark.parametrize(
    "broken",
    [
        "SELECT a FROM hr.employees WHERE",
        "SELECT a FROM hr.employees WHERE (a = ?",
    ],
)
def test_compiled_text_is_parsed_as_tsql(broken):
    """GIVEN T-SQL with a clause cut short or unbalanced parentheses
    WHEN the compile helper's parse check reads it
    THEN it fails, naming the text (every compiled statement goes through it)."""
    with pytest.raises(AssertionError, match="not valid T-SQL"):
        assert_parses_as_tsql(broken)
    assert_parses_as_tsql("SELECT a FROM hr.employees WHERE (a = ?)")
