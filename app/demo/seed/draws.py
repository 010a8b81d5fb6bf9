"""Deterministic draws every schema uses: days and moments around a fixed day, numbers.

No wall clock: every date is relative to ``REFERENCE_DATE``, so two runs agree.
"""

from __future__ import annotations

import datetime as dt
import random

REFERENCE_DATE = dt.date(2026, 6, 30)
LAST_MOMENT = dt.datetime.combine(REFERENCE_DATE, dt.time(18))


def random_days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    """A whole number of days between ``low`` and ``high`` (both included)."""
    return dt.timedelta(days=rng.randint(low, high))


def moment_on(day: dt.date, rng: random.Random) -> dt.datetime:
    """A minute in office hours (07:00-18:59) on ``day``."""
    return dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59)))


def state_by_age(
    rng: random.Random,
    age_days: float,
    settled_after: int,
    settled: dict[str, int],
    any_state: dict[str, int],
) -> str:
    """A weighted state: only a ``settled`` one once older than ``settled_after``."""
    states = settled if age_days > settled_after else any_state
    return rng.choices(list(states), list(states.values()))[0]


def phone_number(rng: random.Random) -> str:
    """A North American style phone number."""
    return (
        f"+1 {rng.randint(200, 989)} {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
    )


def serial_number(rng: random.Random) -> str:
    """Ten characters without the easily confused I and O."""
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))
