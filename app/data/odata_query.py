"""OData v4 query options to SQLAlchemy: $filter, $orderby and key predicates.

Every name is looked up through the caller's ``Scope`` (a hidden or unknown column is
the same 400) and every literal becomes a bound parameter typed by the column rules
of app.catalog (the same ranges as the forms). No SQL text is ever built here.

Datetime literals with an offset are converted to UTC and compared as naive values:
the feed serves a naive ``datetime`` column as the stored wall-clock time marked
``Z`` (OData v4 has no Edm.DateTime), so what a client reads it can filter on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, not_, or_, true
from sqlalchemy.sql.elements import ColumnElement

from app.catalog import ColumnInfo
from app.catalog.entity_sets import property_columns, property_name
from app.catalog.parse import BadValue, parse_value
from app.data.like import LIKE_ESCAPE, escape_like
from app.data.query import SortColumn, text_contains, text_prefix
from app.data.scope import Scope
from app.errors import AppError

MAX_FILTER_LENGTH = 4000
MAX_DEPTH = 40
MAX_IN_VALUES = 1000  # SQL Server's own limit is 2,100 parameters per statement
COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
FUNCTIONS = ("contains", "startswith", "endswith")
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<guid>[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})
    | (?P<datetime>\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?)
    | (?P<date>\d{4}-\d\d-\d\d)
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[(),/=])
    )""",
    re.VERBOSE,
)


class ODataError(AppError):
    """An AppError whose OData error code is ``code`` (the feed renders it)."""

    def __init__(self, status: int, code: str, detail: str):
        super().__init__(status, code, detail)
        self.code = code


def bad(detail: str) -> ODataError:
    return ODataError(400, "BadRequest", detail)


def unsupported(option: str) -> ODataError:
    return ODataError(501, "NotImplemented", f"{option} is not supported here.")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class Literal:
    kind: str  # string, guid, datetime, date, number, bool, null
    text: str
    value: Any = None


def tokenize(text: str) -> list[Token]:
    """The tokens of a $filter/$orderby/key text; 400 on anything else."""
    if len(text) > MAX_FILTER_LENGTH:
        raise bad(f"The expression is longer than {MAX_FILTER_LENGTH} characters.")
    tokens, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None:
            raise bad(f"Syntax error at position {at}: {text[at : at + 20]!r}.")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        at = match.end()
    return tokens


def literal_of(token: Token) -> Literal | None:
    """The literal a token spells, or None for a name that is not one."""
    if token.kind == "string":
        return Literal("string", token.text[1:-1].replace("''", "'"))
    if token.kind == "name":
        word = token.text
        if word in ("true", "false"):
            return Literal("bool", word, word == "true")
        if word == "null":
            return Literal("null", word)
        return None
    if token.kind == "datetime":
        try:
            value = dt.datetime.fromisoformat(token.text.replace("Z", "+00:00"))
        except ValueError:
            raise bad(f"{token.text!r} is not a valid date and time.") from None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return Literal("datetime", token.text, value)
    if token.kind == "number":
        return Literal("number", token.text.rstrip("mMdDfFlL"))
    if token.kind in ("guid", "date"):
        return Literal(token.kind, token.text)
    return None


def coerce(column: ColumnInfo, lit: Literal) -> Any:
    """``lit`` as a value of ``column``'s type (its range checked), or 400."""
    if lit.kind == "bool":
        if column.kind != "bool":
            raise bad(f"{column.name} is not a Boolean property.")
        return lit.value
    if lit.kind == "datetime" and column.kind == "datetime":
        return lit.value
    if column.kind == "bool":
        raise bad(f"{column.name} is a Boolean property: use true or false.")
    if column.is_string and lit.kind != "string":
        raise bad(f"{column.name} is a string property: quote the value ('...').")
    if lit.kind == "string" and column.kind in ("int", "decimal", "money", "float"):
        raise bad(f"{column.name} is a number: write the value without quotes.")
    try:
        return parse_value(column, lit.text)
    except BadValue as exc:
        raise bad(f"{column.name}: {exc}.") from None


def feed_column(scope: Scope, name: str) -> ColumnInfo:
    """The visible column whose OData property name is ``name`` (``Order_Date`` for
    ``Order Date``), or the same 400 for an unknown or hidden one."""
    column = property_columns(tuple(scope.info.columns)).get(name)
    if column is None or column in scope.hidden:
        raise AppError(
            400,
            "Unknown column",
            f"There is no property {name!r} in {scope.info.label}.",
        )
    return scope.column(column, "property")


class _Parser:
    """Recursive descent over the $filter grammar this feed supports."""

    def __init__(self, scope: Scope, text: str, dialect: str):
        self.scope = scope
        self.dialect = dialect
        self.tokens = tokenize(text)
        self.at = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> Token | None:
        at = self.at + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise bad("The $filter expression ends too early.")
        self.at += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise bad(f"Expected {text!r} but found {token.text!r} in $filter.")

    def word(self, *words: str) -> str | None:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text in words:
            self.at += 1
            return token.text
        return None

    def parse(self) -> ColumnElement[bool]:
        expression = self.boolean(self.disjunction())
        if self.peek() is not None:
            raise bad(f"Unexpected {self.peek().text!r} in $filter.")
        return expression

    def disjunction(self) -> Any:
        left = self.conjunction()
        while self.word("or"):
            left = or_(self.boolean(left), self.boolean(self.conjunction()))
        return left

    def conjunction(self) -> Any:
        left = self.unary()
        while self.word("and"):
            left = and_(self.boolean(left), self.boolean(self.unary()))
        return left

    def unary(self) -> Any:
        if self.word("not"):
            return not_(self.boolean(self.unary()))
        return self.comparison()

    def comparison(self) -> Any:
        left = self.primary()
        op = self.word(*COMPARISONS, "in")
        if op is None:
            token = self.peek()
            if (
                token is not None
                and token.kind == "name"
                and token.text
                in (
                    "add",
                    "sub",
                    "mul",
                    "div",
                    "mod",
                    "has",
                )
            ):
                raise unsupported(f"The {token.text!r} operator in $filter")
            return left
        if op == "in":
            return self.membership(left)
        return self.compare(left, op, self.primary())

    def primary(self) -> Any:
        token = self.take()
        if token.text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise bad("The $filter expression is nested too deeply.")
            inner = self.disjunction()
            self.expect(")")
            self.depth -= 1
            return inner
        if token.kind == "punct":
            raise bad(f"Unexpected {token.text!r} in $filter.")
        lit = literal_of(token)
        if lit is not None:
            return lit
        nxt = self.peek()
        if nxt is not None and nxt.text == "(":
            return self.function(token.text)
        if nxt is not None and nxt.text == "/":
            raise unsupported("A path (navigation/property) in $filter")
        return feed_column(self.scope, token.text)

    def function(self, name: str) -> ColumnElement[bool]:
        if name not in FUNCTIONS:
            raise unsupported(f"The function {name}() in $filter")
        self.expect("(")
        column = self.primary()
        self.expect(",")
        value = self.primary()
        self.expect(")")
        if not isinstance(column, ColumnInfo):
            raise bad(f"{name}() takes a property first.")
        if not isinstance(value, Literal) or value.kind != "string":
            raise bad(f"{name}() takes a quoted text second.")
        if not column.is_string or not column.matchable:
            raise bad(f"{name}() needs a text property; {column.name} is not one.")
        col = self.scope.table.c[column.name]
        if name == "contains":
            return text_contains(col, value.text, self.dialect)
        if name == "startswith":
            return text_prefix(col, value.text, self.dialect)
        pattern = "%" + escape_like(value.text)
        if self.dialect == "postgresql":
            return col.ilike(pattern, escape=LIKE_ESCAPE)
        return col.like(pattern, escape=LIKE_ESCAPE)

    def compare(self, left: Any, op: str, right: Any) -> ColumnElement[bool]:
        flipped = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}
        if isinstance(left, Literal) and isinstance(right, ColumnInfo):
            left, right, op = right, left, flipped.get(op, op)
        if not isinstance(left, ColumnInfo) or not isinstance(right, Literal):
            raise bad(f"'{op}' compares a property with a value.")
        col = self.scope.table.c[left.name]
        if right.kind == "null":
            if op not in ("eq", "ne"):
                raise bad(f"null can only be compared with eq or ne ({left.name}).")
            return col.is_(None) if op == "eq" else col.is_not(None)
        if not left.comparable:
            raise bad(f"{left.name} cannot be compared ({left.limit_note}).")
        value = coerce(left, right)
        if left.kind == "bool":
            if op not in ("eq", "ne"):
                raise bad(f"{left.name} is Boolean: use eq or ne.")
            value = true() if value else false()
        if op == "eq":
            return col == value
        if op == "ne":  # OData: null ne 5 is true; SQL's <> is not
            return or_(col != value, col.is_(None)) if left.nullable else col != value
        if op == "gt":
            return col > value
        if op == "ge":
            return col >= value
        if op == "lt":
            return col < value
        return col <= value

    def membership(self, left: Any) -> ColumnElement[bool]:
        if not isinstance(left, ColumnInfo):
            raise bad("'in' needs a property on its left.")
        if not left.comparable or left.kind == "bool":
            raise bad(f"{left.name} cannot be used with 'in'.")
        self.expect("(")
        values = []
        while True:
            lit = self.primary()
            if not isinstance(lit, Literal) or lit.kind == "null":
                raise bad("'in' takes a list of values.")
            values.append(coerce(left, lit))
            if len(values) > MAX_IN_VALUES:
                raise bad(f"'in' takes at most {MAX_IN_VALUES} values.")
            if self.take().text == ")":
                break
            self.at -= 1
            self.expect(",")
        return self.scope.table.c[left.name].in_(values)

    def boolean(self, node: Any) -> ColumnElement[bool]:
        """A filter term; a bare Boolean property means ``= true`` (T-SQL has no
        bare boolean terms)."""
        if isinstance(node, ColumnInfo):
            if node.kind != "bool":
                raise bad(f"{node.name} is not a condition; compare it with a value.")
            return self.scope.table.c[node.name] == true()
        if isinstance(node, Literal):
            if node.kind == "bool":
                return true() if node.value else false()
            raise bad(f"{node.text!r} is not a condition.")
        return node


def parse_filter(scope: Scope, text: str, dialect: str) -> ColumnElement[bool]:
    """$filter as a condition on the columns ``scope`` lets the caller see."""
    return _Parser(scope, text, dialect).parse()


def parse_orderby(scope: Scope, text: str) -> list[SortColumn]:
    """$orderby plus the table's unique order key as the tie-breaker."""
    result: list[SortColumn] = []
    seen: set[str] = set()
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise bad(f"$orderby item {part.strip()!r} is not 'property [asc|desc]'.")
        if "/" in words[0]:
            raise unsupported("A path in $orderby")
        if len(words) == 2 and words[1] not in ("asc", "desc"):
            raise bad(f"$orderby direction {words[1]!r} is not asc or desc.")
        column = feed_column(scope, words[0])
        if not column.sortable:
            raise bad(f"{column.name} cannot be sorted ({column.limit_note}).")
        if column.name not in seen:
            seen.add(column.name)
            result.append(SortColumn(column, len(words) == 2 and words[1] == "desc"))
    for key in scope.info.order_key:
        if key not in seen:
            result.append(SortColumn(scope.info.columns[key]))
    return result


def parse_key(scope: Scope, text: str) -> list[Any]:
    """The key values of ``(5)``, ``('x')`` or ``(a=1,b=2)``; 404 when the table has
    no key, 400 when the predicate does not name it."""
    key = scope.info.primary_key
    if not key:
        raise ODataError(404, "NotFound", f"{scope.info.label} has no key.")
    tokens = tokenize(text)
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token.text == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    columns = property_columns(tuple(scope.info.columns))
    named: dict[str, Literal] = {}
    for part in parts:
        if len(part) == 1 and len(key) == 1:
            lit, name = literal_of(part[0]), key[0]
        elif len(part) == 3 and part[0].kind == "name" and part[1].text == "=":
            lit, name = literal_of(part[2]), columns.get(part[0].text, "")
        else:
            lit, name = None, ""
        if lit is None or lit.kind == "null" or name not in key or name in named:
            raise bad(
                f"The key must name {', '.join(map(property_name, key))} once each."
            )
        named[name] = lit
    if set(named) != set(key):
        raise bad(f"The key must name {', '.join(map(property_name, key))} once each.")
    return [coerce(scope.info.columns[n], named[n]) for n in key]
