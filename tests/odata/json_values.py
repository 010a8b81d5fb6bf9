"""Comparing feed JSON written two ways: by value and by JSON type.

1 and true are different answers; 0 and 0.0000 are one number; ISO datetimes and
times are compared as instants and times of day, to the microsecond (a database may
leave out a zero fraction, or write SQL Server's seven digits).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

_DATETIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_TIME = re.compile(r"^(\d\d:\d\d:\d\d)(\.\d+)?$")


def _fraction(digits: str | None) -> str:
    return (digits or ".0")[:7].ljust(7, "0")


def _text(value: str) -> Any:
    found = _DATETIME.match(value)
    if found:
        zone = "+00:00" if found[3] == "Z" else found[3]
        return dt.datetime.fromisoformat(found[1] + _fraction(found[2]) + zone)
    found = _TIME.match(value)
    if found:
        return dt.time.fromisoformat(found[1] + _fraction(found[2]))
    return value


def typed(value: Any) -> Any:
    """``value`` (parsed JSON) with every scalar as (JSON type, comparable value)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, bool) or value is None:
        return (type(value).__name__, value)
    if isinstance(value, int | Decimal):
        return ("number", Decimal(value))
    if isinstance(value, str):
        return ("string", _text(value))
    return (type(value).__name__, value)


def parsed(text: str | bytes) -> Any:
    """JSON text, decimals exact, as ``typed`` values."""
    return typed(json.loads(text, parse_float=Decimal))
