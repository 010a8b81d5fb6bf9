"""The per-process circuit breaker for database connects (app/breaker.py)."""

from __future__ import annotations

from app.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(failures=3, window=30, open_seconds=15, clock=clock)


def test_breaker_three_failures_within_window_opens_and_refuses():
    """GIVEN 3 failures within 30 s WHEN a connect asks THEN it is refused (open)."""
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        clock.now += 5
        b.record_failure()
    assert b.state().state == OPEN
    assert b.allow() is False


def test_breaker_failures_spread_beyond_window_stay_closed():
    """GIVEN 3 failures 20 s apart (window 30 s) WHEN a connect asks THEN allowed."""
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        clock.now += 20
        b.record_failure()
    assert b.state().state == CLOSED
    assert b.allow() is True


def test_breaker_after_open_seconds_lets_exactly_one_probe_through():
    """GIVEN an open breaker WHEN 15 s pass THEN one caller probes, others refused."""
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 15
    assert b.state().state == HALF_OPEN
    assert [b.allow(), b.allow(), b.allow()] == [True, False, False]


def test_breaker_probe_success_closes():
    """GIVEN a half-open breaker WHEN the probe connects THEN closed, all allowed."""
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 15
    assert b.allow()
    b.record_success()
    assert b.state().state == CLOSED
    assert b.allow() and b.allow()


def test_breaker_probe_failure_opens_for_another_period():
    """GIVEN a half-open breaker WHEN the probe fails THEN open for 15 s again."""
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 15
    assert b.allow()
    assert b.record_failure() is True  # reopened: the guard logs it
    clock.now += 14
    assert b.allow() is False
    clock.now += 1
    assert b.allow() is True


def test_breaker_zero_threshold_never_opens():
    """GIVEN failures=0 (disabled) WHEN connects keep failing THEN always allowed."""
    b = CircuitBreaker(failures=0, window=30, open_seconds=15, clock=Clock())
    for _ in range(10):
        b.record_failure()
    assert b.allow() is True
