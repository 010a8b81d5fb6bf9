"""Deadlocks run the request once more; lock waits answer "busy, try again"."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from flask import g
from sqlalchemy import event, select

from app.data import db_errors
from app.data.db_errors import Deadlock
from app.extensions import db
from app.models import AuditLog
from app.retry import dispatch_retrying_deadlock
from tests.edit.test_edit_pages import EMP, _employee, _form_fields
from tests.edit.world import ALEX
from tests.html import by_testid, soup

ODBC = "[Microsoft][ODBC Driver 18 for SQL Server]"
DEADLOCK = (
    "40001",
    f"[40001] {ODBC}[SQL Server]Transaction (Process ID 57) was deadlocked on lock "
    "resources with another process and has been chosen as the deadlock victim. "
    "Rerun the transaction. (1205) (SQLExecDirectW)",
)
QUERY_TIMEOUT = ("HYT00", f"[HYT00] {ODBC}Query timeout expired (0) (SQLExecDirectW)")
LOCK_TIMEOUT = (
    "HY000",
    f"[HY000] {ODBC}[SQL Server]Lock request time out period exceeded. (1222) "
    "(SQLExecDirectW)",
)


class PyodbcStyleError(sqlite3.OperationalError):
    """A DBAPI error the embedded engine wraps, with pyodbc's (SQLSTATE, text)."""


def _fail(world, args: tuple[str, str], times: int, starts: str) -> list[str]:
    """Raise a pyodbc-style error from the first ``times`` statements that start
    with ``starts``; returns the list of such statements seen."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(starts) and "corp.employees" in (
            statement
        ):
            seen.append(statement)
            if len(seen) <= times:
                raise PyodbcStyleError(*args)

    with world.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
    return seen


def _title(response) -> str:
    return by_testid(response, "error").select_one("h1").get_text(strip=True)


def test_list_page_deadlock_victim_is_run_again_and_answers_200(world, as_user):
    """GIVEN the list page's read chosen as a deadlock victim (1205) once
    WHEN Alex opens the employees list
    THEN the request runs once more and the page shows the rows."""
    seen = _fail(world, DEADLOCK, times=1, starts="SELECT")
    response = as_user(ALEX).get(EMP)
    assert response.status_code == 200
    assert soup(response).select('[data-testid="row"], tbody tr')
    assert len(seen) >= 2


def test_edit_post_deadlock_victim_saves_once_with_one_audit_row(world, as_user):
    """GIVEN an UPDATE of employee 3 chosen as a deadlock victim once
    WHEN Alex saves a new level
    THEN the whole save runs again: the row changes and one audit row is written."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/3/edit"))
    data["f_level"] = "2"
    seen = _fail(world, DEADLOCK, times=1, starts="UPDATE")
    response = client.post(f"{EMP}/3/edit", data=data)
    assert response.status_code == 302
    assert len(seen) == 2
    assert _employee(world, 3)["level"] == 2
    with world.app_context():
        audits = db.session.execute(select(AuditLog.__table__)).all()
    assert len(audits) == 1


def test_list_page_second_deadlock_answers_busy_503_not_500(world, as_user):
    """GIVEN a read that is the deadlock victim every time
    WHEN the list is opened
    THEN it is tried twice, then 503 "Database busy" with Retry-After."""
    seen = _fail(world, DEADLOCK, times=99, starts="SELECT")
    response = as_user(ALEX).get(EMP)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert _title(response) == "Database busy"
    assert len(seen) == 2


@pytest.mark.parametrize("args", [QUERY_TIMEOUT, LOCK_TIMEOUT], ids=["HYT00", "1222"])
def test_list_page_lock_wait_timeout_answers_busy_not_unavailable(world, as_user, args):
    """GIVEN a read whose lock wait runs past the query timeout (HYT00) or the
    lock timeout (1222)
    WHEN the list is opened
    THEN 503 "Database busy" with Retry-After (not "Database unavailable"), not
    retried, and the next request is served."""
    seen = _fail(world, args, times=1, starts="SELECT")
    client = as_user(ALEX)
    response = client.get(EMP)
    assert (response.status_code, _title(response)) == (503, "Database busy")
    assert response.headers["Retry-After"] == "5"
    assert len(seen) == 1
    assert client.get(EMP).status_code == 200


def test_edit_post_lock_timeout_changes_nothing_and_keeps_no_audit(world, as_user):
    """GIVEN an UPDATE of employee 3 that waits on a lock past the query timeout
    WHEN Alex saves
    THEN 503 "Database busy", the row keeps its level and no audit row exists."""
    client = as_user(ALEX)
    before = _employee(world, 3)["level"]
    data = _form_fields(client.get(f"{EMP}/3/edit"))
    data["f_level"] = "2"
    _fail(world, QUERY_TIMEOUT, times=1, starts="UPDATE")
    response = client.post(f"{EMP}/3/edit", data=data)
    assert (response.status_code, _title(response)) == (503, "Database busy")
    assert _employee(world, 3)["level"] == before
    with world.app_context():
        assert db.session.execute(select(AuditLog.__table__)).all() == []


def test_dispatch_deadlock_after_a_commit_is_not_run_again(world):
    """GIVEN a request that committed, then became a deadlock victim
    WHEN dispatched through the retry
    THEN the deadlock is raised and the view ran only once (no double write)."""
    calls: list[int] = []

    def view() -> Callable:
        calls.append(1)
        raise Deadlock(_wrapped(DEADLOCK))

    with world.test_request_context():
        g.tablefront_committed = True
        with pytest.raises(Deadlock):
            dispatch_retrying_deadlock(view)
    assert calls == [1]


def _wrapped(args: tuple[str, str]):
    from sqlalchemy.exc import DBAPIError

    return DBAPIError("SELECT 1", {}, PyodbcStyleError(*args))


class PgError(Exception):
    """Shaped like a psycopg error: ``sqlstate`` set, English-free checks."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__("localized text")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("orig", "executing", "kind"),
    [
        (PyodbcStyleError(*DEADLOCK), True, Deadlock),
        (PyodbcStyleError(*LOCK_TIMEOUT), True, db_errors.LockTimeout),
        (PyodbcStyleError(*QUERY_TIMEOUT), True, db_errors.LockTimeout),
        (PyodbcStyleError(*QUERY_TIMEOUT), False, None),  # login timeout: down
        (PgError("40P01"), True, Deadlock),
        (PgError("55P03"), True, db_errors.LockTimeout),
        (PgError("57014"), True, db_errors.LockTimeout),
        (PgError("23505"), True, None),
    ],
    ids=["1205", "1222", "HYT00", "HYT00-connect", "40P01", "55P03", "57014", "23505"],
)
def test_transient_kind_reads_numbers_and_sqlstates(orig, executing, kind):
    """GIVEN SQL Server and PostgreSQL errors by number/SQLSTATE
    WHEN classified
    THEN deadlocks and lock waits are told from the rest, and a login timeout
    (HYT00 while connecting) stays an outage."""
    assert db_errors.transient_kind(orig, executing=executing) is kind
