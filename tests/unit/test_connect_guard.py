"""The deadline around a database connect (app/connect_guard.py)."""

from __future__ import annotations

import threading
import time

import pytest

from app import connect_guard
from app.connect_guard import ConnectDeadlineExceeded, connect_within


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
