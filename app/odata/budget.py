"""A per-user request budget on the feed: one token bucket per user and process.

An Excel refresh that loops must not starve everyone else. Each user's bucket holds
``ODATA_BURST`` requests and refills at ``ODATA_REQUESTS_PER_MINUTE``; an empty one
answers 429 with Retry-After. Per process (IIS runs several): the real ceiling is
that times ``maxInstances``, which is enough to stop a runaway client.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from flask import Flask

DEFAULT_PER_MINUTE = 600
DEFAULT_BURST = 120
_KEY = "tablefront_odata_budget"
MAX_USERS = 10_000


@dataclass
class Bucket:
    tokens: float
    stamp: float


class Budget:
    """Token buckets by login."""

    def __init__(self, per_minute: float, burst: float):
        self.rate = per_minute / 60.0
        self.burst = burst
        self.buckets: dict[str, Bucket] = {}
        self.lock = threading.Lock()

    def take(self, login: str, now: float | None = None) -> float:
        """Spend one request of ``login``: 0 when allowed, else seconds to wait."""
        now = time.monotonic() if now is None else now
        with self.lock:
            bucket = self.buckets.get(login)
            if bucket is None:
                if len(self.buckets) >= MAX_USERS:
                    self.buckets.clear()
                bucket = self.buckets[login] = Bucket(self.burst, now)
            bucket.tokens = min(
                self.burst, bucket.tokens + (now - bucket.stamp) * self.rate
            )
            bucket.stamp = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate if self.rate else 60.0


def budget_for(app: Flask) -> Budget:
    """The app's budget, made on first use from its configuration."""
    budget = app.extensions.get(_KEY)
    if budget is None:
        per_minute = float(
            app.config.get("ODATA_REQUESTS_PER_MINUTE") or DEFAULT_PER_MINUTE
        )
        burst = float(app.config.get("ODATA_BURST") or DEFAULT_BURST)
        budget = app.extensions[_KEY] = Budget(per_minute, burst)
    return budget


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
