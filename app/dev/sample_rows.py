"""Synthetic rows for any generated models: deterministic, consistent, plausible.

``fill_sample_rows`` fills each table with up to N rows, parents before children, so
that every foreign key points at a row that exists (a self-reference points at an
earlier row of the same table). Values respect what the model knows: NOT NULL,
lengths, the range of the column's type, numeric scale, UNIQUE keys, and the CHECK
constraints app.catalog.checks reads (``IN`` lists, ``BETWEEN`` and comparisons with a
number or a date, as forms and imports keep them). Text follows
the column's name (email, phone, city, name, code...) through Faker. Each row goes in
under a savepoint: a row the database still refuses (a CHECK across columns, say) is
drawn again, and a table that ends up short is reported by name with the reason.

The same models, row count and seed always give the same rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import random
import re
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from faker import Faker
from sqlalchemy import Column, Table, insert, select
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import mssql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.schema import sort_tables
from sqlalchemy.types import TypeDecorator

from app.catalog.checks import ValueCheck
from app.catalog.columns import typed_check
from app.catalog.registry import column_kind
from app.embedded import is_rowversion
from app.embedded_computed import is_untranslated_computed
from app.mssql_types import SMALLDATETIME_LEGACY, OpaqueSqlType

log = logging.getLogger(__name__)

ATTEMPTS = 8  # draws per row before the table is reported short
NULL_SHARE = 0.1  # of nullable, non-key values
FIRST_DAY = dt.date(2016, 1, 1)
DAY_SPAN = 3650
SMALLDATETIME_RANGE = (dt.date(1900, 1, 1), dt.date(2079, 6, 6))
INTEGER_RANGES = {
    mssql.TINYINT: (0, 255),
    sqltypes.SmallInteger: (-32768, 32767),
    sqltypes.BigInteger: (-(2**63), 2**63 - 1),
    sqltypes.Integer: (-(2**31), 2**31 - 1),
}
SAMPLE_INTEGERS = (1, 1000)
NO_CHECK = ValueCheck()


@dataclass
class SampleReport:
    """What ``fill_sample_rows`` did, table by table."""

    rows: dict[str, int] = field(default_factory=dict)
    short: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def fill_sample_rows(
    connection: Connection, tables: Iterable[Table], rows: int, seed: int = 1
) -> SampleReport:
    """Insert up to *rows* synthetic rows into each of *tables*, parents first."""
    report = SampleReport()
    chosen = [t for t in tables if not t.info.get("is_view")]
    for table in sort_tables(chosen):
        filler = _TableFiller(connection, table, seed)
        made, reason = filler.fill(rows)
        report.rows[table.fullname] = made
        if reason:
            report.short[table.fullname] = reason
            log.warning("sample rows: %s has %d of %d: %s", table, made, rows, reason)
    return report


def _stable_seed(seed: int, name: str) -> int:
    return seed * 1_000_003 + zlib.crc32(name.encode("utf-8"))


class _TableFiller:
    """Draws and inserts the rows of one table."""

    def __init__(self, connection: Connection, table: Table, seed: int) -> None:
        self.connection = connection
        self.table = table
        self.rng = random.Random(_stable_seed(seed, table.fullname))
        self.fake = Faker("en_GB")
        self.fake.seed_instance(_stable_seed(seed, table.fullname))
        self.bounds = check_bounds(table)
        self.columns = [c for c in table.columns if _is_filled(c)]
        self.unique_sets = _unique_sets(table)
        self.seen: list[set[tuple]] = [set() for _ in self.unique_sets]
        self.parents = {
            id(fk): self._parent_values(fk)
            for fk in _foreign_keys(table)
            if fk.referred_table is not table
        }
        self.own_rows: list[dict[str, Any]] = []

    def fill(self, rows: int) -> tuple[int, str]:
        made, reason = 0, ""
        for fk in _foreign_keys(self.table):
            values = self.parents.get(id(fk))
            if values == [] and not all(c.nullable for c in fk.columns):
                return 0, f"{fk.referred_table.fullname} has no rows to refer to"
        for index in range(rows):
            error = self._insert_one(index)
            if error:
                reason = error
                break
            made += 1
        return made, reason

    def _insert_one(self, index: int) -> str:
        error = ""
        for attempt in range(ATTEMPTS):
            row = self._draw(index, attempt)
            if row is None:
                return "could not draw a row that fits its UNIQUE keys"
            savepoint = self.connection.begin_nested()
            try:
                result = self.connection.execute(insert(self.table).values(row))
            except (DBAPIError, StatementError) as exc:
                savepoint.rollback()
                error = str(getattr(exc, "orig", exc)).splitlines()[0]
                continue
            savepoint.commit()
            key = result.inserted_primary_key
            if key is not None:
                for column, value in zip(
                    self.table.primary_key.columns, key, strict=True
                ):
                    row.setdefault(column.name, value)
            self.own_rows.append(row)
            self._remember(row)
            return ""
        return f"the database refused every draw ({error})"

    def _draw(self, index: int, attempt: int) -> dict[str, Any] | None:
        for _ in range(20):
            row: dict[str, Any] = {}
            for fk in _foreign_keys(self.table):
                row.update(self._foreign_key_values(fk, index, attempt))
            for column in self.columns:
                if column.name in row:
                    continue
                row[column.name] = self._value(column, index, attempt)
            if self._is_unique(row):
                return row
            index += 1_000_003  # a new draw for the parts that clashed
        return None

    def _foreign_key_values(self, fk: Any, index: int, attempt: int) -> dict[str, Any]:
        names = [c.name for c in fk.columns]
        nullable = all(c.nullable for c in fk.columns)
        if fk.referred_table is self.table:
            targets = [e.column.name for e in fk.elements]
            earlier = [
                tuple(r.get(t) for t in targets)
                for r in self.own_rows
                if all(r.get(t) is not None for t in targets)
            ]
            if not earlier or (nullable and self.rng.random() < 0.3):
                return dict.fromkeys(names) if nullable else {}
            return dict(zip(names, self.rng.choice(earlier), strict=True))
        values = self.parents.get(id(fk)) or []
        if not values or (nullable and attempt and self.rng.random() < 0.5):
            return dict.fromkeys(names) if nullable else {}
        if nullable and self.rng.random() < NULL_SHARE:
            return dict.fromkeys(names)
        if index < len(values):
            # Every parent in turn (shuffled once), so a one-to-one table such as a
            # key that is also a foreign key gets one row per parent.
            return dict(zip(names, values[index], strict=True))
        return dict(zip(names, self.rng.choice(values), strict=True))

    def _parent_values(self, fk: Any) -> list[tuple]:
        targets = [e.column for e in fk.elements]
        statement = select(*targets).distinct().order_by(*targets).limit(5000)
        statement = statement.where(*(t.is_not(None) for t in targets))
        values = [tuple(r) for r in self.connection.execute(statement)]
        self.rng.shuffle(values)
        return values

    def _value(self, column: Column, index: int, attempt: int) -> Any:
        bounds = self.bounds.get(column.name, NO_CHECK)
        if bounds.choices:
            return self.rng.choice(bounds.choices)
        optional = column.nullable and not column.primary_key
        if optional and (attempt > ATTEMPTS // 2 or self.rng.random() < NULL_SHARE):
            return None
        return typed_value(column, bounds, self.rng, self.fake, index)

    def _is_unique(self, row: dict[str, Any]) -> bool:
        keys = []
        for names in self.unique_sets:
            values = tuple(row.get(n) for n in names)
            keys.append(values)
        for values, seen in zip(keys, self.seen, strict=True):
            if None not in values and values in seen:
                return False
        return True

    def _remember(self, row: dict[str, Any]) -> None:
        for names, seen in zip(self.unique_sets, self.seen, strict=True):
            seen.add(tuple(row.get(n) for n in names))


def _in_order(items: Iterable[Any]) -> list[Any]:
    """A table's constraints or indexes (sets) in a stable order: the rows drawn
    for a seed must not depend on the process's hash seed."""
    return sorted(
        items,
        key=lambda c: (
            type(c).__name__,
            str(c.name or ""),
            tuple(getattr(c, "columns", {}).keys()),
            str(getattr(c, "sqltext", "")),
        ),
    )


def _foreign_keys(table: Table) -> list[Any]:
    return _in_order(table.foreign_key_constraints)


def _is_filled(column: Column) -> bool:
    """False for the columns the database fills by itself."""
    table = column.table
    if is_rowversion(column):
        return False
    if column.computed is not None:
        return is_untranslated_computed(column)
    numbered = column.identity is not None or column.autoincrement is True
    return not (table.autoincrement_column is column and numbered)


def _unique_sets(table: Table) -> list[tuple[str, ...]]:
    sets = []
    if table.primary_key.columns:
        sets.append(tuple(c.name for c in table.primary_key.columns))
    for constraint in _in_order(table.constraints):
        names = tuple(getattr(constraint, "columns", {}).keys())
        if constraint.__class__.__name__ == "UniqueConstraint" and names:
            sets.append(names)
    for index in _in_order(table.indexes):
        if index.unique:
            sets.append(tuple(c.name for c in index.columns))
    return sets


# --- values by type and name ----------------------------------------------------------

NAME_HINTS: list[tuple[re.Pattern, Callable[[Faker], str]]] = [
    (re.compile(r"e_?mail", re.I), lambda f: f.email()),
    (re.compile(r"phone|mobile|fax|tel\b", re.I), lambda f: f.phone_number()),
    (re.compile(r"first_?name|given", re.I), lambda f: f.first_name()),
    (re.compile(r"last_?name|surname|family", re.I), lambda f: f.last_name()),
    (
        re.compile(r"login|user_?name|account", re.I),
        lambda f: "CONTOSO\\" + f.user_name(),
    ),
    (
        re.compile(r"company|customer_?name|supplier|vendor", re.I),
        lambda f: f.company(),
    ),
    (re.compile(r"city|town", re.I), lambda f: f.city()),
    (re.compile(r"country", re.I), lambda f: f.country()),
    (re.compile(r"post_?code|zip", re.I), lambda f: f.postcode()),
    (re.compile(r"address|street|line_?\d", re.I), lambda f: f.street_address()),
    (re.compile(r"url|website|link", re.I), lambda f: f.url()),
    (re.compile(r"title|job", re.I), lambda f: f.job()),
    (
        re.compile(r"note|comment|description|detail|message|remark|text", re.I),
        lambda f: f.sentence(nb_words=8),
    ),
    (re.compile(r"name|label", re.I), lambda f: f.name()),
    (re.compile(r"status|state|kind|type|category", re.I), lambda f: f.word()),
]
CODE_NAME = re.compile(r"code|number|\bno\b|_no$|ref|sku|key", re.I)


def typed_value(
    column: Column, bounds: ValueCheck, rng: random.Random, fake: Faker, index: int
) -> Any:
    """A value that fits the column's SQL type, CHECK bounds and name."""
    kind = column.type
    if isinstance(kind, sqltypes.NullType) or kind.__class__.__name__.lower() in {
        "geography",
        "geometry",
        "hierarchyid",
        "sql_variant",
    }:
        return None if column.nullable else ""
    if isinstance(kind, OpaqueSqlType):
        return None if column.nullable else ""
    if isinstance(kind, SMALLDATETIME_LEGACY):
        return _datetime(mssql.SMALLDATETIME(), bounds, rng)
    if isinstance(kind, TypeDecorator):
        # DATETIME_LEGACY and friends: the value is the one their impl takes.
        kind = kind.impl_instance
    if isinstance(kind, sqltypes.Boolean):
        return rng.random() < 0.5
    if isinstance(kind, sqltypes.Enum):
        return rng.choice(kind.enums)
    if isinstance(kind, sqltypes.Integer):
        return _integer(kind, bounds, rng, index, column)
    if isinstance(kind, sqltypes.Numeric):
        return _number(kind, bounds, rng)
    if isinstance(kind, sqltypes.DateTime):
        return _datetime(kind, bounds, rng)
    if isinstance(kind, sqltypes.Date):
        return _date(bounds, rng)
    if isinstance(kind, sqltypes.Time):
        return dt.time(rng.randrange(24), rng.randrange(60))
    if isinstance(kind, sqltypes.Uuid):
        return uuid.UUID(int=rng.getrandbits(128), version=4)
    if isinstance(kind, sqltypes._Binary):
        length = kind.length if isinstance(kind.length, int) else 16
        return rng.randbytes(min(length, 16))
    if isinstance(kind, sqltypes.String):
        return _text(column, kind, rng, fake, index)
    return None if column.nullable else str(index)


def _integer(
    kind: sqltypes.Integer,
    bounds: ValueCheck,
    rng: random.Random,
    index: int,
    column: Column,
) -> int:
    low, high = next(
        (r for t, r in INTEGER_RANGES.items() if isinstance(kind, t)),
        INTEGER_RANGES[sqltypes.Integer],
    )
    sample_low, sample_high = SAMPLE_INTEGERS
    if column.primary_key:
        sample_low, sample_high = 1, 1_000_000
    low_b, high_b = _numeric_bounds(bounds, 1)
    low = max(low, sample_low if low_b is None else int(low_b))
    high = min(high, sample_high if high_b is None else int(high_b))
    if low_b is not None and high_b is None:
        high = min(max(low + 1000, low), INTEGER_RANGES[sqltypes.Integer][1])
    if high_b is not None and low_b is None:
        low = max(high - 1000, low)
    low, high = min(low, high), max(low, high)
    for _ in range(20):
        value = rng.randint(low, high)
        if value not in bounds.excluded:
            return value
    return low


def _number(kind: sqltypes.Numeric, bounds: ValueCheck, rng: random.Random) -> Any:
    scale = kind.scale if kind.scale is not None else 2
    precision = kind.precision or 18
    limit = decimal.Decimal(10) ** (precision - scale) - decimal.Decimal(10) ** -scale
    step = decimal.Decimal(10) ** -scale
    low_b, high_b = _numeric_bounds(bounds, step)
    low = decimal.Decimal(0) if low_b is None else decimal.Decimal(str(low_b))
    high = (
        min(limit, decimal.Decimal(10000))
        if high_b is None
        else decimal.Decimal(str(high_b))
    )
    if high < low:
        high = low
    value = low + (high - low) * decimal.Decimal(str(rng.random()))
    value = value.quantize(step, rounding=decimal.ROUND_DOWN)
    value = max(low, min(high, value))
    if isinstance(kind, sqltypes.Float) or not kind.asdecimal:
        return float(value)
    return value


def _numeric_bounds(bounds: ValueCheck, step: Any) -> tuple[Any, Any]:
    """The CHECK's numeric range, exclusive ends moved in by ``step`` (a constant
    that is not a number is left to the database: the row is drawn again)."""
    low, high = bounds.low, bounds.high
    numbers = int | float | decimal.Decimal
    low = low if isinstance(low, numbers) and not isinstance(low, bool) else None
    high = high if isinstance(high, numbers) and not isinstance(high, bool) else None
    if low is not None and not bounds.low_inclusive:
        low = low + step
    if high is not None and not bounds.high_inclusive:
        high = high - step
    return low, high


def _day_bounds(bounds: ValueCheck) -> tuple[dt.date, dt.date]:
    """The first and last day to draw from: the sample decade, moved to meet a
    CHECK's date range and cut to it (a time of day is kept by
    ``_within_day_bounds``)."""
    low, high = _day(bounds.low), _day(bounds.high)
    if low is not None and not bounds.low_inclusive and low == bounds.low:
        low += dt.timedelta(days=1)  # a date column's ``> '2000-01-01'``
    if high is not None and not bounds.high_inclusive and high == bounds.high:
        high -= dt.timedelta(days=1)
    first, last = FIRST_DAY, FIRST_DAY + dt.timedelta(days=DAY_SPAN - 1)
    span = last - first
    if low is not None and low > last:
        first, last = low, low + span
    if high is not None and high < first:
        first, last = high - span, high
    first = first if low is None else max(first, low)
    last = last if high is None else min(last, high)
    return first, max(first, last)


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _date(bounds: ValueCheck, rng: random.Random) -> dt.date:
    first, last = _day_bounds(bounds)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _datetime(kind: Any, bounds: ValueCheck, rng: random.Random) -> dt.datetime:
    day = _date(bounds, rng)
    if kind.__class__.__name__.upper().startswith("SMALLDATETIME"):
        day = max(SMALLDATETIME_RANGE[0], min(SMALLDATETIME_RANGE[1], day))
        moment = dt.time(rng.randrange(24), rng.randrange(60))
    else:  # whole seconds: every SQL Server date/time type holds them exactly
        moment = dt.time(rng.randrange(24), rng.randrange(60), rng.randrange(60))
    return _within_day_bounds(dt.datetime.combine(day, moment), bounds)


def _within_day_bounds(value: dt.datetime, bounds: ValueCheck) -> dt.datetime:
    """``value`` moved inside a CHECK's date-and-time ends on its own day (a low of
    10:00 on the first day, a high at midnight on the last)."""
    minute = dt.timedelta(minutes=1)
    low, high = bounds.low, bounds.high
    if isinstance(low, dt.date):
        low = (
            low if isinstance(low, dt.datetime) else dt.datetime.combine(low, dt.time())
        )
        if value < low or (value == low and not bounds.low_inclusive):
            value = low + (minute if not bounds.low_inclusive else dt.timedelta())
    if isinstance(high, dt.date):
        high = (
            high
            if isinstance(high, dt.datetime)
            else dt.datetime.combine(high, dt.time())
        )
        if value > high or (value == high and not bounds.high_inclusive):
            value = high - (minute if not bounds.high_inclusive else dt.timedelta())
    return value


def _text(
    column: Column, kind: sqltypes.String, rng: random.Random, fake: Faker, index: int
) -> str:
    length = kind.length if isinstance(kind.length, int) else None
    fixed = isinstance(kind, sqltypes.CHAR | sqltypes.NCHAR)
    name = column.name
    if fixed or (CODE_NAME.search(name) and (length or 99) <= 40):
        width = length if fixed and length else min(length or 10, 10)
        return _code(rng, width, index)
    text = next(
        (make(fake) for pattern, make in NAME_HINTS if pattern.search(name)), None
    )
    if text is None:
        text = (
            fake.sentence(nb_words=6).rstrip(".")
            if not length or length > 40
            else fake.word()
        )
    if kind.__class__.__name__.upper() == "XML":
        return f"<note>{text}</note>"
    if column_is_unique(column):
        text = f"{text} {index + 1}"
    if length:
        text = text[:length]
    return text


def _code(rng: random.Random, width: int, index: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    prefix = "".join(rng.choice(letters) for _ in range(min(2, width)))
    digits = str(index + 1).rjust(max(width - len(prefix), 0), "0")
    return (prefix + digits)[-width:] if width else ""


def column_is_unique(column: Column) -> bool:
    """True when the column alone must be unique."""
    table = column.table
    if list(table.primary_key.columns) == [column]:
        return True
    for index in _in_order(table.indexes):
        if index.unique and list(index.columns) == [column]:
            return True
    return any(
        constraint.__class__.__name__ == "UniqueConstraint"
        and list(constraint.columns) == [column]
        for constraint in _in_order(table.constraints)
    )


# --- CHECK constraints ---------------------------------------------------------------


def check_bounds(table: Table) -> dict[str, ValueCheck]:
    """Per column, what the table's readable CHECK constraints allow, constants
    typed as the column's values (app.catalog.checks reads them, for forms and
    imports too)."""
    found: dict[str, ValueCheck] = {}
    for column in table.columns:
        check = typed_check(column, column_kind(column))
        if check is not None:
            found[column.name] = check
    return found
