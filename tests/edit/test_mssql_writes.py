"""INSERT/UPDATE/DELETE as SQL Server receives them (compiled offline)."""

from __future__ import annotations

import re

from app.data import writes
from tests.edit.world import assets, departments, employees
from tests.mssql import compile_mssql, mssql_dialect


def test_insert_statement_omits_server_managed_and_outputs_key():
    """GIVEN an employee row's values including server-managed columns
    WHEN the write layer builds the INSERT for SQL Server
    THEN identity, rowversion and trigger-stamped columns are absent and the new key
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


# --- a table with identity, rowversion and a computed column, with and without
# triggers (implicit_returning=False: SQL Server refuses OUTPUT without INTO there).


def _order_lines(implicit_returning: bool):
    from sqlalchemy import (
        Column,
        Computed,
        FetchedValue,
        Identity,
        Integer,
        MetaData,
        Numeric,
        Table,
    )
    from sqlalchemy.dialects import mssql

    return Table(
        "order_lines",
        MetaData(),
        Column("line_id", Integer, Identity(), primary_key=True),
        Column("quantity", Integer, nullable=False),
        Column("unit_price", Numeric(10, 2), nullable=False),
        Column("line_total", Numeric(12, 2), Computed("quantity * unit_price")),
        Column("row_version", mssql.TIMESTAMP, server_default=FetchedValue()),
        schema="sales",
        implicit_returning=implicit_returning,
    )


def _insert_values(table) -> dict:
    return {c.name: 1 for c in writes.editable_columns(table, creating=True)}


def test_insert_statement_skips_identity_rowversion_and_computed_columns():
    """GIVEN a table with an identity key, a rowversion and a computed column
    WHEN the INSERT of its editable columns is compiled for SQL Server
    THEN only quantity and unit_price are sent and the key comes back by OUTPUT."""
    table = _order_lines(True)
    sql = compile_mssql(writes.insert_statement(table, _insert_values(table)))
    assert sql.startswith(
        "INSERT INTO sales.order_lines (quantity, unit_price) "
        "OUTPUT inserted.line_id VALUES"
    )


def test_insert_statement_with_triggers_fetches_key_by_scope_identity():
    """GIVEN the same table marked implicit_returning=False (it has triggers)
    WHEN its INSERT is compiled
    THEN there is no OUTPUT clause and no RETURNING is planned, so for the identity
    key SQLAlchemy's mssql dialect appends "; select scope_identity()" (pyodbc)."""
    table = _order_lines(False)
    stmt = writes.insert_statement(table, _insert_values(table))
    sql = compile_mssql(stmt)
    assert "OUTPUT" not in sql and "line_total" not in sql
    compiled = stmt.compile(dialect=mssql_dialect())
    assert not compiled.effective_returning
    assert table._autoincrement_column is table.c.line_id


def test_update_statement_never_sets_computed_or_rowversion_and_checks_rowversion():
    """GIVEN an update of an order line opened with its rowversion
    WHEN compiled
    THEN SET has only the changed column, WHERE has key, rowversion and row filter."""
    table = _order_lines(False)
    stmt = writes.update_statement(
        table,
        {"line_id": 7},
        {"quantity": 3},
        {"row_version": b"\x00" * 8},
        table.c.unit_price > 0,
    )
    sql = compile_mssql(stmt)
    assert sql == (
        "UPDATE sales.order_lines SET quantity=? WHERE sales.order_lines.line_id = ? "
        "AND sales.order_lines.row_version = ? AND sales.order_lines.unit_price > ?"
    )


def test_delete_statement_on_trigger_table_has_no_output():
    """GIVEN a delete of an order line on a table with triggers
    WHEN compiled
    THEN it is a plain DELETE with key and rowversion, no OUTPUT."""
    table = _order_lines(False)
    sql = compile_mssql(
        writes.delete_statement(table, {"line_id": 7}, {"row_version": b"1"})
    )
    assert sql == (
        "DELETE FROM sales.order_lines WHERE sales.order_lines.line_id = ? "
        "AND sales.order_lines.row_version = ?"
    )
