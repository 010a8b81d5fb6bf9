"""The home page's summaries: readable tables with capped row counts.

Every count is the caller's (row filters apply) and capped. Each table is counted
by its own statement under a short deadline, on an autocommit connection: one
table the login cannot read, a broken view or a held lock costs that table's count
("count unavailable"), never the page.

Unfiltered counts are kept for COUNT_TTL seconds, keyed by the table and cap only:
every caller who may read the table without a row filter sees the same number, and
whether they may read it at all is decided (``peek_scope``) before the cache is
asked. A count under a row filter is the caller's rights applied to the data, so it
is never kept: it is counted on every request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Connection, Select
from sqlalchemy.exc import SQLAlchemyError

from app.catalog import Catalog, TableInfo
from app.data.counts import COUNT_CAP, RowCount, capped_count_statement, deadline
from app.data.scope import Scope, peek_scope
from app.extensions import db
from app.identity import Identity

log = logging.getLogger(__name__)

COUNT_SECONDS = 2.0  # per table: a blocked table answers "count unavailable" soon
COUNT_TTL = 30.0  # seconds a count is shown again without asking the database
_CACHE_KEY = "tablefront.table_counts"
_CACHE_MAX = 4096


@dataclass(frozen=True)
class TableSummary:
    """One table on the home page; ``count`` is None when it could not be read."""

    info: TableInfo
    count: RowCount | None
    can_export: bool


class CountCache:
    """Unfiltered counts by (table, cap) for ``ttl`` seconds; thread-safe, bounded."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._items: dict[Hashable, tuple[float, RowCount | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, RowCount | None]:
        """(found, count) for ``key`` while it is fresh."""
        with self._lock:
            item = self._items.get(key)
            if item is None or self.clock() - item[0] >= self.ttl:
                return False, None
            return True, item[1]

    def put(self, key: Hashable, count: RowCount | None) -> None:
        with self._lock:
            if len(self._items) >= _CACHE_MAX:
                self._items.clear()
            self._items[key] = (self.clock(), count)


def count_cache() -> CountCache:
    """The app's cache of home-page counts."""
    cache = current_app.extensions.get(_CACHE_KEY)
    if cache is None:
        ttl = float(current_app.config.get("HOME_COUNT_TTL", COUNT_TTL))
        cache = current_app.extensions[_CACHE_KEY] = CountCache(ttl)
    return cache


def table_summaries(
    identity: Identity | None, catalog: Catalog
) -> dict[str, list[TableSummary]]:
    """Tables the caller may read, by schema, each with a capped count that uses
    the caller's row filter (None when it could not be read)."""
    scopes: list[tuple[str, Scope]] = []
    for schema, tables in catalog.by_schema().items():
        for info in tables:
            scope = peek_scope(identity, catalog, info.key)
            if scope is not None:
                scopes.append((schema, scope))
    counts = capped_counts([scope for _schema, scope in scopes])
    groups: dict[str, list[TableSummary]] = {}
    for (schema, scope), count in zip(scopes, counts, strict=True):
        groups.setdefault(schema, []).append(
            TableSummary(scope.info, count, scope.can("export"))
        )
    return groups


def count_statement(scope: Scope, cap: int = COUNT_CAP) -> Select:
    """The capped count of one scope's visible rows."""
    clauses = [scope.row_filter] if scope.row_filter is not None else []
    return capped_count_statement(scope.table, clauses, cap)


def count_key(scope: Scope, cap: int) -> Hashable | None:
    """(table, cap) of an unfiltered count; None (never kept) under a row filter."""
    if scope.row_filter is not None:
        return None
    return scope.info.key, cap


def capped_counts(
    scopes: list[Scope], cap: int = COUNT_CAP, seconds: float = COUNT_SECONDS
) -> list[RowCount | None]:
    """Each scope's capped count (None where it failed), fresh ones from the cache."""
    if not scopes:
        return []
    cache = count_cache()
    counts: list[RowCount | None] = [None] * len(scopes)
    wanted: list[tuple[int, Hashable | None, Scope]] = []
    for at, scope in enumerate(scopes):
        key = count_key(scope, cap)
        found, count = cache.get(key) if key is not None else (False, None)
        if found:
            counts[at] = count
        else:
            wanted.append((at, key, scope))
    if wanted:
        # Autocommit: a failed count leaves no aborted transaction behind (PostgreSQL)
        # and holds no locks between tables.
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for at, key, scope in wanted:
                counts[at] = _one_count(conn, scope, cap, seconds)
                if key is not None:
                    cache.put(key, counts[at])
    return counts


def _one_count(
    conn: Connection, scope: Scope, cap: int, seconds: float
) -> RowCount | None:
    try:
        with deadline(conn, seconds):
            n = conn.execute(count_statement(scope, cap)).scalar_one()
    except SQLAlchemyError as exc:
        log.warning(
            "count of %s unavailable: %s", scope.info.key, exc.__class__.__name__
        )
        conn.rollback()  # an invalidated connection must be rolled back before reuse
        return None
    return RowCount(min(n, cap), capped=n > cap)
