"""One set of column rules for forms AND imports: kind, editability, required,
range/length, scale and parsing, decided from the column's SQL type.

Edit forms (app.edit.forms, their fields app.edit.fields) and CSV imports
(app.data.imports) both build on ``column_rule``, so what one refuses the other
refuses too, with the same words (tests/catalog/test_column_rules.py checks it for
every demo column). Parsing is the lenient one a CSV from Excel needs (decimal
comma, ``31.12.2024``, yes/no words); the form's widgets send the canonical forms,
which it accepts as well.

Columns the database fills (identity, computed, rowversion, period), binary columns
and columns of types that cannot be typed in are never
written by either: a form shows them read-only, an import refuses to map them. A
column with a default (``getdate()`` too) is editable; left empty on a new row, the
default applies.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, FetchedValue, Table
from sqlalchemy.dialects import mssql
from sqlalchemy.types import Integer

from app.catalog.checks import (
    RowCheck,
    ValueCheck,
    canonical,
    row_problem,
    table_checks,
    value_problem,
)
from app.catalog.model import STRING_KINDS, ColumnInfo, TableInfo
from app.catalog.ranges import decimal_range, int_range
from app.mssql_types import is_period_column

ROWVERSION_TYPES = (mssql.TIMESTAMP,)  # mssql.ROWVERSION subclasses TIMESTAMP
UNTYPABLE_KINDS = frozenset({"binary", "other"})
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "on", "t", "x"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "off", "f"})
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
)
GUID_EXAMPLE = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
REQUIRED = "a value is required"


class BadInput(ValueError):
    """Text that is not a valid value for its column; the message says why."""


# --- what the database fills itself -----------------------------------------------


def table_autoincrement(table: Table) -> Column | None:
    """The column whose value the database generates on insert (identity), if any."""
    try:
        return table._autoincrement_column  # noqa: SLF001  (public enough, stable)
    except AttributeError:
        return None


def _is_autoincrement(col: Column) -> bool:
    return col.identity is not None or (
        col.primary_key
        and table_autoincrement(col.table) is col
        and isinstance(col.type, Integer)
    )


def server_managed(col: Column) -> bool:
    """True for columns the database fills itself: never sent in INSERT/UPDATE."""
    if isinstance(col.type, ROWVERSION_TYPES) or col.computed is not None:
        return True
    if is_period_column(col):  # temporal ROW START/END: Msg 13536/13537 if sent
        return True
    if _is_autoincrement(col):
        return True
    # A default (even getdate() or newid()) is only the value of a row that leaves
    # the column empty: OrderDate DEFAULT getdate() can be set and corrected.
    # A bare FetchedValue says the server fills it (a trigger, a reflected period).
    return type(col.server_default) is FetchedValue


def has_default(col: Column) -> bool:
    """True when the column may be left out of an INSERT."""
    return (
        col.nullable
        or col.server_default is not None
        or col.default is not None
        or server_managed(col)
    )


# --- the rule of one column ----------------------------------------------------------


@dataclass(frozen=True)
class ColumnRule:
    """Everything forms and imports decide about one column's values."""

    name: str
    label: str
    kind: str
    primary_key: bool
    nullable: bool
    managed: bool  # the database fills it (server_managed)
    defaulted: bool  # may be left out of an INSERT (has_default)
    bounds: tuple[Any, Any] | None = None  # (min, max) of numbers
    scale: int | None = None  # decimal places of decimals and money
    max_length: int | None = None  # characters of strings
    parse: Callable[[str], Any] = field(default=lambda text: text, compare=False)
    rule_check: ValueCheck | None = None  # what the table's CHECKs allow

    @property
    def choices(self) -> tuple[Any, ...] | None:
        """The only values a CHECK allows (``status IN (...)``): a select."""
        return self.rule_check.choices if self.rule_check else None

    def limits(self) -> tuple[Any, Any]:
        """(min, max) for the input: a CHECK's range inside the type's, when
        inclusive (an exclusive bound is the rule's message, not an attribute)."""
        low, high = self.bounds if self.bounds is not None else (None, None)
        found = self.rule_check
        if found is not None and self.kind in {"int", "decimal", "money", "float"}:
            if found.low is not None and found.low_inclusive:
                low = found.low if low is None else max(low, found.low)
            if found.high is not None and found.high_inclusive:
                high = found.high if high is None else min(high, found.high)
        return low, high

    def read_only_reason(self, creating: bool) -> str | None:
        """Why neither a form nor an import may set this column, or None."""
        if self.managed:
            return "is set by the database"
        if self.kind == "binary":
            return "is binary: binary values cannot be typed in"
        if self.kind in UNTYPABLE_KINDS:
            return "has a type whose values cannot be typed in"
        if self.primary_key and not creating:
            return "is the key of an existing row"
        return None

    def editable(self, creating: bool) -> bool:
        """True when a form or an import may set the column."""
        return self.read_only_reason(creating) is None

    def required(self, creating: bool) -> bool:
        """True when an empty value is refused (NOT NULL, no default on insert)."""
        if self.primary_key and creating:
            return True
        return not self.nullable and not (creating and self.defaulted)

    def flags(self) -> dict[str, Any]:
        """The HTML validation attributes of the rule (min/max, maxlength)."""
        low, high = self.limits()
        if low is not None or high is not None:
            return {k: v for k, v in (("min", low), ("max", high)) if v is not None}
        if self.max_length:
            return {"maxlength": self.max_length}
        return {}

    def check(self, value: Any) -> None:
        """BadInput when a parsed ``value`` does not fit the column."""
        if value is None:
            return
        if (
            self.scale is not None
            and isinstance(value, decimal.Decimal)
            and -value.as_tuple().exponent > self.scale
        ):
            raise BadInput(f"{value} has more than {self.scale} decimal places")
        if self.bounds is not None and not isinstance(value, bool | float):
            low, high = self.bounds
            if not low <= value <= high:
                raise BadInput(f"{value} is outside {low}..{high}")
        if self.max_length and isinstance(value, str) and len(value) > self.max_length:
            raise BadInput(
                f"is {len(value)} characters long; at most {self.max_length} fit"
            )
        if self.rule_check is not None:
            problem = value_problem(self.label, self.rule_check, value)
            if problem is not None:
                raise BadInput(problem)

    def converter(self, creating: bool = True) -> Callable[[str], Any]:
        """Text to value in one call (None for empty): parse, required, check."""
        parse, check = self.parse, self.check
        required = self.required(creating)

        def convert(text: str) -> Any:
            value = parse(text)
            if value is None:
                if required:
                    raise BadInput(REQUIRED)
                return None
            check(value)
            return value

        return convert


# Rules by ColumnInfo (built once per catalog column: forms ask per request); an
# entry keeps its ColumnInfo so a rebuilt catalog never reuses an old one's rule.
_RULES: dict[int, tuple[ColumnInfo, ColumnRule]] = {}
RULES_MAX = 8192


def column_rule(info: ColumnInfo) -> ColumnRule:
    """The rule of a catalog column."""
    found = _RULES.get(id(info))
    if found is not None and found[0] is info:
        return found[1]
    rule = _column_rule(info)
    if len(_RULES) >= RULES_MAX:
        _RULES.clear()
    _RULES[id(info)] = (info, rule)
    return rule


def _column_rule(info: ColumnInfo) -> ColumnRule:
    col = info.column
    kind = info.kind
    bounds = scale = length = None
    if kind == "int":
        found = int_range(col)
        bounds = (found.low, found.high) if found else None
    elif kind in {"decimal", "money"}:
        found = decimal_range(col)
        bounds, scale = (found.low, found.high), found.scale
    elif kind in STRING_KINDS:
        length = getattr(col.type, "length", None)
    checked = typed_check(col, kind)
    return ColumnRule(
        name=info.name,
        label=info.label,
        kind=kind,
        primary_key=bool(col.primary_key),
        nullable=bool(col.nullable),
        managed=server_managed(col),
        defaulted=has_default(col),
        bounds=bounds,
        scale=scale,
        max_length=length,
        parse=_choice_parser(PARSERS.get(kind, _parse_text), checked),
        rule_check=checked,
    )


def _choice_parser(
    parse: Callable[[str], Any], checked: ValueCheck | None
) -> Callable[[str], Any]:
    """A column with a list of allowed values (``status IN (...)``) reads blank
    text as no value and a listed value in any case as the listed spelling."""
    if checked is None or checked.choices is None:
        return parse

    def parse_choice(text: str) -> Any:
        if not text.strip():
            return None
        return canonical(checked, parse(text))

    return parse_choice


def typed_check(column: Column, kind: str) -> ValueCheck | None:
    """The column's readable CHECKs, constants typed as the column's values of
    ``kind`` (forms, imports and the sample-row filler all read them here)."""
    table = getattr(column, "table", None)
    if table is None:
        return None
    found = table_checks(table)[0].get(column.name)
    if found is None or kind not in PARSERS or kind in {"bool", "binary", "other"}:
        return found
    parse = PARSERS[kind]

    def typed(value: Any) -> Any:
        try:  # '2024-01-01' for a date column; 0 for a decimal one
            return parse(str(value)) if value is not None else None
        except BadInput:
            return value

    return ValueCheck(
        choices=None if found.choices is None else tuple(map(typed, found.choices)),
        low=typed(found.low),
        low_inclusive=found.low_inclusive,
        high=typed(found.high),
        high_inclusive=found.high_inclusive,
        excluded=tuple(map(typed, found.excluded)),
        constraint=found.constraint,
    )


# --- parsing text, by kind (None for empty text) ----------------------------------


def _parse_int(text: str) -> Any:
    try:  # int() ignores surrounding whitespace like strip() would
        return int(text)
    except ValueError:
        text = text.strip()
        if not text:
            return None
        raise BadInput(f"{text!r} is not a whole number") from None


def _parse_decimal(text: str) -> Any:
    try:  # the usual cell: a plain number (surrounding whitespace is fine)
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        text = text.strip().replace(" ", "")
        if not text:
            return None
        text = _without_thousands(text)
        try:
            value = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise BadInput(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise BadInput(f"{text.strip()!r} is not a number")
    return value


THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+\.\d+|[-+]?\d{1,3}(?:,\d{3}){2,}")
THOUSANDS_DOT = re.compile(r"[-+]?\d{1,3}(?:\.\d{3})+,\d+")


def _without_thousands(text: str) -> str:
    """'90,900.00' and '90.900,00' as 90900.00; a lone comma is a decimal comma
    (European Excel): '1,5' and '1,234' are 1.5 and 1.234. Groups are of three."""
    if THOUSANDS.fullmatch(text):
        return text.replace(",", "")
    if THOUSANDS_DOT.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    if "," in text and "." not in text:
        return text.replace(",", ".")
    return text


def _parse_float(text: str) -> Any:
    value = _parse_decimal(text)
    return None if value is None else float(value)


def _parse_bool(text: str) -> Any:
    word = text.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadInput(f"{text!r} is not yes/no")


def _dates(kind: str, formats: tuple[str, ...], what: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        text = text.strip()
        if not text:
            return None
        try:  # ISO first: fromisoformat is C code, ~20x faster than strptime
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return parsed.date() if kind == "date" else parsed
        for fmt in formats:
            try:
                parsed = dt.datetime.strptime(text, fmt)
            except ValueError:
                continue
            return parsed.date() if kind == "date" else parsed
        raise BadInput(f"{text!r} is not {what}")

    return parse


def _parse_time(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{text!r} is not a time (HH:MM or HH:MM:SS)") from None


def _parse_guid(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise BadInput(f"{text!r} is not a GUID like {GUID_EXAMPLE}") from None


def _parse_text(text: str) -> Any:
    return None if text == "" else text


def _parse_untypable(text: str) -> Any:
    if text == "":
        return None
    raise BadInput("values of this column cannot be typed in")


PARSERS: dict[str, Callable[[str], Any]] = {
    "int": _parse_int,
    "decimal": _parse_decimal,
    "money": _parse_decimal,
    "float": _parse_float,
    "bool": _parse_bool,
    "date": _dates("date", DATE_FORMATS, "a date (YYYY-MM-DD)"),
    "datetime": _dates(
        "datetime", DATETIME_FORMATS, "a date and time (YYYY-MM-DD HH:MM)"
    ),
    "time": _parse_time,
    "guid": _parse_guid,
    "binary": _parse_untypable,
    "other": _parse_untypable,
}


# --- rules over a whole row (cross-column CHECKs) ---------------------------------


def row_checks(table: Table) -> list[RowCheck]:
    """The table's cross-column CHECKs we can read (``resolved_at >= opened_at``)."""
    return table_checks(table)[1]


def row_problems(info: TableInfo, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(column, message) for each cross-column CHECK ``values`` break, before the
    database: "Resolved at must be after Opened at, or the same". A rule with a
    side missing from ``values`` or NULL is not judged here."""
    checks = row_checks(info.table)
    if not checks:
        return []
    labels = {n: c.label for n, c in info.columns.items()}
    kinds = {n: c.kind for n, c in info.columns.items()}
    found = []
    for check in checks:
        problem = row_problem(check, values, labels, kinds)
        if problem is not None:
            found.append((check.left, problem))
    return found
