"""The audit log's NVARCHAR columns are Unicode in the model (binds as NVARCHAR)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy.schema import CreateTable

from app.models.audit import AuditLog
from tests.mssql import mssql_dialect

NVARCHAR_COLUMNS = ("user_login", "table_name", "row_key", "old_values", "new_values")
# Stand-in for the pyodbc module: only the two type codes the dialect hands to
# cursor.setinputsizes() for strings.
FAKE_PYODBC = SimpleNamespace(SQL_VARCHAR="SQL_VARCHAR", SQL_WVARCHAR="SQL_WVARCHAR")


def test_audit_log_ddl_nvarchar_columns_compile_as_nvarchar():
    """GIVEN the audit log model
    WHEN its CREATE TABLE is compiled for SQL Server
    THEN every column sql/app declares NVARCHAR is NVARCHAR there too."""
    ddl = str(CreateTable(AuditLog.__table__).compile(dialect=mssql_dialect()))
    for name in NVARCHAR_COLUMNS:
        assert re.search(rf"\b{name} NVARCHAR\(", ddl), ddl


@pytest.mark.parametrize("name", NVARCHAR_COLUMNS)
def test_audit_log_bind_type_nvarchar_column_is_wide(name):
    """GIVEN an audit log NVARCHAR column
    WHEN the pyodbc dialect picks the setinputsizes type for its parameters
    THEN it is SQL_WVARCHAR (NVARCHAR), so non-Latin-1 text is not turned into '?'."""
    dialect = mssql_dialect()
    impl = AuditLog.__table__.c[name].type.dialect_impl(dialect)
    dbapi_type = impl.get_dbapi_type(FAKE_PYODBC)
    if isinstance(dbapi_type, tuple):
        dbapi_type = dbapi_type[0]
    assert dbapi_type == "SQL_WVARCHAR"
