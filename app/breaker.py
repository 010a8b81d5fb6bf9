"""A small per-process circuit breaker for database connects.

``failures`` connect failures within ``window`` seconds open it: for ``open_seconds``
every connect fails at once (the page answers 503 without waiting on a sick server).
Then it is half-open: a single caller probes, the others still fail fast; the probe's
success closes it, its failure opens it again. Each process (each wfastcgi worker)
keeps its own: nothing is shared, so a restarted worker starts closed.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half-open"


@dataclass(frozen=True)
class BreakerState:
    """What /health/ready reports: the state and seconds until the next probe."""

    state: str
    recent_failures: int
    retry_in: float | None


class CircuitBreaker:
    """Counts connect failures; thread-safe (waitress serves requests in threads)."""

    def __init__(
        self,
        failures: int,
        window: float,
        open_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.window = window
        self.open_seconds = open_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()
        self._opened_at: float | None = None
        self._probing = False

    @property
    def enabled(self) -> bool:
        """A threshold of 0 turns the breaker off."""
        return self.failures > 0

    def allow(self) -> bool:
        """True when the caller may try to connect (closed, or it is the probe)."""
        if not self.enabled:
            return True
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self.open_seconds or self._probing:
                return False
            self._probing = True  # half-open: this caller alone probes
            return True

    def record_success(self) -> None:
        """A connect worked: close the breaker and forget earlier failures."""
        with self._lock:
            self._recent.clear()
            self._opened_at = None
            self._probing = False

    def record_failure(self) -> bool:
        """A connect failed: count it; True when this failure opened the breaker."""
        if not self.enabled:
            return False
        with self._lock:
            now = self._clock()
            if self._opened_at is not None:
                # The probe failed (or a connect started before it opened): stay open.
                reopened = self._probing
                self._opened_at = now
                self._probing = False
                return reopened
            self._recent.append(now)
            while self._recent and now - self._recent[0] > self.window:
                self._recent.popleft()
            if len(self._recent) >= self.failures:
                self._opened_at = now
                return True
            return False

    def state(self) -> BreakerState:
        """The current state, for the readiness check and the log."""
        with self._lock:
            now = self._clock()
            recent = sum(1 for t in self._recent if now - t <= self.window)
            if self._opened_at is None:
                return BreakerState(CLOSED, recent, None)
            remaining = self.open_seconds - (now - self._opened_at)
            if remaining > 0:
                return BreakerState(OPEN, recent, round(remaining, 1))
            return BreakerState(HALF_OPEN, recent, 0.0)
