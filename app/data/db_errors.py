"""What a database error means, told by error numbers, SQLSTATEs and constraint
names, never by the English wording of a message.

SQL Server words its messages in the login's language (``SET LANGUAGE``), but the
message number (547, 2627, 1205 ...), the SQLSTATE pyodbc puts first in ``args``
and the constraint name it quotes stay the same. A constraint name is looked up in
the models (``ForeignKeyConstraint``/``CheckConstraint``/``UniqueConstraint`` and
unique indexes as generated from the database), which says both what kind of rule
refused the row and which columns it covers. Msg 547 is an FK *and* a CHECK
violation: only the constraint name tells them apart.

Deadlocks and lock waits are not refusals: they pass. ``install_transient_errors``
turns them into ``Deadlock`` / ``LockTimeout`` (not ``DBAPIError``, so code that
explains refusals lets them through) and keeps SQLAlchemy from treating a query
timeout on a live connection as a dead server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Constraint,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import ExceptionContext
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

# SQL Server message numbers (sys.messages.message_id): the same in every language.
MSSQL_UNIQUE = {2627, 2601}
MSSQL_CONSTRAINT = 547  # FOREIGN KEY, REFERENCE or CHECK: the name decides
MSSQL_NOT_NULL = {515}
MSSQL_TRUNCATION = {8152, 2628}
MSSQL_RANGE = {8115, 220, 232}
MSSQL_INVALID = {241, 242, 245, 295, 8114}
MSSQL_DEADLOCK = 1205
MSSQL_LOCK_TIMEOUT = 1222
# SQLite extended result codes (sqlite3 errors carry them; the text is English only).
SQLITE_KINDS = {
    2067: "unique",  # SQLITE_CONSTRAINT_UNIQUE
    1555: "unique",  # SQLITE_CONSTRAINT_PRIMARYKEY
    787: "foreign_key",  # SQLITE_CONSTRAINT_FOREIGNKEY
    275: "check",  # SQLITE_CONSTRAINT_CHECK
    1299: "not_null",  # SQLITE_CONSTRAINT_NOTNULL
}
# SQLSTATEs (PostgreSQL reports them exactly; pyodbc passes the driver's).
SQLSTATE_KINDS = {
    "23505": "unique",
    "23503": "foreign_key",
    "23514": "check",
    "23502": "not_null",
    "22001": "truncation",
    "22003": "range",
}
DEADLOCK_SQLSTATES = {"40001", "40P01"}  # serialization failure / deadlock_detected
LOCK_TIMEOUT_SQLSTATES = {"55P03", "57014"}  # lock_not_available / query_canceled
QUERY_TIMEOUT_SQLSTATE = "HYT00"  # ODBC: the statement ran past the query timeout

PLAIN_WORDS = {
    "unique": "Another row already has this value.",
    "foreign_key": "This value does not match any row of the table it refers to.",
    "check": "This value is not allowed by a rule of the database.",
    "constraint": "This value is not allowed by a rule or a reference of the database.",
    "not_null": "A value is required.",
    "truncation": "This value is too long for the column.",
    "range": "This number is out of range for the column.",
    "invalid": "This value is not valid for the column.",
    "other": "The database refused the change.",
}

CONSTRAINT_WORDS = {"unique": "unique key", "foreign_key": "reference", "check": "rule"}

# pyodbc: "... (547) (SQLExecDirectW)"; several messages are joined by "; ".
_NATIVE_CODE = re.compile(r"\((\d{1,6})\)(?=\s*(?:\(SQL\w*\)|;|['\")\]]*\s*$))")
_SQLSTATE = re.compile(r"^\[?([0-9A-Z]{5})\]?$")
# Quoted names in any language's message: 'x', "x", «x», „x“, “x”, ‘x’.
_QUOTED = re.compile(r"""['"«„“‘]([^'"«»„“”‘’]{1,256})['"»“”’]""")
# SQLite (English only) names a NOT NULL / UNIQUE column as table.column.
_SQLITE_COLUMNS = re.compile(r"constraint failed: ((?:[\w\"]+\.[\w\"]+(?:, )?)+)$")
# PostgreSQL's detail "Key (email)=(a@b) ..." keeps "(columns)=(values)" in every
# language.
_KEY_COLUMNS = re.compile(r"\(([^()]+)\)=\(")


@dataclass(frozen=True)
class Refusal:
    """A database refusal: its kind, the columns it is about, the constraint."""

    kind: str
    columns: list[str] = field(default_factory=list)
    constraint: str | None = None

    @property
    def message(self) -> str:
        return PLAIN_WORDS[self.kind]

    @property
    def described(self) -> str:
        """The plain words, naming the constraint when the database named one we
        know (a refusal the checks before the write could not predict)."""
        if not self.constraint:
            return self.message
        # The name only, not a CHECK's text: that may name a column hidden from
        # the caller.
        what = CONSTRAINT_WORDS.get(self.kind, "rule")
        return f"{self.message[:-1]} ({what} {self.constraint})."


class TransientError(SQLAlchemyError):
    """The database gave up on a statement for a reason that passes (a deadlock,
    a lock wait): nothing was written; the same request may succeed again."""

    def __init__(self, original: DBAPIError) -> None:
        super().__init__(str(original.orig))
        self.orig = original.orig
        self.original = original


class Deadlock(TransientError):
    """Chosen as a deadlock victim (SQL Server 1205, PostgreSQL 40P01)."""


class LockTimeout(TransientError):
    """A lock wait or the statement ran past its timeout (1222, HYT00, 55P03)."""


def error_codes(exc: DBAPIError | BaseException) -> tuple[str, list[int]]:
    """(SQLSTATE, native error numbers) of a DBAPI error, as the driver gave them."""
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""
    args = getattr(orig, "args", ()) or ()
    if not sqlstate and args and isinstance(args[0], str):
        match = _SQLSTATE.match(args[0].strip())
        if match:
            sqlstate = match.group(1)
    message = message_of(orig)
    codes = [int(c) for c in _NATIVE_CODE.findall(message)]
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        codes.append(sqlite_code)
    return str(sqlstate), codes


def _named_constraints(table: Table) -> Iterable[tuple[str, Constraint | Index, Table]]:
    for cons in table.constraints:
        if cons.name:
            yield str(cons.name), cons, table
    for index in table.indexes:
        if index.name and index.unique:
            yield str(index.name), index, table
    for col in table.columns:  # column-level checks live on the column
        for cons in col.constraints:
            if cons.name:
                yield str(cons.name), cons, table


def find_constraint(
    table: Table, message: str, name: str | None = None
) -> tuple[Constraint | Index, Table] | None:
    """The model constraint ``name`` or the message names, whatever quotes the
    language puts around it (the table's own first, then any table of its
    metadata: a DELETE is refused by the *referencing* table's FK)."""
    tables = [table, *(t for t in table.metadata.tables.values() if t is not table)]
    for candidate in tables:
        for cons_name, cons, owner in _named_constraints(candidate):
            if name is not None and cons_name.lower() == name.lower():
                return cons, owner
            if name is None and _names(message, cons_name):
                return cons, owner
    return None


def _names(message: str, name: str) -> bool:
    """True when ``name`` stands on its own in ``message`` (not inside a longer
    identifier)."""
    pattern = rf"(?<![\w$#@]){re.escape(name)}(?![\w$#@])"
    return re.search(pattern, message, re.IGNORECASE) is not None


def message_of(exc: DBAPIError | BaseException) -> str:
    """The driver's message text (pyodbc: its args joined, not their repr)."""
    orig = getattr(exc, "orig", exc)
    args = getattr(orig, "args", ()) or ()
    if args and all(isinstance(a, str) for a in args):
        return " ".join(args)
    return str(orig)


def _kind_of(cons: Constraint | Index) -> str:
    if isinstance(cons, ForeignKeyConstraint):
        return "foreign_key"
    if isinstance(cons, CheckConstraint):
        return "check"
    if isinstance(cons, UniqueConstraint | PrimaryKeyConstraint | Index):
        return "unique"
    return "constraint"


def _columns_of(cons: Constraint | Index, owner: Table, table: Table) -> list[str]:
    if owner is not table:
        return []  # another table's rule: none of this form's fields
    names = [c.name for c in getattr(cons, "columns", ())]
    if not names and isinstance(cons, CheckConstraint):
        # A check written as SQL text knows no columns: find them in it.
        sql = str(cons.sqltext)
        names = [
            c.name for c in table.columns if re.search(rf"\b{re.escape(c.name)}\b", sql)
        ]
    return names


def _kind_from_codes(sqlstate: str, codes: list[int]) -> str:
    for code in codes:
        if code in SQLITE_KINDS:
            return SQLITE_KINDS[code]
        if code in MSSQL_UNIQUE:
            return "unique"
        if code == MSSQL_CONSTRAINT:
            return "constraint"
        if code in MSSQL_NOT_NULL:
            return "not_null"
        if code in MSSQL_TRUNCATION:
            return "truncation"
        if code in MSSQL_RANGE:
            return "range"
        if code in MSSQL_INVALID:
            return "invalid"
    if sqlstate in SQLSTATE_KINDS:
        return SQLSTATE_KINDS[sqlstate]
    if sqlstate.startswith("22"):
        return "invalid"
    return "other"


def _quoted_columns(table: Table, message: str) -> list[str]:
    """Columns the message quotes ('first_name' in "column 'first_name'")."""
    found = []
    for token in _QUOTED.findall(message):
        if token in table.c and token not in found:
            found.append(token)
    return found


def _key_columns(table: Table, message: str) -> list[str]:
    match = _KEY_COLUMNS.search(message)
    if not match:
        return []
    names = [n.strip().strip('"') for n in match.group(1).split(",")]
    return [n for n in names if n in table.c]


def _sqlite_columns(table: Table, message: str) -> list[str]:
    match = _SQLITE_COLUMNS.search(message.strip())
    if not match:
        return []
    names = [part.split(".")[-1].strip('"') for part in match.group(1).split(", ")]
    return [n for n in names if n in table.c]


def _check_columns(table: Table, message: str) -> list[str]:
    """Columns of an unnamed check whose SQL the message quotes (SQLite)."""
    for cons in table.constraints:
        if isinstance(cons, CheckConstraint):
            sql = str(cons.sqltext)
            if sql and sql in message:
                return [
                    c.name for c in table.columns if re.search(rf"\b{c.name}\b", sql)
                ]
    return []


def _too_long_columns(table: Table, params: Any) -> list[str]:
    """Columns whose sent text exceeds their length (PostgreSQL's 22001 message
    names the type, not the column)."""
    if not isinstance(params, Mapping):
        return []
    return [
        c.name
        for c in table.columns
        if isinstance(params.get(c.key), str)
        and getattr(c.type, "length", None)
        and len(params[c.key]) > c.type.length
    ]


def classify(table: Table, exc: DBAPIError) -> Refusal:
    """What kind of rule refused a write on ``table``, and on which columns."""
    orig = exc.orig
    message = message_of(exc)
    sqlstate, codes = error_codes(exc)
    diag = getattr(orig, "diag", None)  # psycopg names the constraint and column
    found = find_constraint(table, message, getattr(diag, "constraint_name", None))
    kind = _kind_from_codes(sqlstate, codes)
    if found is not None and kind in (
        "constraint",
        "unique",
        "foreign_key",
        "check",
        "other",
    ):
        cons, owner = found
        return Refusal(_kind_of(cons), _columns_of(cons, owner, table), str(cons.name))
    column = getattr(diag, "column_name", None)
    columns = [column] if isinstance(column, str) and column in table.c else []
    columns = (
        columns
        or _sqlite_columns(table, message)
        or _key_columns(table, message)
        or _quoted_columns(table, message)
    )
    if kind == "check" and not columns:
        columns = _check_columns(table, message)
    if kind == "truncation" and not columns:
        columns = _too_long_columns(table, exc.params)
    return Refusal(kind, columns)


def classify_error(table: Table, exc: DBAPIError) -> tuple[str, list[str]]:
    """(kind, columns) for a database refusal; see ``classify``."""
    refusal = classify(table, exc)
    return refusal.kind, refusal.columns


# --- deadlocks and lock waits --------------------------------------------------------


def transient_kind(
    exc: BaseException, executing: bool = True
) -> type[TransientError] | None:
    """Deadlock or LockTimeout when ``exc`` is one (``executing``: raised by a
    statement, not while connecting: a login timeout is also HYT00)."""
    sqlstate, codes = error_codes(exc)
    if MSSQL_DEADLOCK in codes or sqlstate in DEADLOCK_SQLSTATES:
        return Deadlock
    if MSSQL_LOCK_TIMEOUT in codes or sqlstate in LOCK_TIMEOUT_SQLSTATES:
        return LockTimeout
    if executing and sqlstate == QUERY_TIMEOUT_SQLSTATE:
        return LockTimeout
    return None


def _on_error(context: ExceptionContext) -> TransientError | None:
    if context.original_exception is None or context.sqlalchemy_exception is None:
        return None
    if not isinstance(context.sqlalchemy_exception, DBAPIError):
        return None
    kind = transient_kind(
        context.original_exception, executing=context.execution_context is not None
    )
    if kind is None:
        return None
    # A timed-out or deadlocked statement leaves a healthy connection: SQLAlchemy's
    # mssql dialect counts HYT00 as a disconnect and would empty the whole pool.
    context.is_disconnect = False
    context.invalidate_pool_on_disconnect = False
    return kind(context.sqlalchemy_exception)


def install_transient_errors(engine: Engine) -> None:
    """Raise Deadlock / LockTimeout from ``engine`` instead of DBAPIError."""
    if not event.contains(engine, "handle_error", _on_error):
        event.listen(engine, "handle_error", _on_error)
