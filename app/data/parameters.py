"""How many bound parameters a statement carries, and key lists cut to fit.

SQL Server refuses a statement with more than 2,100 parameters (Msg 8003). An
expanding ``IN`` list counts one per value and an OR of composite keys one per key
column, so a list of keys is cut into chunks sized from the key width and from
whatever else the statement binds (a row filter's values, a caller subquery).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter, ClauseElement

# Below SQL Server's 2,100, with room for what a dialect may add (TOP, OFFSET).
MAX_PARAMETERS = 2000
MAX_KEYS = 1000  # even single-column lists stay at this: a long IN list plans badly
# An OR of composite keys parses as a chain one level deeper per key, and SQLite
# refuses expression trees deeper than 1,000.
MAX_OR_KEYS = 500

T = TypeVar("T")


def bound_parameters(*clauses: Any) -> int:
    """The parameters ``clauses`` bind: one per bind, one per value of a list."""
    total = 0
    for clause in clauses:
        if not isinstance(clause, ClauseElement):
            continue
        for element in visitors.iterate(clause):
            if not isinstance(element, BindParameter):
                continue
            if element.expanding:
                value = element.value
                total += len(value) if isinstance(value, Sequence) else 1
            else:
                total += 1
    return total


def keys_per_statement(width: int, *clauses: Any) -> int:
    """How many keys of ``width`` columns fit one statement that also binds
    ``clauses`` (at least one; at most MAX_KEYS, or MAX_OR_KEYS when composite)."""
    room = MAX_PARAMETERS - bound_parameters(*clauses)
    most = MAX_KEYS if width <= 1 else MAX_OR_KEYS
    return max(1, min(most, room // max(1, width)))


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
