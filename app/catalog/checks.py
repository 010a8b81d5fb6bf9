"""CHECK constraints we can read, as rules checked before the database.

sqlacodegen writes each CHECK constraint's SQL text into the models
(``CheckConstraint('priority BETWEEN 1 AND 4', name=...)``); SQL Server itself
stores it normalised (``([priority]>=(1) AND [priority]<=(4))``, ``IN`` as an ``OR``
of equalities). A small parser reads both spellings for these shapes:

- ``col IN (constants)`` or ``col = a OR col = b``: the allowed values (a select);
- ``col BETWEEN a AND b`` and comparisons with constants, joined by ``AND``: a range
  (min/max on the input);
- ``col <> constant``: one excluded value;
- ``a >= b`` between two columns: a rule over the whole row.

A constant may be a date: ``'2000-01-01'`` (typed by the column's kind in
app.catalog.columns) or SQL Server's ``CONVERT([date],'20000101')`` /
``CAST('2000-01-01' AS date)``, read here as a ``datetime.date`` (``datetime``
for the date-and-time types).

``col IS NULL OR ...`` is the shape alone: a CHECK passes on NULL anyway. Anything
else is left to the database (which names its constraint when it refuses).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Table

FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>"}
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>N?'(?:[^']|'')*')
    | (?P<num>[-+]?\d+(?:\.\d+)?)
    | (?P<op><=|>=|<>|!=|=|<|>)
    | (?P<punct>[(),])
    | (?P<bracket>\[[^\]]+\])
    | (?P<quoted>"[^"]+")
    | (?P<word>[A-Za-z_][\w$#@]*)
    )""",
    re.VERBOSE,
)


class Unreadable(ValueError):
    """The CHECK text is not one of the shapes we read."""


@dataclass(frozen=True)
class ColumnRef:
    """A column named in a CHECK (its name as written, unquoted)."""

    name: str


@dataclass(frozen=True)
class Compare:
    """``left op right``: each side a column or a constant."""

    left: Any
    op: str
    right: Any


@dataclass(frozen=True)
class InList:
    """``column IN (values)``."""

    column: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Junction:
    """``AND`` / ``OR`` of parts."""

    word: str
    parts: tuple[Any, ...]


@dataclass(frozen=True)
class IsNull:
    """``column IS NULL``."""

    column: str


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) tokens of a CHECK expression; Unreadable on anything else."""
    found: list[tuple[str, str]] = []
    at = 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise Unreadable(text[at:])
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        at = match.end()
    return found


class _Parser:
    """Recursive descent over tokens: or := and (OR and)*; and := atom (AND atom)*."""

    def __init__(self, text: str) -> None:
        self.items = tokens(text)
        self.at = 0

    def peek(self, word: str | None = None) -> tuple[str, str] | None:
        if self.at >= len(self.items):
            return None
        item = self.items[self.at]
        if word is not None and item[1].upper() != word:
            return None
        return item

    def take(self, word: str | None = None) -> tuple[str, str]:
        item = self.peek(word)
        if item is None:
            raise Unreadable(word or "end")
        self.at += 1
        return item

    def parse(self) -> Any:
        node = self.junction("OR")
        if self.at != len(self.items):
            raise Unreadable(self.items[self.at][1])
        return node

    def junction(self, word: str) -> Any:
        inner = (lambda: self.junction("AND")) if word == "OR" else self.atom
        parts = [inner()]
        while self.peek(word) and self.items[self.at][0] == "word":
            self.take()
            parts.append(inner())
        return parts[0] if len(parts) == 1 else Junction(word, tuple(parts))

    def operand(self) -> Any:
        kind, text = self.take()
        if kind == "punct" and text == "(":  # SQL Server writes constants as (1)
            value = self.operand()
            self.take(")")
            return value
        if kind == "str":
            return text[2 if text[0] in "Nn" else 1 : -1].replace("''", "'")
        if kind == "num":
            return Decimal(text) if "." in text else int(text)
        if kind == "bracket":
            return ColumnRef(text[1:-1])
        if kind == "quoted":
            return ColumnRef(text[1:-1])
        if kind == "word" and text.upper() in {"CONVERT", "CAST"} and self.peek("("):
            return self.converted(text.upper())
        if kind == "word" and text.upper() not in {"AND", "OR", "NOT", "NULL", "IS"}:
            return ColumnRef(text)
        raise Unreadable(text)

    def converted(self, word: str) -> Any:
        """``CONVERT(type, 'text'[, style])`` or ``CAST('text' AS type)`` of a date
        constant: its value (Unreadable for other types, styles or operands)."""
        self.take("(")
        if word == "CAST":
            value = self.operand()
            self.take("AS")
            type_name = self.type_name()
        else:
            type_name = self.type_name()
            self.take(",")
            value = self.operand()
            if self.peek(","):
                self.take()
                if self.operand() not in ISO_STYLES:
                    raise Unreadable("CONVERT style")
        self.take(")")
        return date_constant(type_name, value)

    def type_name(self) -> str:
        kind, text = self.take()
        if kind not in {"word", "bracket"}:
            raise Unreadable(text)
        if self.peek("("):  # datetime2(0)
            self.take()
            self.take()
            self.take(")")
        return (text[1:-1] if kind == "bracket" else text).lower()

    def atom(self) -> Any:
        item = self.peek()
        if item == ("punct", "("):
            start = self.at
            self.take()
            try:  # a parenthesised condition, or a parenthesised constant operand
                node = self.junction("OR")
                self.take(")")
                return node
            except Unreadable:
                self.at = start
        left = self.operand()
        item = self.peek()
        if item is None:
            raise Unreadable("end")
        kind, text = item
        upper = text.upper()
        if kind == "op":
            self.take()
            op = "<>" if text == "!=" else text
            return Compare(left, op, self.operand())
        if upper == "BETWEEN" and isinstance(left, ColumnRef):
            self.take()
            low = self.operand()
            self.take("AND")
            high = self.operand()
            return Junction(
                "AND", (Compare(left, ">=", low), Compare(left, "<=", high))
            )
        if upper == "IN" and isinstance(left, ColumnRef):
            self.take()
            self.take("(")
            values = [self.operand()]
            while self.peek(","):
                self.take()
                values.append(self.operand())
            self.take(")")
            if any(isinstance(v, ColumnRef) for v in values):
                raise Unreadable("IN with a column")
            return InList(left.name, tuple(values))
        if upper == "IS" and isinstance(left, ColumnRef):
            self.take()
            self.take("NULL")
            return IsNull(left.name)
        raise Unreadable(text)


# CONVERT styles whose text is ISO 8601 (or yyyymmdd): read the same in any locale.
ISO_STYLES = frozenset({23, 112, 120, 121, 126, 127})
DATE_TYPES = frozenset({"date"})
DATETIME_TYPES = frozenset({"datetime", "datetime2", "smalldatetime"})


def date_constant(type_name: str, value: Any) -> dt.date:
    """The value of ``CONVERT(type_name, value)`` for a date type and a text in
    ISO 8601 or yyyymmdd; Unreadable otherwise."""
    if not isinstance(value, str):
        raise Unreadable(str(value))
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise Unreadable(value) from None
    if type_name in DATE_TYPES:
        return parsed.date()
    if type_name in DATETIME_TYPES:
        return parsed
    raise Unreadable(type_name)


def parse_check(text: str) -> Any:
    """The expression tree of a CHECK's SQL text; Unreadable for other shapes."""
    return _Parser(text).parse()


# --- the rules a tree says ---


@dataclass(frozen=True)
class ValueCheck:
    """What one column's CHECKs allow: a list of values, a range, excluded values."""

    choices: tuple[Any, ...] | None = None
    low: Any = None
    low_inclusive: bool = True
    high: Any = None
    high_inclusive: bool = True
    excluded: tuple[Any, ...] = ()
    constraint: str = ""


@dataclass(frozen=True)
class RowCheck:
    """A comparison between two columns of one row: ``left op right``."""

    left: str
    op: str
    right: str
    constraint: str = ""


def _without_null_guard(node: Any) -> Any:
    """``x IS NULL OR rest`` is ``rest`` for a CHECK (NULL passes anyway)."""
    if not (isinstance(node, Junction) and node.word == "OR" and len(node.parts) == 2):
        return node
    nulls = [p for p in node.parts if isinstance(p, IsNull)]
    rest = [p for p in node.parts if not isinstance(p, IsNull)]
    # Only when the rest is one comparison of that column: it is then unknown
    # (passes) exactly when the column is NULL. ``a IS NULL OR (a > 1 AND b > 2)``
    # is not the same as its right side.
    if len(nulls) == 1 and len(rest) == 1 and nulls[0].column in _names(rest[0]):
        return rest[0]
    return node


def _names(node: Any) -> set[str]:
    if isinstance(node, Compare):
        sides = (node.left, node.right)
        return {s.name for s in sides if isinstance(s, ColumnRef)}
    if isinstance(node, InList):
        return {node.column}
    return set()


def _as_in_list(node: Junction) -> InList | None:
    """``c = 'a' OR c = 'b'`` (SQL Server's spelling of IN) as an InList."""
    names, values = set(), []
    for part in node.parts:
        if isinstance(part, InList):
            names.add(part.column)
            values += part.values
            continue
        if not isinstance(part, Compare) or part.op != "=":
            return None
        left, right = part.left, part.right
        if isinstance(right, ColumnRef):
            left, right = right, left
        if not isinstance(left, ColumnRef) or isinstance(right, ColumnRef):
            return None
        names.add(left.name)
        values.append(right)
    return InList(names.pop(), tuple(values)) if len(names) == 1 else None


def read_check(text: str, name: str = "") -> list[tuple[str, ValueCheck] | RowCheck]:
    """The rules of one CHECK: (column, ValueCheck) pairs and RowChecks; empty
    when its shape is not one we read."""
    try:
        node = _without_null_guard(parse_check(text))
    except Unreadable:
        return []
    if isinstance(node, Junction) and node.word == "OR":
        node = _as_in_list(node)
        if node is None:
            return []
    parts = node.parts if isinstance(node, Junction) else (node,)
    found: list[tuple[str, ValueCheck] | RowCheck] = []
    for part in parts:
        if isinstance(part, InList):
            found.append(
                (part.column, ValueCheck(choices=part.values, constraint=name))
            )
        elif isinstance(part, Compare):
            rule = _compare_rule(part, name)
            if rule is None:
                return []
            found.append(rule)
        elif isinstance(part, Junction) and part.word == "OR":
            listed = _as_in_list(part)
            if listed is None:
                return []
            found.append((listed.column, ValueCheck(listed.values, constraint=name)))
        else:
            return []
    return found


def _compare_rule(part: Compare, name: str) -> tuple[str, ValueCheck] | RowCheck | None:
    left, op, right = part.left, part.op, part.right
    if isinstance(left, ColumnRef) and isinstance(right, ColumnRef):
        return RowCheck(left.name, op, right.name, name)
    if not isinstance(left, ColumnRef):
        if not isinstance(right, ColumnRef):
            return None
        left, right, op = right, left, FLIPPED[op]
    column = left.name
    if op == "=":
        return column, ValueCheck(choices=(right,), constraint=name)
    if op == "<>":
        return column, ValueCheck(excluded=(right,), constraint=name)
    if op in {">", ">="}:
        return column, ValueCheck(low=right, low_inclusive=op == ">=", constraint=name)
    return column, ValueCheck(high=right, high_inclusive=op == "<=", constraint=name)


def merge(checks: Sequence[ValueCheck]) -> ValueCheck | None:
    """One column's ValueChecks as one (the tightest range, the shared choices)."""
    if not checks:
        return None
    choices: tuple[Any, ...] | None = None
    low = high = None
    low_inc = high_inc = True
    excluded: tuple[Any, ...] = ()
    for c in checks:
        if c.choices is not None:
            choices = (
                c.choices
                if choices is None
                else tuple(v for v in choices if v in c.choices)
            )
        if c.low is not None and (
            low is None or _before(low, c.low) or (c.low == low and not c.low_inclusive)
        ):
            low, low_inc = c.low, c.low_inclusive
        if c.high is not None and (
            high is None
            or _before(c.high, high)
            or (c.high == high and not c.high_inclusive)
        ):
            high, high_inc = c.high, c.high_inclusive
        excluded += c.excluded
    names = ", ".join(dict.fromkeys(c.constraint for c in checks if c.constraint))
    return ValueCheck(choices, low, low_inc, high, high_inc, excluded, names)


def _before(a: Any, b: Any) -> bool:
    """``a < b`` for two constants, by their text when their types differ ('2000-01-01'
    and a date read from CONVERT: ISO text sorts as the dates do)."""
    try:
        return a < b
    except TypeError:
        return str(a) < str(b)


# Read once per Table (the column rules ask once per column); an entry keeps its
# Table so a rebuilt metadata never reuses another table's rules.
TableChecks = tuple[dict[str, ValueCheck], list[RowCheck]]
_TABLE_CHECKS: dict[int, tuple[Table, TableChecks]] = {}
TABLE_CHECKS_MAX = 4096


def table_checks(table: Table) -> TableChecks:
    """The readable CHECKs of ``table``: per column (by its model name) and across
    columns. Names in the SQL text match the model's case-insensitively, as on SQL
    Server; a CHECK naming an unknown column is left to the database."""
    found = _TABLE_CHECKS.get(id(table))
    if found is None or found[0] is not table:
        if len(_TABLE_CHECKS) >= TABLE_CHECKS_MAX:
            _TABLE_CHECKS.clear()
        found = _TABLE_CHECKS[id(table)] = (table, _read_table_checks(table))
    return found[1]


def _read_table_checks(table: Table) -> TableChecks:
    by_lower = {c.name.lower(): c.name for c in table.columns}
    per_column: dict[str, list[ValueCheck]] = {}
    rows: list[RowCheck] = []
    # A column's own CHECK (``Column(..., CheckConstraint(...))``) is on the column.
    found = [*table.constraints, *(k for c in table.columns for k in c.constraints)]
    for cons in dict.fromkeys(found):
        if not isinstance(cons, CheckConstraint):
            continue
        text = str(getattr(cons.sqltext, "text", cons.sqltext))
        rules = read_check(text, str(cons.name or ""))
        if not _known(rules, by_lower):
            continue
        for rule in rules:
            if isinstance(rule, RowCheck):
                rows.append(
                    RowCheck(
                        by_lower[rule.left.lower()],
                        rule.op,
                        by_lower[rule.right.lower()],
                        rule.constraint,
                    )
                )
            else:
                column, check = rule
                per_column.setdefault(by_lower[column.lower()], []).append(check)
    merged = {name: merge(found) for name, found in per_column.items()}
    return {k: v for k, v in merged.items() if v is not None}, rows


def _known(rules: Sequence[Any], by_lower: Mapping[str, str]) -> bool:
    for rule in rules:
        names = (rule.left, rule.right) if isinstance(rule, RowCheck) else (rule[0],)
        if any(n.lower() not in by_lower for n in names):
            return False
    return bool(rules)


# --- the words ---

AFTER_WORDS = {">": "after", ">=": "after", "<": "before", "<=": "before"}
NUMBER_WORDS = {
    ">": "more than",
    ">=": "at least",
    "<": "less than",
    "<=": "at most",
    "=": "equal to",
    "<>": "different from",
}
TIME_KINDS = frozenset({"date", "datetime", "time"})


def shown(value: Any) -> str:
    """A CHECK constant as a message shows it."""
    return str(value)


def range_words(label: str, check: ValueCheck) -> str:
    """'Priority must be 1–4', 'Salary must be at least 0', ..."""
    low, high = check.low, check.high
    if (
        low is not None
        and high is not None
        and check.low_inclusive
        and (check.high_inclusive)
    ):
        return f"{label} must be {shown(low)}–{shown(high)}"
    parts = []
    if low is not None:
        word = "at least" if check.low_inclusive else "more than"
        parts.append(f"{word} {shown(low)}")
    if high is not None:
        word = "at most" if check.high_inclusive else "less than"
        parts.append(f"{word} {shown(high)}")
    return f"{label} must be {' and '.join(parts)}"


def value_problem(label: str, check: ValueCheck, value: Any) -> str | None:
    """The message when ``value`` breaks ``check`` (None: it passes or is NULL)."""
    if value is None:
        return None
    try:
        if check.choices is not None and not any(
            _same(value, c) for c in check.choices
        ):
            allowed = ", ".join(shown(c) for c in check.choices)
            return f"{label} must be one of: {allowed}"
        if any(_same(value, c) for c in check.excluded):
            return f"{label} must not be {', '.join(map(shown, check.excluded))}"
        low, high = check.low, check.high
        too_low = low is not None and (
            value < low if check.low_inclusive else value <= low
        )
        too_high = high is not None and (
            value > high if check.high_inclusive else value >= high
        )
    except TypeError:
        return None  # a constant of another type: the database decides
    if too_low or too_high:
        return range_words(label, check)
    return None


def _same(value: Any, constant: Any) -> bool:
    if isinstance(value, str) and isinstance(constant, str):
        # SQL Server's usual collations: case-insensitive, trailing spaces ignored
        return value.rstrip().casefold() == constant.rstrip().casefold()
    return value == constant


def canonical(check: ValueCheck | None, value: Any) -> Any:
    """``value`` spelt as the CHECK lists it ('Open' -> 'open'): PostgreSQL and
    SQLite compare case-sensitively where SQL Server does not."""
    if check is None or check.choices is None or not isinstance(value, str):
        return value
    for choice in check.choices:
        if isinstance(choice, str) and _same(value, choice):
            return choice
    return value


def row_problem(
    check: RowCheck,
    values: Mapping[str, Any],
    labels: Mapping[str, str],
    kinds: Mapping[str, str],
) -> str | None:
    """The message when a row breaks a cross-column ``check`` (None: it passes, a
    side is NULL or missing)."""
    left, right = values.get(check.left), values.get(check.right)
    if left is None or right is None:
        return None
    test: Callable[[Any, Any], bool] = OPERATORS[check.op]
    try:
        if test(left, right):
            return None
    except TypeError:
        return None
    a, b = labels.get(check.left, check.left), labels.get(check.right, check.right)
    if kinds.get(check.left) in TIME_KINDS and check.op in AFTER_WORDS:
        same = ", or the same" if check.op in {">=", "<="} else ""
        return f"{a} must be {AFTER_WORDS[check.op]} {b}{same}"
    return f"{a} must be {NUMBER_WORDS[check.op]} {b}"


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
}
