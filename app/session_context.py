"""The caller's login in SQL Server's session context, for existing triggers/defaults.

SQL Server sees the app pool identity (``DOMAIN\\WEB01$``), so triggers and defaults
that use ``SUSER_SNAME()`` attribute every change to the web server. On each checkout
of a pooled connection inside a request, ``sp_set_session_context`` stores the
signed-in login under ``tablefront_user``; a trigger reads it with
``SESSION_CONTEXT(N'tablefront_user')``. On checkin it is cleared, so the next
request on that connection (or a CLI job) never inherits someone else's name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

SESSION_KEY = "tablefront_user"
SET_STATEMENT = f"EXEC sp_set_session_context @key = N'{SESSION_KEY}', @value = ?"


def current_login() -> str | None:
    """The signed-in caller's login, or None outside a request or when anonymous."""
    if not has_app_context():
        return None
    identity = g.get("identity")
    return identity.login if identity is not None else None


def set_login(dbapi_connection: Any, login: str | None) -> None:
    """Store ``login`` (None clears it) in the connection's session context."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(SET_STATEMENT, (login,))
    finally:
        cursor.close()


def install_session_context(
    engine: Engine, login: Callable[[], str | None] = current_login
) -> None:
    """Set the caller's login on checkout and clear it on checkin (SQL Server only)."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:
        name = login()
        if name is not None or record.info.get(SESSION_KEY) is not None:
            set_login(dbapi_connection, name)
            record.info[SESSION_KEY] = name

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record) -> None:
        if dbapi_connection is None or record.info.get(SESSION_KEY) is None:
            return  # invalidated, or nothing to clear
        try:
            set_login(dbapi_connection, None)
            record.info[SESSION_KEY] = None
        except Exception:  # a dead connection: make sure it is never reused
            log.warning("session context not cleared; discarding the connection")
            record.invalidate()
