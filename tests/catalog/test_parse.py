"""Parsing typed-in text by column type, checked against the SQL type's range."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from sqlalchemy import (
    DATETIME,
    BigInteger,
    Column,
    DateTime,
    Float,
    Integer,
    Numeric,
    SmallInteger,
)
from sqlalchemy.dialects import mssql

from app.catalog import ColumnInfo, column_kind
from app.catalog.parse import BadValue, parse_day, parse_value, parse_whole


def info(type_) -> ColumnInfo:
    column = Column("c", type_)
    return ColumnInfo(name="c", label="C", kind=column_kind(column), column=column)


@pytest.mark.parametrize("text", ["²", "٣", "1_000", "１２", "12a", "", "+"])
def test_parse_whole_non_ascii_or_malformed_digits_is_bad_value(text):
    """GIVEN text that str.isdigit() or int() might take but is not plain digits
    WHEN parsed as a whole number THEN BadValue."""
    with pytest.raises(BadValue, match="not a whole number"):
        parse_whole(text, 0, 10)


def test_parse_whole_thousands_of_digits_is_out_of_range_not_slow():
    """GIVEN 5,000 digits (past int()'s string limit) WHEN parsed THEN BadValue."""
    with pytest.raises(BadValue, match="out of range"):
        parse_whole("9" * 5000, 0, 10)


@pytest.mark.parametrize(
    ("type_", "inside", "outside"),
    [
        (mssql.TINYINT(), ["0", "255"], ["-1", "256"]),
        (SmallInteger(), ["-32768", "32767"], ["-32769", "32768"]),
        (Integer(), [str(-(2**31)), str(2**31 - 1)], [str(-(2**31) - 1), str(2**31)]),
        (
            BigInteger(),
            [str(-(2**63)), str(2**63 - 1)],
            [str(-(2**63) - 1), str(2**63)],
        ),
    ],
)
def test_parse_value_integer_types_hold_exactly_their_sql_range(type_, inside, outside):
    """GIVEN TINYINT, SMALLINT, INT and BIGINT columns
    WHEN their limits and one past them are parsed
    THEN the limits are values and one past is BadValue "out of range"."""
    column = info(type_)
    assert [parse_value(column, t) for t in inside] == [int(t) for t in inside]
    for text in outside:
        with pytest.raises(BadValue, match="out of range"):
            parse_value(column, text)


@pytest.mark.parametrize(
    ("type_", "text", "message"),
    [
        (Numeric(4, 1), "1000", "out of range"),
        (Numeric(4, 1), "1.25", "at most 1 decimal places"),
        (Numeric(5, 0), "1.5", "no decimal places"),
        (Numeric(38, 10), "1e40", "out of range"),
        (Numeric(), "1e39", "out of range"),  # no precision: DECIMAL(38) bounds it
        (mssql.MONEY(), "922337203685477.5808", "out of range"),
        (mssql.MONEY(), "1.00001", "at most 4 decimal places"),
        (mssql.SMALLMONEY(), "214748.3648", "out of range"),
        (Float(precision=24), "3.5e38", "out of range"),  # REAL
        (mssql.REAL(), "-3.5e38", "out of range"),
    ],
)
def test_parse_value_number_its_type_cannot_store_is_bad_value(type_, text, message):
    """GIVEN a decimal, money or real column WHEN a value past its precision, scale
    or range is parsed THEN BadValue says which."""
    with pytest.raises(BadValue, match=message):
        parse_value(info(type_), text)


@pytest.mark.parametrize(
    ("type_", "text"),
    [
        (Numeric(4, 1), "-999.9"),
        (Numeric(4, 1), "12.30"),  # a trailing zero is no extra digit
        (Numeric(38, 10), "1234567890123456789012345678.0123456789"),
        (mssql.MONEY(), "-922337203685477.5808"),
        (Float(), "1e308"),
    ],
)
def test_parse_value_number_at_its_type_limit_is_a_value(type_, text):
    """GIVEN a number exactly at its type's precision or range WHEN parsed
    THEN it is a value (no false refusals at the edge)."""
    parse_value(info(type_), text)


@pytest.mark.parametrize(
    ("type_", "outside", "inside"),
    [
        (DATETIME(), "1752-12-31 23:59", "1753-01-01 00:00"),
        (DateTime(), "1752-12-31 23:59", "9999-12-31 23:59:59"),
        (mssql.SMALLDATETIME(), "1899-12-31 23:59", "1900-01-01 00:00"),
        (mssql.SMALLDATETIME(), "2079-06-06 23:59:59", "2079-06-06 23:59"),
    ],
)
def test_parse_value_datetime_outside_datetime_or_smalldatetime_is_bad_value(
    type_, outside, inside
):
    """GIVEN DATETIME (1753..9999) and SMALLDATETIME (1900..2079-06-06 23:59)
    WHEN a moment outside and one inside are parsed
    THEN the outside one is BadValue, the inside one a value."""
    column = info(type_)
    with pytest.raises(BadValue, match="out of range"):
        parse_value(column, outside)
    assert parse_value(column, inside) == dt.datetime.fromisoformat(inside)


def test_parse_value_datetime2_takes_the_first_year():
    """GIVEN a DATETIME2 column WHEN 0001-01-01 00:00 is parsed THEN a value."""
    assert parse_value(info(mssql.DATETIME2()), "0001-01-01 00:00") == dt.datetime(
        1, 1, 1
    )


def test_parse_value_datetime_with_offset_is_checked_without_error():
    """GIVEN a DATETIME column and a moment with a UTC offset WHEN parsed
    THEN its wall time is range-checked (no naive/aware TypeError)."""
    with pytest.raises(BadValue, match="out of range"):
        parse_value(info(DATETIME()), "1700-01-01T00:00+02:00")


@pytest.mark.parametrize(
    ("type_", "day"),
    [(mssql.DATETIME2(), "9999-12-31"), (mssql.SMALLDATETIME(), "2079-06-06")],
)
def test_parse_day_last_day_of_the_type_has_no_next_day(type_, day):
    """GIVEN the last day a datetime type can hold WHEN parsed as a day filter
    THEN it starts at midnight and has no upper bound (no overflow)."""
    start, end = parse_day(info(type_), day)
    assert start == dt.datetime.fromisoformat(day)
    assert end is None


def test_parse_day_before_datetime_begins_is_bad_value():
    """GIVEN a DATETIME column WHEN the day 1600-01-01 is parsed THEN BadValue."""
    with pytest.raises(BadValue, match=r"out of range \(1753-01-01 to 9999-12-31\)"):
        parse_day(info(DATETIME()), "1600-01-01")


def test_parse_value_decimal_keeps_exact_digits():
    """GIVEN a DECIMAL(12, 2) column WHEN 0.10 is parsed THEN Decimal('0.10')."""
    assert parse_value(info(Numeric(12, 2)), "0.10") == decimal.Decimal("0.10")
