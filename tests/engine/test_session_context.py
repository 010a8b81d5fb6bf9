"""sp_set_session_context: the caller's login on checkout, cleared on checkin."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

from app.session_context import (
    SET_STATEMENT,
    install_session_context,
    set_login,
)
from tests.mssql import assert_parses_as_tsql

MSSQL_URL = "mssql+pyodbc://@sql01/Company?driver=ODBC+Driver+18+for+SQL+Server"
EXECUTED: list[tuple[str, tuple]] = []


class RecordingCursor(sqlite3.Cursor):
    """Records sp_set_session_context calls (SQLite has no EXEC) and runs the rest."""

    def execute(self, sql, params=()):
        if sql.startswith("EXEC sp_set_session_context"):
            EXECUTED.append((sql, tuple(params)))
            return self
        return super().execute(sql, params)


class RecordingConnection(sqlite3.Connection):
    def cursor(self, factory=RecordingCursor):
        return super().cursor(factory)


def _engine(login):
    EXECUTED.clear()
    engine = create_engine(
        "sqlite://",
        poolclass=QueuePool,
        connect_args={"factory": RecordingConnection},
    )
    install_session_context(engine, login=login)
    return engine


def test_session_context_statement_is_one_valid_tsql_exec():
    """GIVEN the statement WHEN parsed as T-SQL THEN it is one EXEC of
    sp_set_session_context with the key as a literal and the login bound."""
    assert_parses_as_tsql(SET_STATEMENT.replace("?", "N'CONTOSO\\jdoe'"))
    assert SET_STATEMENT.startswith("EXEC sp_set_session_context ")
    assert SET_STATEMENT.count("?") == 1
    assert "@key = N'tablefront_user'" in SET_STATEMENT


def test_session_context_checkout_in_request_sets_the_login():
    """GIVEN a signed-in caller WHEN a connection is checked out THEN the login is
    set on it, as a bound parameter."""
    engine = _engine(lambda: "CONTOSO\\jdoe")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        assert EXECUTED == [(SET_STATEMENT, ("CONTOSO\\jdoe",))]


def test_session_context_checkin_clears_the_login():
    """GIVEN a connection that carried a login WHEN it returns to the pool THEN the
    context is set to NULL, so the next user of the connection inherits nothing."""
    engine = _engine(lambda: "CONTOSO\\jdoe")
    with engine.connect():
        pass
    assert EXECUTED[-1] == (SET_STATEMENT, (None,))


def test_session_context_without_caller_sends_nothing():
    """GIVEN no signed-in caller (a CLI job) on a fresh connection WHEN it is checked
    out and in THEN no extra round trip is made."""
    engine = _engine(lambda: None)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert EXECUTED == []


def test_session_context_next_caller_gets_own_login_on_same_connection():
    """GIVEN two requests in turn on one pooled connection WHEN each checks it out
    THEN each sees its own login, with a clear between them."""
    who = ["CONTOSO\\jdoe"]
    engine = _engine(lambda: who[0])
    with engine.connect():
        pass
    who[0] = "CONTOSO\\amorgan"
    with engine.connect():
        pass
    assert [params for _, params in EXECUTED] == [
        ("CONTOSO\\jdoe",),
        (None,),
        ("CONTOSO\\amorgan",),
        (None,),
    ]


def test_session_context_uses_a_cursor_of_the_raw_connection():
    """GIVEN set_login WHEN called on a DBAPI connection THEN it executes exactly
    the statement with the login as its only parameter."""
    EXECUTED.clear()
    set_login(sqlite3.connect(":memory:", factory=RecordingConnection), "X\\y")
    assert EXECUTED == [(SET_STATEMENT, ("X\\y",))]


def test_session_context_is_wired_for_mssql_engines_only(monkeypatch, make_app):
    """GIVEN register_database WHEN the backend is SQL Server THEN the listener is
    installed on its engine, and WHEN it is SQLite THEN not."""
    installed = []
    monkeypatch.setattr("app.database.check_odbc_driver", lambda url: None)
    monkeypatch.setattr(
        "app.database.install_session_context", lambda e: installed.append(e)
    )
    make_app()
    assert installed == []
    make_app(TABLEFRONT_DATABASE_URL=MSSQL_URL)
    assert [e.dialect.name for e in installed] == ["mssql"]
