"""Typed-in text as values of a column's kind, checked against its SQL type's range.

The one place request values are parsed by column type: filters, row keys in URLs and
foreign-key lookups all call ``parse_value``; whole numbers that are not column values
(page sizes, audit positions) call ``parse_whole``. Everything wrong is a ``BadValue``
whose message says what was wanted, never an exception from deeper down.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from typing import Any

from sqlalchemy import Column

from app.catalog.model import ColumnInfo
from app.catalog.ranges import INT_RANGES, ValueRange, datetime_range, value_range

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "on", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off", "f"})
# ASCII digits only: str.isdigit() also says yes to '²', which int() refuses, and
# int() takes '٣' and '1_000', which no one types for a number here.
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
# Enough digits to quantize any DECIMAL(38, s) exactly (the default context has 28).
_EXACT = decimal.Context(prec=100)

EXPECTED = {
    "int": "a whole number",
    "decimal": "a number",
    "money": "an amount",
    "float": "a number",
    "bool": "yes or no",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "a date and time (YYYY-MM-DD or YYYY-MM-DD HH:MM)",
    "time": "a time (HH:MM)",
    "guid": "a GUID",
}


class BadValue(ValueError):
    """Text that is not a value of the column's kind; the message says what's wanted."""


def parse_whole(text: str, low: int, high: int) -> int:
    """``text`` as a whole number from ``low`` to ``high``, or BadValue."""
    raw = text.strip()
    if not _WHOLE.fullmatch(raw):
        raise BadValue(f"{text!r} is not a whole number")
    if len(raw.lstrip("+-").lstrip("0")) > 40:  # int() of many digits is slow
        raise BadValue(f"{text!r} is out of range ({low} to {high})")
    number = int(raw)
    if not low <= number <= high:
        raise BadValue(f"{text!r} is out of range ({low} to {high})")
    return number


def parse_value(column: ColumnInfo, text: str) -> Any:
    """``text`` as a Python value of ``column``'s kind within its type's range."""
    return parse_typed(column.column, column.kind, text)


def parse_typed(column: Column, kind: str, text: str) -> Any:
    """``text`` as a value of ``kind`` that ``column``'s SQL type can hold."""
    limits = value_range(column, kind)
    if kind == "int":  # an integer type unknown to ranges: BIGINT's is the widest
        low, high = (limits.low, limits.high) if limits else INT_RANGES["BIGINT"]
        return parse_whole(text, low, high)
    value = _parse_kind(kind, text)
    if limits is not None:
        _check_range(value, limits, text)
    return value


def parse_day(column: ColumnInfo, text: str) -> tuple[dt.datetime, dt.datetime | None]:
    """The first moment of the day ``text`` names, and of the next day (None when
    the column's type ends on that day: the day then has no upper bound)."""
    day = parse_date(text)
    start = dt.datetime.combine(day, dt.time())
    limits = datetime_range(column.column)
    first, last = limits.low.date(), limits.high.date()
    if not first <= day <= last:
        raise BadValue(f"{text.strip()!r} is out of range ({first} to {last})")
    if day == last:
        return start, None
    return start, start + dt.timedelta(days=1)


def parse_date(text: str) -> dt.date:
    """``text`` as a calendar date (YYYY-MM-DD), or BadValue."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadValue(f"{text!r} is not {EXPECTED['date']}") from None


def _parse_kind(kind: str, text: str) -> Any:
    raw = text.strip()
    try:
        if kind in {"decimal", "money"}:
            value = decimal.Decimal(raw)
            if not value.is_finite():
                raise ValueError
            return value
        if kind == "float":
            number = float(raw)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError
            return number
        if kind == "bool":
            word = raw.lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValueError
        if kind == "date":
            return dt.date.fromisoformat(raw)
        if kind == "datetime":
            return dt.datetime.fromisoformat(raw)
        if kind == "time":
            return dt.time.fromisoformat(raw)
        if kind == "guid":
            return uuid.UUID(raw)
    except (ValueError, ArithmeticError):
        raise BadValue(f"{text!r} is not {EXPECTED[kind]}") from None
    if kind == "binary":
        raise BadValue("binary values cannot be typed in")
    return text


def _check_range(value: Any, limits: ValueRange, text: str) -> None:
    compared = value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        compared = value.replace(tzinfo=None)  # the range is in local wall time
    if not limits.holds(compared):
        raise BadValue(
            f"{text.strip()!r} is out of range ({_shown(limits.low)} to "
            f"{_shown(limits.high)})"
        )
    if limits.scale is not None and isinstance(value, decimal.Decimal):
        step = decimal.Decimal(1).scaleb(-limits.scale)
        if value != _EXACT.quantize(value, step):
            places = (
                "no decimal places"
                if not limits.scale
                else (f"at most {limits.scale} decimal places")
            )
            raise BadValue(f"{text.strip()!r} has more digits than allowed ({places})")


def _shown(bound: Any) -> str:
    if isinstance(bound, dt.datetime):
        return bound.isoformat(sep=" ", timespec="seconds")
    if isinstance(bound, float):
        return f"{bound:.7g}"
    return str(bound)
