"""The SQL Server conformance check: every statement the tests make the app execute.

SQLite (and PostgreSQL) forgive T-SQL mistakes that SQL Server refuses, and sqlglot's
T-SQL parser is lenient. So a listener on every Engine (``install()``, wired in
``tests/conftest.py``) compiles each executed statement with the mssql dialect as SQL
Server 2022 would receive it (the connection's ``schema_translate_map`` applied) and
checks it against rules SQL Server enforces. A violation fails the test that caused
it, naming the rule, the Msg number SQL Server would answer and the statement.

How a statement is checked:

- Core/ORM statements: the SQLAlchemy expression tree is walked for the structural
  rules (a boolean as a value, a bare WHERE term, ORDER BY in a subquery, OFFSET
  without ORDER BY, ``= (SELECT ...)``, xml/LOB/CLR operations, OUTPUT on a trigger
  table, NULLS FIRST/LAST), then the compiled T-SQL text is tokenized and parsed by
  sqlglot (read="tsql") for the textual rules (LIMIT, ``||``, IS TRUE/1, SQLite-only
  functions) and the parameter count is taken from the expanded statement.
- ``text()`` statements: their text, with the textual rules and the same
  boolean-value/bare-term rules run on sqlglot's parse tree.

Not checked, on purpose (counted as "exempt" in the end-of-run summary):

- DDL (``create_all`` of the embedded builder: SQLite only; ``sql/`` scripts have
  their own T-SQL tests), driver-level SQL (``exec_driver_sql``: PRAGMA, ATTACH, the
  raw executemany of imports, which repeats an INSERT that is checked elsewhere) and
  the dialects' own catalog reflection (``sqlite_master``, ``pg_catalog``, ...).
- Savepoints (``begin_nested``): the dialect writes them (``SAVE TRANSACTION`` on SQL
  Server, where a release is not sent at all), and sqlglot does not parse them.
- On a PostgreSQL connection, ``text()`` statements (raw SQL written for that
  backend's own branch, e.g. ``set_config``) and the NULLS FIRST/LAST rule: the app
  adds NULLS FIRST/LAST only when the dialect is PostgreSQL, and the same statement
  built for SQLite or SQL Server is checked with the rule in force.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlglot
from sqlalchemy import Boolean, event
from sqlalchemy.dialects import mssql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import operators, sqltypes, visitors
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.dml import Delete, Insert, Update, UpdateBase, ValuesBase
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ClauseElement,
    ColumnClause,
    ColumnElement,
    False_,
    Grouping,
    Label,
    ReleaseSavepointClause,
    RollbackToSavepointClause,
    SavepointClause,
    TextClause,
    True_,
    UnaryExpression,
)
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import (
    CompoundSelect,
    Join,
    ScalarSelect,
    Select,
    TableClause,
)
from sqlglot import ErrorLevel, exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from tests.mssql import mssql_dialect

# Statements the checker leaves to the dialect: DDL and savepoint control.
TRANSACTION_CONTROL = (
    ExecutableDDLElement,
    SavepointClause,
    RollbackToSavepointClause,
    ReleaseSavepointClause,
)
MAX_PARAMETERS = 2100
OUTPUT_WITHOUT_INTO = re.compile(
    r"\bOUTPUT\s+(inserted|deleted)\.(?![^;]*\bINTO\b)", re.IGNORECASE
)

# --- the rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One thing SQL Server refuses, and the message number it answers with."""

    name: str
    msg: str
    says: str


RULES = {
    r.name: r
    for r in (
        Rule(
            "boolean-value",
            "Msg 156/102",
            "a predicate (EXISTS, =, AND/OR/NOT, IN, LIKE, IS) used as a value in a "
            "select list, ORDER BY, GROUP BY or SET: T-SQL has no boolean values",
        ),
        Rule(
            "bare-condition",
            "Msg 4145",
            "a WHERE/HAVING/ON term that is a bare column, value or boolean literal, "
            "not a predicate",
        ),
        Rule("is-boolean", "Msg 102", "IS TRUE/FALSE or IS 1/0 (write col = 1)"),
        Rule("nulls-order", "Msg 102", "NULLS FIRST/LAST does not exist in T-SQL"),
        Rule("limit", "Msg 102", "LIMIT does not exist in T-SQL (TOP / OFFSET FETCH)"),
        Rule("offset-no-order", "Msg 102", "OFFSET without ORDER BY"),
        Rule(
            "order-in-subquery",
            "Msg 1033",
            "ORDER BY in a derived table, subquery or CTE without TOP or OFFSET",
        ),
        Rule(
            "output-with-triggers",
            "Msg 334",
            "OUTPUT inserted/deleted (RETURNING) without INTO on a table with triggers",
        ),
        Rule(
            "too-many-parameters",
            "Msg 8003",
            f"more than {MAX_PARAMETERS} parameters in one statement",
        ),
        Rule(
            "uncomparable-type",
            "Msg 305/306/403/421/8116",
            "sort, compare, LIKE, DISTINCT or GROUP BY on a type SQL Server cannot "
            "(xml, text, ntext, image, geography, geometry; LIKE on hierarchyid, "
            "sql_variant)",
        ),
        Rule(
            "scalar-subquery-compare",
            "Msg 512",
            "compare with (SELECT ...) that can return more than one row (no TOP 1, "
            "no aggregate): use IN",
        ),
        Rule("string-concat", "Msg 102", "|| is not string concatenation in T-SQL (+)"),
        Rule(
            "sqlite-function",
            "Msg 195",
            "a SQLite-only function, not a built-in function of SQL Server",
        ),
        Rule("compile", "(not sent)", "the statement does not compile for mssql"),
        Rule("parse", "Msg 102", "sqlglot's T-SQL parser rejects the compiled text"),
    )
}


@dataclass(frozen=True)
class Violation:
    """A rule broken by one statement."""

    rule: str
    detail: str
    statement: str = ""

    def __str__(self) -> str:
        rule = RULES[self.rule]
        return (
            f"[{self.rule}] SQL Server {rule.msg}: {rule.says}\n"
            f"  at: {self.detail}\n"
            f"  statement (mssql): {self.statement.strip()}"
        )


# --- types SQL Server cannot compare -----------------------------------------------

# Decided from the SQLAlchemy type (class or its name: reflected CLR types are
# NullType, generated models may name them as a UserDefinedType).
LOB_TYPE_NAMES = {"xml", "text", "ntext", "image"}
CLR_UNCOMPARABLE = {"geography", "geometry"}
# hierarchyid and sql_variant compare and sort (SQL Server documents both), but
# they are not strings: LIKE on them fails.
NOT_LIKEABLE = LOB_TYPE_NAMES | CLR_UNCOMPARABLE | {"hierarchyid", "sql_variant"}
UNCOMPARABLE = LOB_TYPE_NAMES | CLR_UNCOMPARABLE
CLR_TYPE_NAMES = CLR_UNCOMPARABLE | {"hierarchyid", "sql_variant"}


def type_name(type_: Any) -> str:
    """The SQL Server name of an uncomparable SQLAlchemy type ("" for the others)."""
    if isinstance(type_, mssql.XML):
        return "xml"
    if isinstance(type_, mssql.NTEXT):
        return "ntext"
    if isinstance(type_, mssql.IMAGE):
        return "image"
    # Upper-case TEXT is the legacy type; generic Text is VARCHAR(max) on mssql.
    if isinstance(type_, sqltypes.TEXT):
        return "text"
    if isinstance(type_, mssql.SQL_VARIANT):
        return "sql_variant"
    for name in (
        getattr(type_, "type_name", ""),  # our generated opaque types
        getattr(type_, "__visit_name__", ""),
        type(type_).__name__,
    ):
        name = str(name or "").lower()
        if name in CLR_TYPE_NAMES:
            return name
    return ""


def _column_type_name(element: Any) -> str:
    element = _unwrap(element)
    if isinstance(element, ColumnElement) and not isinstance(element, BindParameter):
        return type_name(element.type)
    return ""


# --- walking the expression tree ----------------------------------------------------

COMPARE_OPS = {
    operators.eq,
    operators.ne,
    operators.lt,
    operators.le,
    operators.gt,
    operators.ge,
}
LIKE_OPS = {
    operators.like_op,
    operators.not_like_op,
    operators.ilike_op,
    operators.not_ilike_op,
    operators.startswith_op,
    operators.not_startswith_op,
    operators.endswith_op,
    operators.not_endswith_op,
    operators.contains_op,
    operators.not_contains_op,
}
PREDICATE_OPS = (
    COMPARE_OPS
    | LIKE_OPS
    | {
        operators.in_op,
        operators.not_in_op,
        operators.is_,
        operators.is_not,
        operators.is_distinct_from,
        operators.is_not_distinct_from,
        operators.between_op,
        operators.not_between_op,
        operators.match_op,
        operators.not_match_op,
        operators.regexp_match_op,
        operators.not_regexp_match_op,
        operators.exists,
        operators.inv,
        operators.is_true,
        operators.is_false,
        operators.and_,
        operators.or_,
    }
)
AGGREGATES = {"count", "count_big", "max", "min", "sum", "avg", "stdev", "var"}


def _unwrap(element: Any) -> Any:
    while isinstance(element, Label | Grouping):
        element = element.element
    return element


def is_predicate(element: Any) -> bool:
    """True for an expression that is a condition, not a value, in T-SQL."""
    element = _unwrap(element)
    if isinstance(element, BooleanClauseList):
        return True
    if isinstance(element, BinaryExpression):
        op = element.operator
        if op in PREDICATE_OPS:
            return True
        return isinstance(op, operators.custom_op) and op.is_comparison
    if isinstance(element, UnaryExpression):
        return element.operator in PREDICATE_OPS
    return False


def _conditions(criterion: Any) -> Iterator[Any]:
    """The terms of a condition, through AND/OR/NOT and parentheses."""
    criterion = _unwrap(criterion)
    if isinstance(criterion, BooleanClauseList):
        for clause in criterion.clauses:
            yield from _conditions(clause)
    elif isinstance(criterion, UnaryExpression) and criterion.operator is operators.inv:
        yield from _conditions(criterion.element)
    else:
        yield criterion


def _term_ok(term: Any) -> bool:
    if is_predicate(term) or isinstance(term, True_ | False_ | TextClause):
        return True
    # SQLAlchemy renders a Boolean column (or NOT of one) as "col = 1" for mssql.
    return isinstance(term, ColumnClause) and isinstance(term.type, Boolean)


def _describe(element: Any) -> str:
    try:
        return str(element.compile(dialect=mssql_dialect()))[:200]
    except Exception:  # noqa: BLE001  (a description must never hide the violation)
        return type(element).__name__


def _order_elements(elements: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
    """(the ORDER BY element, what it sorts) for each element."""
    for element in elements:
        inner = _unwrap(element)
        while isinstance(inner, UnaryExpression) and inner.modifier in (
            operators.asc_op,
            operators.desc_op,
            operators.nulls_first_op,
            operators.nulls_last_op,
        ):
            inner = _unwrap(inner.element)
        yield element, inner


def _has_nulls_order(element: Any) -> bool:
    element = _unwrap(element)
    while isinstance(element, UnaryExpression):
        if element.modifier in (operators.nulls_first_op, operators.nulls_last_op):
            return True
        element = _unwrap(element.element)
    return False


def _single_row(select: Select) -> bool:
    """True when a scalar subquery is known to return at most one row."""
    limit = getattr(select, "_limit_clause", None)
    value = getattr(_unwrap(limit), "value", None) if limit is not None else None
    if value == 1:
        return True
    if select._group_by_clauses:  # noqa: SLF001
        return False
    columns = [_unwrap(c) for c in select._raw_columns]  # noqa: SLF001
    return bool(columns) and all(
        isinstance(c, FunctionElement) and c.name.lower() in AGGREGATES for c in columns
    )


def _select_of(element: Any) -> Select | None:
    element = _unwrap(element)
    if isinstance(element, ScalarSelect):
        inner = element.element
        return inner if isinstance(inner, Select) else None
    return None


def _has_triggers(table: Any) -> bool:
    info = getattr(table, "info", {}) or {}
    return getattr(table, "implicit_returning", True) is False or bool(
        info.get("has_triggers")
    )


def tree_violations(statement: ClauseElement, *, backend: str = "") -> list[Violation]:
    """Structural rules, from the SQLAlchemy expression tree."""
    found: list[Violation] = []

    def add(rule: str, element: Any, where: str) -> None:
        found.append(Violation(rule, f"{where}: {_describe(element)}"))

    nested: list[Select] = []
    top = statement
    if isinstance(statement, Insert) and statement.select is not None:
        top = statement.select  # INSERT ... SELECT may order its rows
    for element in visitors.iterate(statement):
        if isinstance(element, Select):
            _check_select(element, add, backend)
            if element is not top:
                nested.append(element)
        elif isinstance(element, CompoundSelect):
            for e, inner in _order_elements(element._order_by_clauses):  # noqa: SLF001
                if is_predicate(inner):
                    add("boolean-value", e, "ORDER BY")
        elif isinstance(element, Join) and element.onclause is not None:
            for term in _conditions(element.onclause):
                if not _term_ok(term):
                    add("bare-condition", term, "ON")
        elif isinstance(element, BinaryExpression):
            _check_binary(element, add)
    for select in nested:
        if (
            select._order_by_clauses  # noqa: SLF001
            and select._limit_clause is None  # noqa: SLF001
            and select._offset_clause is None  # noqa: SLF001
            and getattr(select, "_fetch_clause", None) is None
        ):
            add("order-in-subquery", select, "subquery")
    if isinstance(statement, Update | Delete):
        for criterion in statement._where_criteria:  # noqa: SLF001
            for term in _conditions(criterion):
                if not _term_ok(term):
                    add("bare-condition", term, "WHERE")
    if isinstance(statement, ValuesBase | Update):
        for value in _dml_values(statement):
            if is_predicate(value):
                add("boolean-value", value, "VALUES/SET")
    if (
        isinstance(statement, UpdateBase)
        and (statement._returning or statement._return_defaults)  # noqa: SLF001
        and _has_triggers(statement.table)
    ):
        add("output-with-triggers", statement.table, "RETURNING")
    return found


def _dml_values(statement: Any) -> Iterator[Any]:
    values = getattr(statement, "_values", None) or {}
    yield from values.values()
    for row in getattr(statement, "_multi_values", ()) or ():
        for item in row:
            yield from item.values() if isinstance(item, Mapping) else item
    for _key, value in getattr(statement, "_ordered_values", None) or ():
        yield value


def _check_select(select: Select, add, backend: str) -> None:
    for column in select._raw_columns:  # noqa: SLF001
        if is_predicate(column):
            add("boolean-value", column, "select list")
    for element, inner in _order_elements(select._order_by_clauses):  # noqa: SLF001
        if is_predicate(inner):
            add("boolean-value", element, "ORDER BY")
        if _column_type_name(inner) in UNCOMPARABLE:
            add("uncomparable-type", element, "ORDER BY")
        if backend != "postgresql" and _has_nulls_order(element):
            add("nulls-order", element, "ORDER BY")
    for element in select._group_by_clauses:  # noqa: SLF001
        if is_predicate(element):
            add("boolean-value", element, "GROUP BY")
        if _column_type_name(element) in UNCOMPARABLE:
            add("uncomparable-type", element, "GROUP BY")
    if select._distinct:  # noqa: SLF001
        for column in select.selected_columns:
            if _column_type_name(column) in UNCOMPARABLE:
                add("uncomparable-type", column, "SELECT DISTINCT")
    for criterion in select._where_criteria:  # noqa: SLF001
        for term in _conditions(criterion):
            if not _term_ok(term):
                add("bare-condition", term, "WHERE")
    for criterion in select._having_criteria:  # noqa: SLF001
        for term in _conditions(criterion):
            if not _term_ok(term):
                add("bare-condition", term, "HAVING")
    if select._offset_clause is not None and not select._order_by_clauses:  # noqa: SLF001
        add("offset-no-order", select, "OFFSET")


def _check_binary(element: BinaryExpression, add) -> None:
    op = element.operator
    sides = (element.left, element.right)
    if op in COMPARE_OPS:
        for side in sides:
            if _column_type_name(side) in UNCOMPARABLE:
                add("uncomparable-type", element, "comparison")
                break
        for side in sides:
            inner = _select_of(side)
            if inner is not None and not _single_row(inner):
                add("scalar-subquery-compare", element, "comparison")
                break
    elif op in LIKE_OPS and _column_type_name(element.left) in NOT_LIKEABLE:
        add("uncomparable-type", element, "LIKE")
    elif op in (operators.in_op, operators.not_in_op) and (
        _column_type_name(element.left) in UNCOMPARABLE
    ):
        add("uncomparable-type", element, "IN")


# --- the compiled text ----------------------------------------------------------------

SQLITE_FUNCTIONS = {
    "ifnull",
    "substr",
    "group_concat",
    "strftime",
    "julianday",
    "printf",
    "instr",
    "randomblob",
    "total",
    "date",
    "datetime",
    "time",
    "unixepoch",
    "typeof",
    "glob",
    "zeroblob",
    "last_insert_rowid",
    "changes",
    "hex",
    "random",
    "sqlite_version",
}
_TSQL = sqlglot.Dialect.get_or_raise("tsql")
_CALLABLE_TOKENS = {TokenType.VAR, TokenType.DATE, TokenType.DATETIME, TokenType.TIME}
_NOT_A_CALL_AFTER = {TokenType.DOT, TokenType.ALIAS}


def text_violations(sql: str) -> list[Violation]:
    """Textual rules, from the tokens and sqlglot's parse of the T-SQL text."""
    found: list[Violation] = []
    try:
        tokens = _TSQL.tokenize(sql)
    except TokenError as exc:
        return [Violation("parse", str(exc), sql)]
    for i, token in enumerate(tokens):
        kind = token.token_type
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if kind is TokenType.LIMIT:
            found.append(Violation("limit", "LIMIT", sql))
        elif kind is TokenType.DPIPE:
            found.append(Violation("string-concat", "||", sql))
        elif kind is TokenType.IS and after is not None:
            target = after
            if after.token_type is TokenType.NOT and i + 2 < len(tokens):
                target = tokens[i + 2]
            if target.token_type in (TokenType.TRUE, TokenType.FALSE) or (
                target.token_type is TokenType.NUMBER
            ):
                found.append(Violation("is-boolean", f"IS {target.text}", sql))
        elif (
            token.text.upper() == "NULLS"
            and token.token_type is not TokenType.IDENTIFIER
            and after is not None
            and after.text.upper() in ("FIRST", "LAST")
        ):
            found.append(Violation("nulls-order", f"NULLS {after.text}", sql))
        elif (
            kind in _CALLABLE_TOKENS  # a [bracketed] IDENTIFIER is a name, not a call
            and after is not None
            and after.token_type is TokenType.L_PAREN
            and token.text.lower() in SQLITE_FUNCTIONS
            # schema.func() is a user function; CAST(x AS TIME(7)) a type
            and (i == 0 or tokens[i - 1].token_type not in _NOT_A_CALL_AFTER)
        ):
            found.append(Violation("sqlite-function", f"{token.text}()", sql))
    try:
        parsed = sqlglot.parse(sql, read="tsql", error_level=ErrorLevel.RAISE)
    except ParseError as exc:
        found.append(Violation("parse", str(exc).splitlines()[0], sql))
        return found
    return found + [
        Violation(v.rule, v.detail, sql)
        for tree in parsed
        if tree is not None
        for v in ast_violations(tree)
    ]


_SQLGLOT_PREDICATES = (
    exp.Predicate,
    exp.Connector,
    exp.Not,
    exp.Exists,
    exp.Is,
    exp.Like,
    exp.ILike,
    exp.In,
    exp.Between,
    exp.Escape,  # x LIKE ? ESCAPE '~' wraps the Like
)


def _sg_unwrap(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Alias | exp.Paren):
        node = node.this
    return node


def _sg_terms(node: exp.Expression) -> Iterator[exp.Expression]:
    node = _sg_unwrap(node)
    if isinstance(node, exp.Connector):
        yield from _sg_terms(node.left)
        yield from _sg_terms(node.right)
    elif isinstance(node, exp.Not):
        yield from _sg_terms(node.this)
    else:
        yield node


def ast_violations(tree: exp.Expression) -> list[Violation]:
    """The boolean-value and bare-condition rules on sqlglot's tree (for text())."""
    found = []
    for select in tree.find_all(exp.Select):
        for column in select.expressions:
            if isinstance(_sg_unwrap(column), _SQLGLOT_PREDICATES):
                found.append(Violation("boolean-value", f"select list: {column.sql()}"))
        order = select.args.get("order")
        for ordered in order.expressions if order else ():
            if isinstance(_sg_unwrap(ordered.this), _SQLGLOT_PREDICATES):
                found.append(Violation("boolean-value", f"ORDER BY: {ordered.sql()}"))
    for clause in (*tree.find_all(exp.Where), *tree.find_all(exp.Having)):
        for term in _sg_terms(clause.this):
            if not isinstance(term, _SQLGLOT_PREDICATES):
                found.append(Violation("bare-condition", f"condition: {term.sql()}"))
    for join in tree.find_all(exp.Join):
        on = join.args.get("on")
        for term in _sg_terms(on) if on is not None else ():
            if not isinstance(term, _SQLGLOT_PREDICATES):
                found.append(Violation("bare-condition", f"ON: {term.sql()}"))
    return found


# --- one statement ----------------------------------------------------------------


@dataclass
class _Compiled:
    text: str
    compiled: Any
    violations: list[Violation]
    exempt: bool = False


def _compile(
    statement: ClauseElement,
    keys: Sequence[str] | None,
    many: bool,
    schema_map: Mapping[str | None, str | None] | None,
    backend: str,
    cache_key: Any = None,
) -> _Compiled:
    if _reads_catalog(statement):
        return _Compiled("", None, [], exempt=True)
    violations = tree_violations(statement, backend=backend)
    try:
        compiled = statement.compile(
            dialect=mssql_dialect(),
            cache_key=cache_key,  # lets a later statement bring its own values
            column_keys=list(keys) if keys is not None else None,
            for_executemany=many,
            schema_translate_map=dict(schema_map) if schema_map else None,
            render_schema_translate=bool(schema_map),
        )
        text = str(compiled)
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0]
        return _Compiled("", None, [*violations, Violation("compile", reason)])
    return _Compiled(text, compiled, violations)


def check_statement(
    statement: ClauseElement,
    params: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None,
    *,
    schema_map: Mapping[str | None, str | None] | None = None,
    backend: str = "mssql",
) -> list[Violation]:
    """Every rule ``statement`` breaks when sent to SQL Server 2022 with ``params``."""
    return _check(statement, params, schema_map, backend)[1]


def _check(
    statement: ClauseElement,
    params: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None,
    schema_map: Mapping[str | None, str | None] | None,
    backend: str,
) -> tuple[bool, list[Violation]]:
    """(exempt, violations) of one statement."""
    rows = [params] if isinstance(params, Mapping) else list(params or ())
    first = dict(rows[0]) if rows else {}
    if isinstance(statement, TextClause):
        if CATALOG.search(statement.text):
            return True, []
        if backend == "postgresql":
            return True, []
        return False, _cached_text(statement.text, backend)
    keys = sorted(first) if isinstance(statement, UpdateBase) and first else None
    result, cache_key = _cached(statement, keys, len(rows) > 1, schema_map, backend)
    if result.exempt:
        return True, []
    if result.compiled is None:
        return False, list(result.violations)
    violations = list(result.violations)
    try:
        # A cached compile holds the values of the statement it was made from: take
        # this statement's own (an IN list of another length has the same cache key).
        parameters = result.compiled.construct_params(
            first or None,
            extracted_parameters=cache_key.bindparams if cache_key else None,
            _no_postcompile=True,
        )
        expanded = result.compiled._process_parameters_for_postcompile(parameters)  # noqa: SLF001
        count = len(expanded.positiontup or ())
        text = expanded.statement
    except (SQLAlchemyError, KeyError, TypeError):
        count = len(result.compiled.positiontup or ())
        text = result.text
    if count > MAX_PARAMETERS:
        violations.append(Violation("too-many-parameters", f"{count} parameters"))
    if (
        isinstance(statement, UpdateBase)
        and _has_triggers(statement.table)
        and OUTPUT_WITHOUT_INTO.search(text)
        and not any(v.rule == "output-with-triggers" for v in violations)
    ):  # implicit returning the compiler added on its own
        violations.append(Violation("output-with-triggers", "OUTPUT in the text"))
    # sqlglot's tree repeats what the expression tree found: keep one per rule.
    seen = {v.rule for v in violations}
    violations += [v for v in _cached_text(text, backend) if v.rule not in seen]
    return False, [Violation(v.rule, v.detail, v.statement or text) for v in violations]


_CACHE: dict[Any, _Compiled] = {}
_TEXT_CACHE: dict[tuple[str, str], list[Violation]] = {}
_CACHE_LIMIT = 20_000


def _cached(statement, keys, many, schema_map, backend) -> tuple[_Compiled, Any]:
    try:
        cache_key = statement._generate_cache_key()  # noqa: SLF001
    except Exception:  # noqa: BLE001  (uncacheable: compile every time)
        cache_key = None
    if cache_key is None:
        return _compile(statement, keys, many, schema_map, backend), None
    key = (
        cache_key.key,  # CacheKey itself is not hashable; its structure is
        tuple(keys or ()),
        many,
        tuple(sorted((str(k), str(v)) for k, v in (schema_map or {}).items())),
        backend,
    )
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) > _CACHE_LIMIT:
            _CACHE.clear()
        found = _compile(statement, keys, many, schema_map, backend, cache_key)
        _CACHE[key] = found
    return found, cache_key


def _cached_text(text: str, backend: str) -> list[Violation]:
    key = (text, backend)
    found = _TEXT_CACHE.get(key)
    if found is None:
        found = text_violations(text)
        if backend == "postgresql":
            found = [v for v in found if v.rule != "nulls-order"]
        if len(_TEXT_CACHE) > _CACHE_LIMIT:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[key] = found
    return found


# --- the listener and what it recorded --------------------------------------------

CATALOG = re.compile(
    r"\b(sqlite_master|sqlite_schema|sqlite_temp_master|pg_catalog|pg_[a-z_]+|"
    r"information_schema|sys\.[a-z_]+)\b",
    re.IGNORECASE,
)


@dataclass
class Recorder:
    """Counts for the run, and the violations not yet reported to a test."""

    checked: int = 0
    exempt: int = 0
    violations: int = 0
    seconds: float = 0.0
    pending: list[Violation] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> list[Violation]:
        """The violations recorded since the last call."""
        with self.lock:
            taken, self.pending = self.pending, []
        return taken


RECORDER = Recorder()


CATALOG_SCHEMAS = {"pg_catalog", "information_schema", "sys"}


def _reads_catalog(statement: Any) -> bool:
    """A dialect's own reflection query (pg_catalog, information_schema, sys)."""
    return any(
        str(getattr(e, "schema", None) or "").lower() in CATALOG_SCHEMAS
        for e in visitors.iterate(statement)
        if isinstance(e, TableClause)
    )


def _before_execute(conn, clauseelement, multiparams, params, execution_options):
    """Check one statement the app executes; record what it breaks."""
    started = time.perf_counter()
    exempt, found = isinstance(clauseelement, (str, *TRANSACTION_CONTROL)), []
    if not exempt:
        options = {**conn._execution_options, **(execution_options or {})}  # noqa: SLF001
        rows = list(multiparams or ()) or ([params] if params else [])
        try:
            exempt, found = _check(
                clauseelement,
                rows,
                options.get("schema_translate_map"),
                conn.dialect.name,
            )
        except Exception as exc:  # noqa: BLE001  (the check must never break the app)
            found = [Violation("compile", f"the check itself failed: {exc!r}")]
    with RECORDER.lock:
        RECORDER.seconds += time.perf_counter() - started
        if exempt:
            RECORDER.exempt += 1
        else:
            RECORDER.checked += 1
            RECORDER.pending.extend(found)


_installed = False


def install() -> None:
    """Listen on every Engine (all the app creates, and any a test creates)."""
    global _installed
    if not _installed:
        event.listen(Engine, "before_execute", _before_execute)
        _installed = True


def summary() -> str:
    """The end-of-run line."""
    return (
        f"{RECORDER.checked} statements checked, {RECORDER.violations} violations "
        f"(T-SQL conformance; {RECORDER.exempt} exempt: DDL, driver SQL, catalog; "
        f"{RECORDER.seconds:.1f} s)"
    )


def report_text(violations: Sequence[Violation]) -> str:
    """What a failing test shows."""
    head = (
        f"{len(violations)} statement(s) SQL Server would refuse "
        "(tests/tsql_conformance.py):"
    )
    return "\n\n".join([head, *(str(v) for v in violations)])


# --- pytest wiring (a plugin: tests/conftest.py names it in pytest_plugins) ---------


def pytest_configure(config) -> None:
    install()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Fail the test phase (setup, call, teardown) that executed a refused statement."""
    outcome = yield
    report = outcome.get_result()
    violations = RECORDER.take()
    if not violations:
        return
    RECORDER.violations += len(violations)
    text = report_text(violations)
    report.sections.append(("T-SQL conformance", text))
    if not report.failed:
        report.outcome = "failed"
        report.longrepr = text


def pytest_terminal_summary(terminalreporter) -> None:
    """The run's count: "N statements checked, M violations"."""
    terminalreporter.write_line(summary())
