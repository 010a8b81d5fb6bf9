"""SQL Server types as Tablefront needs them: operator classes, DATETIME binds,
opaque CLR types, and what each type allows (sort, compare, LIKE).

Operator classes for the SQL Server types SQLAlchemy leaves without one:

SQLAlchemy 2.1 asks every type to say which operators it supports
(``TypeEngine.operator_classes``) and warns, deprecated, when an expression uses an
operator on a type that says nothing: ``mssql.MONEY``, ``SMALLMONEY`` and
``SQL_VARIANT`` are bare ``TypeEngine`` subclasses that still say nothing (2.1.9), so
every filter, comparison and ORDER BY on a money column warned — and a future release
will make that an error. Generated models name these types directly (they must stay
exactly what the generator writes), so the declaration is made once, here, on the
types themselves; it is the same on every backend.

- MONEY/SMALLMONEY are exact decimals on SQL Server: the operators of ``Numeric``
  (comparison, ordering, arithmetic).
- sql_variant may be compared and ordered (SQL Server orders by base-type family),
  never used in arithmetic or string matching.

Imported by ``app.models`` (before the generated models) and by ``app.embedded``.
A type that already declares its classes (a later SQLAlchemy) is left alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import TEXT, DateTime, LargeBinary, UnicodeText, bindparam
from sqlalchemy.dialects import mssql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.operators import OperatorClass
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

OPERATOR_CLASSES: dict[type, OperatorClass] = {
    mssql.MONEY: OperatorClass.NUMERIC,
    mssql.SMALLMONEY: OperatorClass.NUMERIC,
    mssql.SQL_VARIANT: OperatorClass.BASE | OperatorClass.COMPARISON,
}


def declare_operator_classes() -> None:
    """Give each type above its operator classes unless it already has some."""
    for type_, classes in OPERATOR_CLASSES.items():
        if type_.operator_classes is OperatorClass.UNSPECIFIED:
            type_.operator_classes = classes


declare_operator_classes()


# --- DATETIME and SMALLDATETIME: bound as themselves on SQL Server -------------------
#
# pyodbc sends every Python datetime as datetime2(7). Under compatibility level 130+
# SQL Server converts a DATETIME column *exactly* for the comparison (.003 ms is really
# .00333...), so ``datetime_col = ?`` never matches a value ending in .xx3/.xx7 (FACTS:
# pyodbc#1399). Rounding the Python value to 1/300 s does not help: the rounded value
# still travels as datetime2(7) (.0030000 != .0033333). What works is converting the
# *parameter* to the column's type on the server: ``CAST(? AS DATETIME)`` rounds it to
# the same tick the stored value has, so ``=``, keyset bounds and concurrency checks
# match. The CAST is rendered only for the mssql dialect; other backends get the bare
# parameter.


class _CastBind(ColumnElement[Any]):
    """A bound parameter that SQL Server receives as ``CAST(? AS <sql_type>)``."""

    inherit_cache = True
    _traverse_internals: ClassVar[list] = [
        ("bind", InternalTraversal.dp_clauseelement),
        ("sql_type", InternalTraversal.dp_string),
    ]

    def __init__(self, bind: ColumnElement[Any], sql_type: str) -> None:
        self.bind = bind
        self.sql_type = sql_type
        self.type = bind.type

    @property
    def _from_objects(self) -> list[Any]:
        return []


@compiles(_CastBind)
def _compile_cast_bind(element: _CastBind, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.bind, **kw)


@compiles(_CastBind, "mssql")
def _compile_cast_bind_mssql(element: _CastBind, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.bind, **kw)} AS {element.sql_type})"


class DATETIME_LEGACY(TypeDecorator[dt.datetime]):
    """SQL Server DATETIME (1/300 s ticks): parameters are CAST to DATETIME there."""

    impl = DateTime
    cache_ok = True
    sql_type = "DATETIME"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mssql":
            return dialect.type_descriptor(mssql.DATETIME())
        return dialect.type_descriptor(DateTime())

    def bind_expression(self, bindvalue: Any) -> ColumnElement[Any]:
        return _CastBind(bindvalue, self.sql_type)

    @property
    def python_type(self) -> type:
        return dt.datetime


class SMALLDATETIME_LEGACY(DATETIME_LEGACY):
    """SQL Server SMALLDATETIME (whole minutes): parameters CAST to SMALLDATETIME."""

    cache_ok = True
    sql_type = "SMALLDATETIME"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mssql":
            return dialect.type_descriptor(mssql.SMALLDATETIME())
        return dialect.type_descriptor(DateTime())


# --- types the dialect does not know: shown as text, never written -------------------
#
# geography, geometry and hierarchyid are CLR types; mssql reflection gives NullType
# and pyodbc cannot fetch them (ODBC type -151). Selected as ``CAST(col AS
# NVARCHAR(MAX))`` (their ToString(): WKT for spatial types, /1/2/ for hierarchyid)
# they read as text everywhere; they are never sent in a write.


class _CastColumn(ColumnElement[Any]):
    """A selected column that SQL Server returns as ``CAST(col AS NVARCHAR(MAX))``."""

    inherit_cache = True
    _traverse_internals: ClassVar[list] = [
        ("column", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


@compiles(_CastColumn)
def _compile_cast_column(element: _CastColumn, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_CastColumn, "mssql")
def _compile_cast_column_mssql(element: _CastColumn, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.column, **kw)} AS NVARCHAR(MAX))"


class _SqlTypeName(UserDefinedType[Any]):
    """Renders a SQL type by its name in DDL (e.g. ``GEOGRAPHY``)."""

    cache_ok = True

    def __init__(self, name: str) -> None:
        self.name = name

    def get_col_spec(self, **kw: Any) -> str:
        return self.name.upper()


class OpaqueSqlType(TypeDecorator[str]):
    """A SQL Server type the dialect cannot map (``name`` keeps it, e.g. geography):
    read as its text form, never sorted, compared or written."""

    impl = UnicodeText
    cache_ok = True

    def __init__(self, name: str) -> None:
        super().__init__()
        # The conformance check and the catalog recognise CLR types by this name.
        self.name = name.lower()

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mssql":
            return _SqlTypeName(self.name)
        return dialect.type_descriptor(UnicodeText())

    def column_expression(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        return _CastColumn(column)

    def __repr__(self) -> str:
        return f"OpaqueSqlType({self.name!r})"

    @property
    def python_type(self) -> type:
        return str


# --- what SQL Server can do with a column's type -------------------------------------

LOB_TYPE_NAMES = ("xml", "text", "ntext", "image")
CLR_TYPE_NAMES = ("geography", "geometry", "hierarchyid")


@dataclass(frozen=True)
class TypeAbilities:
    """Which operations SQL Server allows on a type, and why not when it refuses."""

    sortable: bool = True
    comparable: bool = True  # = and ranges
    matchable: bool = True  # LIKE
    why_not: str = ""


def sql_type_name(type_: TypeEngine[Any]) -> str:
    """The SQL Server type name of ``type_`` (lower case) where it matters here.

    Only the dialect's own legacy classes count as LOBs: generic ``Text`` is
    VARCHAR(max) on SQL Server 2012+, which compares and sorts like any string.
    """
    if isinstance(type_, OpaqueSqlType):
        return type_.name
    if isinstance(type_, SMALLDATETIME_LEGACY):
        return "smalldatetime"
    if isinstance(type_, DATETIME_LEGACY):
        return "datetime"
    for cls, name in _NAMED_CLASSES:
        if isinstance(type_, cls):
            return name
    if type(type_) is TEXT:
        return "text"
    # Anything else by its class name as written (``Text``, ``Integer``): never taken
    # for one of the lower-case SQL Server names above.
    return type(type_).__name__


_NAMED_CLASSES = (
    (mssql.XML, "xml"),
    (mssql.NTEXT, "ntext"),
    (mssql.IMAGE, "image"),
    (mssql.SQL_VARIANT, "sql_variant"),
)


def type_abilities(type_: TypeEngine[Any]) -> TypeAbilities:
    """What may be done with a column of ``type_`` on SQL Server (Msg 305/306/402/8116).

    The same limits apply on every backend, so a page that works on the embedded
    database also works on the server.
    """
    name = sql_type_name(type_)
    if isinstance(type_, NullType):
        name = "unknown"
    if name in LOB_TYPE_NAMES:
        return TypeAbilities(
            sortable=False,
            comparable=False,
            matchable=name in {"text", "ntext"},
            why_not=f"{name} columns can't be sorted or compared on SQL Server",
        )
    if name == "sql_variant":
        return TypeAbilities(
            matchable=False,
            why_not="sql_variant columns can't be searched with LIKE on SQL Server",
        )
    if name in CLR_TYPE_NAMES or name == "unknown" or isinstance(type_, OpaqueSqlType):
        return TypeAbilities(
            sortable=False,
            comparable=False,
            matchable=False,
            why_not=f"{name} columns can't be sorted, compared or searched here",
        )
    return TypeAbilities()


# --- temporal tables: what the generator records in the models -----------------------

# column.info key: "row_start" / "row_end" for GENERATED ALWAYS AS ROW START/END columns
# (sys.columns.generated_always_type 1/2). SQL Server refuses them in any INSERT or
# UPDATE (Msg 13536/13537).
PERIOD_INFO_KEY = "generated_always"
PERIOD_KINDS = {1: "row_start", 2: "row_end"}
# table.info keys: the history table of a system-versioned table, and the reverse.
HISTORY_TABLE_INFO_KEY = "history_table"
HISTORY_OF_INFO_KEY = "history_of"
# column.info key the readers use to hand an unknown type's SQL name to the generator.
SQL_TYPE_INFO_KEY = "sql_type"


def is_period_column(column: Any) -> bool:
    """True for a temporal table's ROW START/END column (set by SQL Server)."""
    return bool(getattr(column, "info", {}).get(PERIOD_INFO_KEY))


# --- LOB originals: compared by hash on SQL Server ------------------------------------
#
# xml, text, ntext and image cannot be compared with = (Msg 402/305), so the
# optimistic-concurrency check used to leave them out -- and a second edit silently
# overwrote the first. On SQL Server the check compares SHA-256 hashes instead:
# HASHBYTES over the value as NVARCHAR(MAX) (UTF-16LE: what Python's str encodes to
# with "utf-16-le"; xml serialises as pyodbc returns it) or, for image, the bytes.
# Other backends compare the value itself (SQLite compares text and blobs fine).
# Verified by compilation here; the equality of the two hashes only on a live server.


def is_legacy_lob(type_: TypeEngine[Any]) -> bool:
    """True for xml, text, ntext and image (never compared with ``=``)."""
    return sql_type_name(type_) in LOB_TYPE_NAMES


class _LobFingerprint(ColumnElement[Any]):
    """A LOB column as SQL Server hashes it; the column itself elsewhere."""

    inherit_cache = True
    _traverse_internals: ClassVar[list] = [
        ("column", InternalTraversal.dp_clauseelement),
        ("binary", InternalTraversal.dp_boolean),
    ]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.binary = sql_type_name(column.type) == "image"
        # The hash is VARBINARY: nothing compares an xml/ntext value here.
        self.type = LargeBinary()

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


@compiles(_LobFingerprint)
def _compile_lob(element: _LobFingerprint, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_LobFingerprint, "mssql")
def _compile_lob_mssql(element: _LobFingerprint, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    if element.binary:
        value = f"CAST({column} AS VARBINARY(MAX))"
    else:
        value = f"CAST(CAST({column} AS NVARCHAR(MAX)) AS VARBINARY(MAX))"
    return f"HASHBYTES('SHA2_256', {value})"


class LobOriginal(TypeDecorator[Any]):
    """The bound original of a LOB: its SHA-256 on SQL Server, itself elsewhere."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, column_type: TypeEngine[Any]) -> None:
        super().__init__()
        self.column_type = column_type

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "mssql":
            return dialect.type_descriptor(mssql.VARBINARY(32))
        return dialect.type_descriptor(self.column_type)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name != "mssql" or value is None:
            return value
        data = value if isinstance(value, bytes) else str(value).encode("utf-16-le")
        return hashlib.sha256(data).digest()


def lob_unchanged(
    column: ColumnElement[Any], bind_name: str | None, value: Any = None
) -> ColumnElement[bool]:
    """``column`` still holds the original bound as ``bind_name`` (or ``value``, in
    an anonymous parameter): by hash on SQL Server."""
    original = LobOriginal(column.type)
    if bind_name is None:
        return _LobFingerprint(column) == bindparam(None, value, type_=original)
    return _LobFingerprint(column) == bindparam(bind_name, type_=original)
