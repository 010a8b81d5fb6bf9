"""Small stand-in tables and a settings-file factory for the access tests.

The tables mimic the demo database's shape (hr.employees with login, manager and
department; hr.leave_requests; ops.tickets) in an in-memory SQLite database with
``hr`` and ``ops`` ATTACHed, so compiled row filters can be run for real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    event,
    insert,
)

from app.identity import Identity


@dataclass(frozen=True)
class Person:
    employee_id: int
    login: str
    department_id: int
    manager_id: int | None


# Alex manages Dana; Dana manages Linh and Sam; Priya is alone in HR.
PEOPLE = (
    Person(1, "CONTOSO\\amorgan", 10, None),
    Person(2, "CONTOSO\\dkowalski", 20, 1),
    Person(3, "CONTOSO\\lnguyen", 20, 2),
    Person(4, "CONTOSO\\ssmith", 20, 2),
    Person(5, "CONTOSO\\pchen", 30, None),
)


def build_metadata() -> MetaData:
    """hr.employees, hr.leave_requests, ops.tickets, ops.sites."""
    md = MetaData()
    Table(
        "employees",
        md,
        Column("employee_id", Integer, primary_key=True),
        Column("login", String(100), unique=True, nullable=False),
        Column("department_id", Integer),
        Column("manager_id", Integer, ForeignKey("hr.employees.employee_id")),
        Column("salary", Numeric(12, 2)),
        Column("notes", String(200)),
        schema="hr",
    )
    Table(
        "leave_requests",
        md,
        Column("leave_request_id", Integer, primary_key=True),
        Column("employee_id", Integer, ForeignKey("hr.employees.employee_id")),
        Column("days", Integer),
        schema="hr",
    )
    Table(
        "tickets",
        md,
        Column("ticket_id", Integer, primary_key=True),
        Column("opened_by", Integer),
        Column("owner_login", String(100)),
        Column("priority", Integer),
        Column("is_closed", Boolean),
        schema="ops",
    )
    Table("sites", md, Column("site_id", Integer, primary_key=True), schema="ops")
    return md


@pytest.fixture
def metadata() -> MetaData:
    return build_metadata()


@pytest.fixture
def engine(metadata) -> Engine:
    """In-memory SQLite with hr/ops ATTACHed, the tables created and filled."""
    eng = create_engine("sqlite://")

    @event.listens_for(eng, "connect")
    def _attach(dbapi_connection, _record) -> None:
        dbapi_connection.execute("ATTACH DATABASE ':memory:' AS hr")
        dbapi_connection.execute("ATTACH DATABASE ':memory:' AS ops")

    metadata.create_all(eng)
    emp = metadata.tables["hr.employees"]
    leave = metadata.tables["hr.leave_requests"]
    tickets = metadata.tables["ops.tickets"]
    with eng.begin() as conn:
        conn.execute(
            insert(emp),
            [
                {
                    "employee_id": p.employee_id,
                    "login": p.login,
                    "department_id": p.department_id,
                    "manager_id": p.manager_id,
                    "salary": 1000 * p.employee_id,
                }
                for p in PEOPLE
            ],
        )
        conn.execute(
            insert(leave),
            [
                {"leave_request_id": 100 + p.employee_id, "employee_id": p.employee_id}
                for p in PEOPLE
            ],
        )
        conn.execute(
            insert(tickets),
            [
                {
                    "ticket_id": 200 + p.employee_id,
                    "opened_by": p.employee_id,
                    "owner_login": p.login,
                    "priority": p.employee_id,
                    "is_closed": p.employee_id % 2 == 0,
                }
                for p in PEOPLE
            ],
        )
    return eng


@pytest.fixture
def write_settings(tmp_path) -> Callable[[str], Path]:
    """Write an access file into tmp_path and return its path."""

    def write(text: str, name: str = "access.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def identity(login: str) -> Identity:
    """An Identity as parse_account would build it from ``DOMAIN\\user``."""
    domain, _, name = login.partition("\\")
    return Identity(domain.upper(), name.lower())
