"""INSERT/UPDATE/DELETE as SQL Server receives them (compiled offline)."""

from __future__ import annotations

import re

from app.data import writes
from tests.edit.world import assets, departments, employees
from tests.mssql import compile_mssql


def test_insert_statement_omits_server_managed_and_outputs_key():
    """GIVEN an employee row's values including server-managed columns
    WHEN the write layer builds the INSERT for SQL Server
    THEN identity, rowversion and clock-default columns are absent and the new key
    comes back through OUTPUT inserted.employee_id."""
    names = [c.name for c in writes.editable_columns(employees, creating=True)]
    assert not {"employee_id", "row_version", "modified_at"} & set(names)
    values = {n: None for n in names}
    sql = compile_mssql(writes.insert_statement(employees, values))
    assert "OUTPUT inserted.employee_id" in sql
    assert not re.search(r"row_version|modified_at|\(employee_id", sql)


def test_insert_statement_on_table_with_triggers_has_no_output():
    """GIVEN a table marked implicit_returning=False (it has triggers)
    WHEN its INSERT is compiled
    THEN no OUTPUT clause is emitted."""
    employees.implicit_returning = False
    try:
        sql = compile_mssql(writes.insert_statement(employees, {"first_name": "A"}))
    finally:
        employees.implicit_returning = True
    assert "OUTPUT" not in sql


def test_update_statement_with_rowversion_has_concurrency_predicate():
    """GIVEN an update of a table with rowversion
    WHEN compiled
    THEN WHERE has the key and the rowversion and SET never touches server columns."""
    stmt = writes.update_statement(
        employees, {"employee_id": 1}, {"email": "a@b"}, {"row_version": b"\x00" * 8}
    )
    sql = compile_mssql(stmt)
    assert (
        "WHERE corp.employees.employee_id = ? AND corp.employees.row_version = ?" in sql
    )
    set_part = sql.split("SET", 1)[1].split("WHERE", 1)[0]
    assert "row_version" not in set_part and "employee_id" not in set_part


def test_update_statement_without_rowversion_compares_originals_null_safe():
    """GIVEN an asset (no rowversion) opened with note NULL and a tag
    WHEN the update is compiled
    THEN the note is compared with IS NULL and the tag with = ?."""
    stmt = writes.update_statement(
        assets, {"asset_id": 1}, {"note": "x"}, {"note": None, "asset_tag": "LT-1"}
    )
    sql = compile_mssql(stmt)
    assert "corp.assets.note IS NULL" in sql
    assert "corp.assets.asset_tag = ?" in sql


def test_delete_statement_has_key_and_concurrency_predicate():
    """GIVEN a delete of an employee
    WHEN compiled
    THEN the key and rowversion are both in WHERE."""
    sql = compile_mssql(
        writes.delete_statement(employees, {"employee_id": 1}, {"row_version": b"1"})
    )
    assert sql.startswith("DELETE FROM corp.employees WHERE")
    assert "row_version = ?" in sql


def test_sql_server_error_messages_are_classified_to_columns():
    """GIVEN pyodbc messages for unique, NOT NULL and truncation errors
    WHEN classified
    THEN each kind and column is recognised."""
    from sqlalchemy.exc import IntegrityError

    class Orig(Exception):
        pass

    cases = [
        (
            "Violation of UNIQUE KEY constraint 'uq_code'. Cannot insert duplicate key "
            "in object 'corp.departments'. The duplicate key value is (IT). (2627)",
            ("unique", []),
        ),
        (
            "Cannot insert the value NULL into column 'name', table 'db.corp."
            "departments'; column does not allow nulls. INSERT fails. (515)",
            ("not_null", ["name"]),
        ),
        (
            "String or binary data would be truncated in table 'db.corp.departments', "
            "column 'code'. Truncated value: 'ABCDEFGHIJ'. (2628)",
            ("truncation", ["code"]),
        ),
    ]
    for message, expected in cases:
        exc = IntegrityError("INSERT", {}, Orig(message))
        kind, columns = writes.classify_error(departments, exc)
        assert (kind, columns if expected[1] else []) == expected
