"""The deadline around a database connect (app/connect_guard.py)."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app import connect_guard
from app.breaker import CircuitBreaker
from app.connect_guard import (
    ConnectDeadlineExceeded,
    connect_within,
    install_connect_guard,
)
from app.dbstatus import explain_connect_error


class SlowConnection:
    """A connection that arrives late and records whether it was closed."""

    def __init__(self) -> None:
        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()


def test_connect_within_slow_connect_raises_at_deadline():
    """GIVEN a connect that takes 2 s WHEN the deadline is 0.2 s
    THEN ConnectDeadlineExceeded is raised after about 0.2 s."""
    started = time.perf_counter()
    with pytest.raises(ConnectDeadlineExceeded):
        connect_within(lambda: time.sleep(2) or SlowConnection(), 0.2)
    assert time.perf_counter() - started < 0.5


def test_connect_within_abandoned_connection_is_closed_when_it_arrives():
    """GIVEN a connect abandoned at its deadline WHEN it succeeds later
    THEN the late connection is closed and no longer counted as abandoned."""
    late = SlowConnection()
    before = connect_guard.abandoned.count
    with pytest.raises(ConnectDeadlineExceeded):
        connect_within(lambda: time.sleep(0.3) or late, 0.05)
    assert connect_guard.abandoned.count == before + 1
    assert late.closed.wait(2)
    time.sleep(0.05)
    assert connect_guard.abandoned.count == before


def test_connect_within_fast_connect_returns_it_open():
    """GIVEN a connect that finishes at once WHEN within the deadline
    THEN its connection is returned and not closed."""
    conn = SlowConnection()
    assert connect_within(lambda: conn, 1.0) is conn
    assert not conn.closed.is_set()


def test_connect_within_driver_error_reaches_the_caller():
    """GIVEN a connect that fails at once WHEN called THEN its own error is raised."""

    def refuse():
        raise ConnectionRefusedError("refused")

    with pytest.raises(ConnectionRefusedError):
        connect_within(refuse, 1.0)


def test_guarded_connect_three_connects_waiting_past_half_deadline_fails_fast(
    monkeypatch,
):
    """GIVEN three connects already waiting 1.2 s of a 2 s deadline (threshold 3)
    WHEN a fourth request connects
    THEN it fails at once with an OperationalError instead of waiting its own
    deadline (as a request queued behind a wave of slow ones would)."""
    # The helper thread opens it; the caller's thread uses it (as pyodbc allows).
    engine = create_engine(
        "sqlite://", poolclass=NullPool, connect_args={"check_same_thread": False}
    )
    release = threading.Event()
    real_connect = engine.dialect.connect

    def stalled_connect(*args, **kwargs):
        release.wait(5)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(engine.dialect, "connect", stalled_connect)
    install_connect_guard(engine, 2.0, CircuitBreaker(3, 30, 15))

    def connect_and_close() -> None:
        with contextlib.suppress(OperationalError):
            engine.connect().close()

    waiting = [threading.Thread(target=connect_and_close) for _ in range(3)]
    for thread in waiting:
        thread.start()
    time.sleep(1.2)
    started = time.perf_counter()
    try:
        with pytest.raises(OperationalError, match="not starting another"):
            engine.connect()
        elapsed = time.perf_counter() - started
    finally:
        release.set()
        for thread in waiting:
            thread.join()
    assert elapsed < 0.1


@pytest.mark.parametrize(
    ("message", "names"),
    [
        ("circuit breaker open: recent connects failed", "TABLEFRONT_DB_BREAKER_"),
        (
            "Timeout expired: the connect did not finish within 2 s",
            "TABLEFRONT_DB_CONNECT_DEADLINE",
        ),
    ],
)
def test_explain_connect_error_guard_failures_name_their_setting(message, names):
    """GIVEN a connect refused by the breaker or cut at the deadline
    WHEN `db status` explains it THEN the sentence names the setting to look at."""
    assert names in explain_connect_error(OperationalError("connect", {}, message))
