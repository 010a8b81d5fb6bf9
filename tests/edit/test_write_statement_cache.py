"""The write-statement templates: shared by shape, never by caller."""

from __future__ import annotations

from app.access import TableAccess
from app.data.writes import statements
from tests.edit.world import WRITE, employees
from tests.mssql import compile_mssql

RV = {"row_version": b"\x00" * 8}


def _update_for(access: TableAccess) -> str:
    statement, _params = statements.update_template(
        employees, {"employee_id": 1}, {"email": "a@b"}, RV, access=access
    )
    return str(statement.compile())


def test_update_template_for_many_callers_one_entry_per_shape():
    """GIVEN three callers' accesses to employees (fresh objects, as each request
    makes them), two with the same rights and one limited to department 2
    WHEN each builds the UPDATE of the same columns
    THEN the cache holds one template for that shape, not one per caller."""
    statements._TEMPLATES.clear()
    for access in (
        TableAccess("corp.employees", WRITE),
        TableAccess("corp.employees", WRITE),
        TableAccess("corp.employees", WRITE, row_filter=employees.c.department_id == 2),
    ):
        _update_for(access)
    assert [key[:2] for key in statements._TEMPLATES] == [("update", employees)]


def test_update_template_after_unfiltered_caller_keeps_the_limited_callers_filter():
    """GIVEN the UPDATE template built first for an unlimited caller
    WHEN a caller limited to department 2 builds the same UPDATE
    THEN only the limited caller's statement carries the department filter."""
    statements._TEMPLATES.clear()
    limited = TableAccess(
        "corp.employees", WRITE, row_filter=employees.c.department_id == 2
    )
    unlimited_sql = _update_for(TableAccess("corp.employees", WRITE))
    limited_sql = _update_for(limited)
    assert "department_id" not in unlimited_sql.split("WHERE")[1]
    assert "department_id" in limited_sql.split("WHERE")[1]
    assert "department_id" not in _update_for(TableAccess("corp.employees", WRITE))


def test_read_row_statement_for_limited_caller_compiles_for_sql_server():
    """GIVEN a caller limited to department 2
    WHEN the row's SELECT is built from the shared template
    THEN it compiles for SQL Server with the key and the filter in its WHERE."""
    limited = TableAccess(
        "corp.employees", WRITE, row_filter=employees.c.department_id == 2
    )
    sql = compile_mssql(statements.read_row_statement(employees, limited, "update"))
    where = sql.split("WHERE")[1]
    assert "employee_id" in where and "department_id" in where
