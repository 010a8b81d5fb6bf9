"""A request chosen as a deadlock victim runs once more.

SQL Server (1205) and PostgreSQL (40P01) roll the victim's transaction back and
expect the client to run it again. A request is one transaction, so it is
dispatched a second time, only when it has committed nothing yet (a request that
committed and then deadlocked would write twice). A second deadlock, or a lock
wait that ran out, is answered "busy, try again" by app.errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.data.db_errors import Deadlock
from app.extensions import db

log = logging.getLogger(__name__)


def dispatch_retrying_deadlock(dispatch: Callable[[], Any]) -> Any:
    """``dispatch()``, run once more when it was a deadlock victim before any
    commit."""
    try:
        return dispatch()
    except Deadlock:
        if g.get("tablefront_committed"):
            raise
        db.session.rollback()
        log.warning("deadlock victim: running the request once more")
        return dispatch()


def _committed(_session) -> None:
    if has_request_context():
        g.tablefront_committed = True


def register_deadlock_retry(app: Flask) -> None:
    """Note each commit of a request's session (a committed request is never
    run twice); TablefrontFlask.dispatch_request does the retrying."""
    if not event.contains(Session, "after_commit", _committed):
        event.listen(Session, "after_commit", _committed)
