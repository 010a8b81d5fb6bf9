"""Database connects end within a deadline, and fail fast while the breaker is open.

The driver's login timeout is not a bound on the connect: FreeTDS and the ODBC drivers
restart it on every packet, so a server that trickles a byte a second keeps a connect
(and the worker serving the page) waiting for minutes. The connect therefore runs in a
helper thread that the request waits on for at most the deadline; past it the request
gives up with an OperationalError (the 503 page) and the helper is abandoned, closing
whatever connection it gets in the end. The driver releases the GIL while it waits,
so the helper costs the process nothing but a thread and a socket.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.breaker import CircuitBreaker

log = logging.getLogger(__name__)

# Abandoned connects still waiting on the driver. Past this many the process stops
# starting new ones (each holds a thread and a socket until the driver gives up).
MAX_ABANDONED = 8

# A healthy server logs in within milliseconds: as many connects waiting over this
# share of the deadline as the breaker's threshold count as that many failures.
SLOW_SHARE = 0.5

DEADLINE_SQLSTATE = "HYT00"
BREAKER_SQLSTATE = "08001"


class _Abandoned:
    """Counts helper threads whose caller gave up on them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.count += n


class _InFlight:
    """Start times of the connects still waiting on the driver (abandoned or not)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}
        self._next = 0

    def start(self) -> int:
        with self._lock:
            self._next += 1
            self._started[self._next] = time.monotonic()
            return self._next

    def end(self, ticket: int) -> None:
        with self._lock:
            self._started.pop(ticket, None)

    def waiting_between(self, low: float, high: float) -> int:
        """How many connects have been waiting more than ``low``, at most ``high`` s."""
        now = time.monotonic()
        with self._lock:
            return sum(1 for t in self._started.values() if low < now - t <= high)


abandoned = _Abandoned()
in_flight = _InFlight()


class ConnectDeadlineExceeded(Exception):
    """The connect did not finish within the deadline."""


def connect_within(connect: Callable[[], Any], deadline: float) -> Any:
    """``connect()`` in a helper thread; its result, or ConnectDeadlineExceeded."""
    lock = threading.Lock()
    outcome: dict[str, Any] = {}
    finished = threading.Event()

    ticket = in_flight.start()

    def run() -> None:
        try:
            result, error = connect(), None
        except BaseException as exc:  # handed to the caller, or logged if abandoned
            result, error = None, exc
        in_flight.end(ticket)
        with lock:
            given_up = outcome.get("abandoned", False)
            outcome.update(result=result, error=error)
        finished.set()
        if given_up:
            abandoned.add(-1)
            _close_late(result, error)

    threading.Thread(target=run, name="db-connect", daemon=True).start()
    finished.wait(deadline)
    with lock:
        if "error" not in outcome:
            outcome["abandoned"] = True
            abandoned.add(1)
            raise ConnectDeadlineExceeded(
                f"the connect did not finish within {deadline:g} s"
            )
    if outcome["error"] is not None:
        raise outcome["error"]
    return outcome["result"]


def _close_late(connection: Any, error: BaseException | None) -> None:
    if error is not None:
        log.info("an abandoned database connect ended: %s", error.__class__.__name__)
        return
    try:
        connection.close()
    except Exception:  # the server may already be gone; nothing is waiting on it
        log.info("closing an abandoned database connection failed", exc_info=True)


def install_connect_guard(
    engine: Engine, deadline: float, breaker: CircuitBreaker
) -> None:
    """Route the engine's connects through the breaker and the deadline."""
    dbapi = engine.dialect.loaded_dbapi

    @event.listens_for(engine, "do_connect")
    def _guarded_connect(dialect, _record, cargs, cparams):
        # Raised as the driver's own OperationalError, so SQLAlchemy wraps it the
        # way it wraps a refused connect and the error handler answers 503.
        if not breaker.allow():
            raise dbapi.OperationalError(
                BREAKER_SQLSTATE,
                "circuit breaker open: recent connects to the database failed; "
                "not trying again yet",
            )
        # Connects hanging for longer than two deadlines are old news: they must not
        # keep the half-open probe from trying (MAX_ABANDONED bounds them instead).
        slow = in_flight.waiting_between(deadline * SLOW_SHARE, deadline * 2)
        if breaker.enabled and slow >= breaker.failures:
            # The failures are on their way: requests that queued behind them
            # would otherwise wait a whole deadline more before the breaker opens.
            _failed(breaker)
            raise dbapi.OperationalError(
                DEADLINE_SQLSTATE,
                f"Timeout expired: {slow} connects have waited over "
                f"{deadline * SLOW_SHARE:g} s on the database; not starting another",
            )
        if abandoned.count >= MAX_ABANDONED:
            _failed(breaker)
            raise dbapi.OperationalError(
                DEADLINE_SQLSTATE,
                f"{abandoned.count} earlier connects are still waiting on the "
                "database; not starting another",
            )
        try:
            connection = connect_within(
                lambda: dialect.connect(*cargs, **cparams), deadline
            )
        except ConnectDeadlineExceeded as exc:
            _failed(breaker)
            log.warning("database connect abandoned: %s", exc)
            raise dbapi.OperationalError(
                DEADLINE_SQLSTATE, f"Timeout expired: {exc}"
            ) from None
        except Exception:
            _failed(breaker)
            raise
        breaker.record_success()
        return connection


def _failed(breaker: CircuitBreaker) -> None:
    if breaker.record_failure():
        log.warning(
            "database circuit breaker open: %d connect failures within %g s; pages "
            "answer 503 at once for %g s, then one connect probes",
            breaker.failures,
            breaker.window,
            breaker.open_seconds,
        )
