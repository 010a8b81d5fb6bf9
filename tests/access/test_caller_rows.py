"""``caller.<column>`` filters when the caller has no row, or several rows, in the
``[caller]`` table: what they match, and that SQL Server can run them (no Msg 512)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select

from app.access.rowfilters import CallerContext, compile_conditions, parse_conditions
from tests.tsql_conformance import check_statement

OWN_TICKETS = parse_conditions(
    [{"column": "opened_by", "equals": "caller.employee_id"}]
)


@pytest.fixture
def world():
    """Employees where CONTOSO\\dup has two rows (7 and 8); tickets by 7, 8 and 9."""
    md = MetaData()
    employees = Table(
        "employees",
        md,
        Column("employee_id", Integer, primary_key=True),
        Column("login", String(100)),  # not unique: a real table may repeat logins
    )
    tickets = Table(
        "tickets",
        md,
        Column("ticket_id", Integer, primary_key=True),
        Column("opened_by", Integer),
    )
    engine = create_engine("sqlite://")
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            employees.insert(),
            [
                {"employee_id": 7, "login": "CONTOSO\\dup"},
                {"employee_id": 8, "login": "CONTOSO\\dup"},
                {"employee_id": 9, "login": "CONTOSO\\solo"},
            ],
        )
        conn.execute(
            tickets.insert(),
            [{"ticket_id": 100 + n, "opened_by": n} for n in (7, 8, 9)],
        )
    yield engine, {"hr.employees": employees, "ops.tickets": tickets}
    engine.dispose()


def _visible_tickets(world, login: str) -> list[int]:
    engine, tables = world
    tickets = tables["ops.tickets"]
    where = compile_conditions(OWN_TICKETS, tickets, CallerContext(login, tables))
    stmt = select(tickets.c.ticket_id).where(where).order_by(tickets.c.ticket_id)
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def test_caller_filter_duplicate_caller_rows_match_rows_of_any(world):
    """GIVEN a login with two rows in the [caller] table (employee 7 and 8)
    WHEN the "own tickets" filter (opened_by = caller.employee_id) is applied
    THEN tickets of either row are visible, and no other ticket."""
    assert _visible_tickets(world, "CONTOSO\\dup") == [107, 108]


def test_caller_filter_missing_caller_row_matches_nothing(world):
    """GIVEN a login with no row in the [caller] table
    WHEN the "own tickets" filter is applied
    THEN no ticket is visible (fail closed)."""
    assert _visible_tickets(world, "CONTOSO\\nobody") == []


def test_caller_filter_caller_column_compiles_without_scalar_compare(world):
    """GIVEN the "own tickets" filter
    WHEN a page's statement with it is checked as SQL Server would run it
    THEN it breaks no rule (no "= (SELECT ...)" that raises Msg 512 on two rows)."""
    _engine, tables = world
    tickets = tables["ops.tickets"]
    where = compile_conditions(OWN_TICKETS, tickets, CallerContext("x", tables))
    assert check_statement(select(tickets.c.ticket_id).where(where)) == []
