"""What each SQL type can store: the ranges typed-in values are checked against.

A value outside its column's range never reaches the driver: SQLite's driver raises
OverflowError past 64 bits, and SQL Server answers an out-of-range parameter with an
arithmetic overflow or a conversion error. The ranges are SQL Server's, because the
models are SQL Server's (the embedded SQLite database only stands in for it).
"""

from __future__ import annotations

import datetime as dt
import decimal
import sys
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Float, Integer, Numeric, SmallInteger
from sqlalchemy.dialects import mssql
from sqlalchemy.types import REAL

INT_RANGES = {
    "TINYINT": (0, 255),
    "SMALLINT": (-(2**15), 2**15 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "BIGINT": (-(2**63), 2**63 - 1),
}
MONEY_RANGES = {
    "MONEY": (
        decimal.Decimal("-922337203685477.5808"),
        decimal.Decimal("922337203685477.5807"),
        4,
    ),
    "SMALLMONEY": (decimal.Decimal("-214748.3648"), decimal.Decimal("214748.3647"), 4),
}
# DECIMAL without a declared precision (SQLite reflects NUMERIC so): SQL Server's
# largest, DECIMAL(38, 0), bounds what any decimal parameter may be.
MAX_DECIMAL_DIGITS = 38
REAL_MAX = 3.4028234663852886e38
DATETIME_RANGES = {
    "SMALLDATETIME": (
        dt.datetime(1900, 1, 1),
        # later seconds round up to the minute after the last one (overflow)
        dt.datetime(2079, 6, 6, 23, 59, 29, 998000),
    ),
    "DATETIME": (
        dt.datetime(1753, 1, 1),
        dt.datetime(9999, 12, 31, 23, 59, 59, 997000),
    ),
    "DATETIME2": (dt.datetime.min, dt.datetime.max),
}


@dataclass(frozen=True)
class ValueRange:
    """The smallest and largest storable value, and the decimal places kept."""

    low: Any
    high: Any
    scale: int | None = None

    def holds(self, value: Any) -> bool:
        """True when ``value`` lies between ``low`` and ``high``."""
        return self.low <= value <= self.high


def int_range(column: Column) -> ValueRange | None:
    """The storable range of an integer column's type (None: not an integer)."""
    type_ = column.type
    if isinstance(type_, mssql.TINYINT):
        name = "TINYINT"
    elif isinstance(type_, SmallInteger):
        name = "SMALLINT"
    elif isinstance(type_, BigInteger):
        name = "BIGINT"
    elif isinstance(type_, Integer):
        name = "INTEGER"
    else:
        return None
    return ValueRange(*INT_RANGES[name])


def decimal_range(column: Column) -> ValueRange:
    """(min, max, scale) of a decimal or money column."""
    name = type(column.type).__name__.upper()
    if name in MONEY_RANGES:
        return ValueRange(*MONEY_RANGES[name])
    precision = getattr(column.type, "precision", None)
    if isinstance(column.type, Numeric) and precision:
        scale = column.type.scale or 0
        top = decimal.Decimal(10) ** (precision - scale) - decimal.Decimal(10) ** -scale
        return ValueRange(-top, top, scale)
    top = decimal.Decimal(10) ** MAX_DECIMAL_DIGITS - 1
    return ValueRange(-top, top, None)


def float_range(column: Column) -> ValueRange:
    """REAL (FLOAT(24) and less) holds 4-byte floats; FLOAT holds doubles."""
    type_ = column.type
    precision = getattr(type_, "precision", None)
    single = isinstance(type_, REAL) or (
        isinstance(type_, Float) and precision is not None and precision <= 24
    )
    top = REAL_MAX if single else sys.float_info.max
    return ValueRange(-top, top)


def datetime_range(column: Column) -> ValueRange:
    """SMALLDATETIME and DATETIME are narrower than Python; DATETIME2 is not.

    A type without a SQL Server name of its own (``DateTime``) is DATETIME there.
    """
    name = type(column.type).__name__.upper()
    if name in {"DATETIME2", "DATETIMEOFFSET", "TIMESTAMP"}:
        name = "DATETIME2"  # TIMESTAMP: PostgreSQL's, wider than Python's
    elif name != "SMALLDATETIME":
        name = "DATETIME"
    return ValueRange(*DATETIME_RANGES[name])


_BY_KIND = {
    "int": int_range,
    "decimal": decimal_range,
    "money": decimal_range,
    "float": float_range,
    "datetime": datetime_range,
}


def value_range(column: Column, kind: str) -> ValueRange | None:
    """The range a value of ``kind`` for ``column`` must lie in (None: no limit
    beyond Python's own, as for dates and times)."""
    find = _BY_KIND.get(kind)
    return find(column) if find else None
