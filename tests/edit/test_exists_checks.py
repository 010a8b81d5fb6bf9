"""The existence pre-checks of writes (unique, foreign key, row still there): one
statement form, ``SELECT 1 WHERE EXISTS (...)``, that SQL Server, SQLite and
PostgreSQL all run. ``SELECT EXISTS (...)`` is refused by SQL Server (Msg 156)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, insert
from sqlalchemy.engine import Engine

from app.access import TableAccess
from app.data import writes
from app.extensions import db
from tests.edit.world import WRITE, departments, employees, metadata
from tests.mssql import compile_mssql
from tests.tsql_conformance import check_statement


@contextmanager
def statements_on(engine: Engine) -> Iterator[list]:
    """Every Core statement executed on ``engine`` while the block runs."""
    seen: list = []

    def record(_conn, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_execute", record)


def test_exists_statement_for_sql_server_selects_one_where_exists():
    """GIVEN the existence check for a department code
    WHEN it is compiled for SQL Server
    THEN it reads SELECT 1 WHERE EXISTS (...), with no boolean in the select list."""
    stmt = writes.exists_statement(departments.c.code == "IT")
    expected = (
        "SELECT 1 WHERE EXISTS (SELECT * FROM corp.departments "
        "WHERE corp.departments.code = ?)"
    )
    assert " ".join(compile_mssql(stmt).split()) == expected


@pytest.mark.parametrize(("code", "found"), [("IT", True), ("XX", False)])
def test_exists_statement_on_sqlite_answers_present_and_absent(code, found):
    """GIVEN a SQLite database with department IT
    WHEN the existence check runs for a present and an absent code
    THEN it returns a row exactly when the code exists."""
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("ATTACH DATABASE ':memory:' AS corp")
        metadata.create_all(conn, tables=[departments])
        conn.execute(
            insert(departments), {"department_id": 1, "code": "IT", "name": "x"}
        )
        row = conn.execute(writes.exists_statement(departments.c.code == code)).first()
    engine.dispose()
    assert (row is not None) is found


@pytest.mark.postgres
@pytest.mark.parametrize(("code", "found"), [("IT", True), ("XX", False)])
def test_exists_statement_on_postgresql_answers_present_and_absent(
    pg_database, code, found
):
    """GIVEN a PostgreSQL database with department IT
    WHEN the existence check runs for a present and an absent code
    THEN it returns a row exactly when the code exists."""
    engine = create_engine(pg_database)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE SCHEMA corp")
            metadata.create_all(conn, tables=[departments])
            conn.execute(
                insert(departments), {"department_id": 1, "code": "IT", "name": "x"}
            )
            stmt = writes.exists_statement(departments.c.code == code)
            row = conn.execute(stmt).first()
    finally:
        engine.dispose()
    assert (row is not None) is found


def test_check_unique_duplicate_code_runs_only_sql_server_statements(world):
    """GIVEN department code IT is taken
    WHEN a new department with code IT is pre-checked
    THEN the duplicate is reported, and every statement the check ran is one SQL
    Server accepts."""
    with world.test_request_context(), statements_on(db.engine) as seen:
        with pytest.raises(writes.FieldErrors) as refused:
            writes.check_unique(departments, {"department_id": 9, "code": "IT"})
        assert seen and [v for s in seen for v in check_statement(s)] == []
    assert "code" in refused.value.errors


def test_check_references_unknown_department_runs_only_sql_server_statements(world):
    """GIVEN no department 99
    WHEN an employee pointing at department 99 is pre-checked
    THEN the missing row is reported, and the check's statement is one SQL Server
    accepts."""
    with world.test_request_context(), statements_on(db.engine) as seen:
        with pytest.raises(writes.FieldErrors) as refused:
            writes.check_references(
                employees,
                {"department_id": 99},
                lambda t: TableAccess(f"{t.schema}.{t.name}", WRITE),
            )
        assert seen and [v for s in seen for v in check_statement(s)] == []
    assert "department_id" in refused.value.errors
