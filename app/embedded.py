"""The embedded database: SQLite files, one per schema, standing in for SQL Server.

Every connection ATTACHes each physical schema's file (absolute path), turns foreign
keys on, puts every file in WAL mode with ``synchronous=NORMAL`` (a commit appends to
the WAL without an fsync; a power cut may lose the last commits, never corrupt the
file), and registers the SQL Server functions that the models' server defaults call.
Importing this module also teaches SQLite's DDL compiler the SQL Server column types
that generated models carry, so ``create_all`` builds the same models on SQLite:

- MONEY/SMALLMONEY -> NUMERIC(19,4)/NUMERIC(10,4), read back as ``Decimal``;
  UNIQUEIDENTIFIER -> CHAR(32) (SQLAlchemy's non-native UUID storage); BIT -> BOOLEAN;
  TINYINT -> SMALLINT; DATETIME2/SMALLDATETIME/DATETIMEOFFSET -> DATETIME;
  NVARCHAR(max)/NTEXT/XML -> TEXT; VARBINARY(max)/IMAGE -> BLOB.
- A single-column integer IDENTITY key of any width (SMALLINT, TINYINT, BIGINT) ->
  ``INTEGER``: only a column declared exactly ``INTEGER PRIMARY KEY`` aliases SQLite's
  ROWID and so numbers itself. ``EMBEDDED_DDL_VERSION`` changes whenever this DDL
  does, so a demo database built with older DDL is rebuilt (app/demo/commands.py).
- rowversion (mssql TIMESTAMP/ROWVERSION) -> ``BLOB NOT NULL DEFAULT (randomblob(8))``
  plus an AFTER UPDATE trigger that gives the row a new value, as SQL Server does, so
  optimistic concurrency behaves the same on both.
- String columns compare case-insensitively (``COLLATE NOCASE``, ASCII only) like SQL
  Server's usual ``*_CI_*`` collations; a ``*_CS_*``/``*_BIN*`` collation stays binary.
- T-SQL in server defaults: ``N'text'`` -> ``'text'``, ``0x0A`` -> ``X'0A'``;
  getdate(), sysdatetime(), newid()... are SQLite functions registered per connection.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Column, PrimaryKeyConstraint, Table, event
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import mssql
from sqlalchemy.dialects.sqlite import base as sqlite_base
from sqlalchemy.dialects.sqlite import pysqlite as sqlite_pysqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Computed, CreateColumn, DefaultClause
from sqlalchemy.sql.elements import TextClause

from app import mssql_types  # noqa: F401  (MONEY's operator classes)
from app.embedded_computed import computed_on_sqlite, is_untranslated_computed
from app.mssql_types import PERIOD_INFO_KEY, is_period_column

log = logging.getLogger(__name__)

ROWVERSION_BYTES = 8
PERIOD_END = "9999-12-31 23:59:59.999999"  # SQL Server's ROW END of a current row
# Bump when the DDL this module emits changes in a way an existing embedded database
# does not have (the demo marker records it; a mismatch rebuilds the demo).
# 2: integer IDENTITY keys of any width are INTEGER PRIMARY KEY (ROWID aliases).
# 3: temporal period columns get defaults; the demo has ops.maintenance_windows.
# 4: computed columns translated for SQLite; IDENTITY in a composite key as ROWID.
EMBEDDED_DDL_VERSION = 4
SQLITE_COLLATIONS = frozenset({"BINARY", "NOCASE", "RTRIM"})


def _utcnow() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


def _now() -> str:
    return dt.datetime.now().isoformat(sep=" ")


def _new_uuid() -> str:
    # SQLAlchemy stores UUIDs on SQLite as 32 hex digits; newid() must match it so
    # that WHERE employee_guid = :uuid finds rows whose value came from the default.
    return uuid.uuid4().hex


def _isnull(value: Any, replacement: Any) -> Any:
    return replacement if value is None else value


# SQL Server functions that appear in server defaults, with SQLite equivalents:
# name -> (number of arguments, function, deterministic).
SQLSERVER_FUNCTIONS = {
    "getdate": (0, _now, False),
    "sysdatetime": (0, _now, False),
    "getutcdate": (0, _utcnow, False),
    "sysutcdatetime": (0, _utcnow, False),
    "newid": (0, _new_uuid, False),
    "newsequentialid": (0, _new_uuid, False),
    "isnull": (2, _isnull, True),  # computed columns need deterministic functions
}


def register_sqlserver_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Make the SQL Server functions used by defaults callable on this connection."""
    for name, (nargs, func, deterministic) in SQLSERVER_FUNCTIONS.items():
        dbapi_connection.create_function(name, nargs, func, deterministic=deterministic)


def install_sqlite_hooks(engine: Engine, db_dir: Path, schemas: list[str]) -> None:
    """ATTACH ``<db_dir>/<schema>.db`` AS schema on every new connection."""
    db_dir = Path(db_dir).resolve()
    db_dir.mkdir(parents=True, exist_ok=True)
    schemas = sorted(set(schemas) - {"main", "temp"})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        register_sqlserver_functions(dbapi_connection)
        cursor = dbapi_connection.cursor()
        try:
            for schema in schemas:
                cursor.execute(
                    "ATTACH DATABASE ? AS " + _quote(schema),
                    (str(schema_file(db_dir, schema)),),
                )
            cursor.execute("PRAGMA foreign_keys=ON")
            for schema in ["main", *schemas]:
                cursor.execute(f"PRAGMA {_quote(schema)}.journal_mode=WAL")
                # Per connection, not stored in the file: set it every time.
                cursor.execute(f"PRAGMA {_quote(schema)}.synchronous=NORMAL")
        finally:
            cursor.close()


def schema_file(db_dir: Path, schema: str) -> Path:
    """The SQLite file that holds one physical schema."""
    return Path(db_dir).resolve() / f"{schema}.db"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


# --- SQL Server column types on SQLite ----------------------------------------------


class SQLiteMoney(sqltypes.Numeric):
    """MONEY read back from SQLite as Decimal with 4 places, as pyodbc returns it."""

    def __init__(self, precision: int = 19, scale: int = 4, **kw: Any) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)


class SQLiteSmallMoney(SQLiteMoney):
    def __init__(self, precision: int = 10, scale: int = 4, **kw: Any) -> None:
        super().__init__(precision=precision, scale=scale)


# mssql MONEY is a bare TypeEngine with no result processing; adapt it on SQLite to a
# Numeric so values come back as Decimal, never float.
# Each SQLite driver dialect keeps its own copy of the map.
for _dialect in (sqlite_base.SQLiteDialect, sqlite_pysqlite.SQLiteDialect_pysqlite):
    _dialect.colspecs.setdefault(mssql.MONEY, SQLiteMoney)
    _dialect.colspecs.setdefault(mssql.SMALLMONEY, SQLiteSmallMoney)


def _stand_in(sqlite_type: str):
    def render(_type, _compiler, **_kw) -> str:
        return sqlite_type

    return render


for _type, _sqlite in {
    mssql.MONEY: "NUMERIC(19, 4)",
    mssql.SMALLMONEY: "NUMERIC(10, 4)",
    mssql.UNIQUEIDENTIFIER: "CHAR(32)",
    mssql.BIT: "BOOLEAN",
    mssql.TINYINT: "SMALLINT",
    mssql.DATETIME2: "DATETIME",
    mssql.SMALLDATETIME: "DATETIME",
    mssql.DATETIMEOFFSET: "DATETIME",
    mssql.NTEXT: "TEXT",
    mssql.XML: "TEXT",
    mssql.IMAGE: "BLOB",
    mssql.SQL_VARIANT: "BLOB",
    mssql.TIMESTAMP: "BLOB",
    mssql.ROWVERSION: "BLOB",
}.items():
    compiles(_type, "sqlite")(_stand_in(_sqlite))


@compiles(sqltypes.String, "sqlite")
@compiles(sqltypes.Unicode, "sqlite")
@compiles(sqltypes.UnicodeText, "sqlite")
@compiles(sqltypes.Text, "sqlite")
@compiles(sqltypes.VARCHAR, "sqlite")
@compiles(sqltypes.NVARCHAR, "sqlite")
@compiles(sqltypes.CHAR, "sqlite")
@compiles(sqltypes.NCHAR, "sqlite")
def _string_on_sqlite(type_: sqltypes.String, compiler, **kw) -> str:
    """Render VARCHAR(max) as TEXT and leave SQL Server collations out of the type."""
    name = type_.__visit_name__.upper()
    if name in {"STRING", "UNICODE"}:
        name = "VARCHAR"
    elif name in {"TEXT", "UNICODE_TEXT"}:
        name = "TEXT"
    length = type_.length
    if isinstance(length, str) or name == "TEXT":  # 'max'
        return "TEXT"
    return f"{name}({length})" if length else name


@compiles(sqltypes.VARBINARY, "sqlite")
def _varbinary_on_sqlite(type_: sqltypes.VARBINARY, compiler, **kw) -> str:
    length = type_.length
    return "BLOB" if not length or isinstance(length, str) else f"VARBINARY({length})"


def _case_rule(collation: str | None) -> str:
    """SQLite collation for a column: NOCASE unless SQL Server's was case-sensitive."""
    if collation and collation.upper() in SQLITE_COLLATIONS:
        return collation.upper()
    if collation and re.search(r"_(CS|BIN2?)(_|$)", collation, re.IGNORECASE):
        return "BINARY"
    return "NOCASE"


_N_STRING = re.compile(r"(?<![\w'])N'")
_HEX_LITERAL = re.compile(r"\b0x([0-9A-Fa-f]*)\b")


def translate_default(sql: str) -> str:
    """T-SQL default text SQLite also accepts: N'x' -> 'x', 0x0A -> X'0A'."""
    sql = _N_STRING.sub("'", sql)
    return _HEX_LITERAL.sub(lambda m: f"X'{m.group(1) or ''}'", sql)


def is_rowversion(column: Column) -> bool:
    """True for SQL Server rowversion columns (reflected as mssql TIMESTAMP)."""
    return isinstance(column.type, mssql.TIMESTAMP)


def is_rowid_key(column: Column) -> bool:
    """True for a table's single-column integer IDENTITY/autoincrement primary key.

    On SQLite such a column must be declared exactly ``INTEGER`` (whatever its width
    on SQL Server) to become the ROWID alias that numbers new rows by itself.
    """
    table = column.table
    return (
        isinstance(table, Table)
        and table.autoincrement_column is column
        and len(table.primary_key.columns) == 1
        and (column.identity is not None or column.autoincrement is True)
    )


def is_identity_in_composite_key(column: Column) -> bool:
    """True for the IDENTITY column of a composite primary key.

    SQLite numbers rows only through a single ``INTEGER PRIMARY KEY``. An IDENTITY
    value is unique in its table on SQL Server too, so on SQLite that column becomes
    the ROWID key and the composite key a UNIQUE constraint: same rows accepted,
    same rows refused.
    """
    table = column.table
    return (
        isinstance(table, Table)
        and len(table.primary_key.columns) > 1
        and table.autoincrement_column is column
        and (column.identity is not None or column.autoincrement is True)
    )


@compiles(PrimaryKeyConstraint, "sqlite")
def _primary_key_on_sqlite(element: PrimaryKeyConstraint, compiler, **kw) -> str:
    text = compiler.visit_primary_key_constraint(element, **kw)
    if any(is_identity_in_composite_key(c) for c in element.columns):
        return text.replace("PRIMARY KEY", "UNIQUE", 1)
    return text


def _as_rowid_key(text: str, column: Column, compiler) -> str:
    """``name SMALLINT ...`` -> ``name INTEGER ...`` for a ROWID-alias key column."""
    declared = compiler.dialect.type_compiler_instance.process(
        column.type, type_expression=column
    )
    prefix = f"{compiler.preparer.format_column(column)} "
    if declared.upper() == "INTEGER" or not text.startswith(prefix + declared):
        return text
    return prefix + "INTEGER" + text[len(prefix) + len(declared) :]


@compiles(Computed, "sqlite")
def _computed_on_sqlite(element: Computed, compiler, **kw) -> str:
    return computed_on_sqlite(element)


@compiles(CreateColumn, "sqlite")
def _create_column_on_sqlite(element: CreateColumn, compiler, **kw) -> str:
    """Column DDL with SQL Server semantics: case rule, T-SQL defaults, rowversion,
    integer IDENTITY keys as ROWID aliases."""
    column = element.element
    if is_identity_in_composite_key(column):
        # SQLAlchemy refuses autoincrement in a composite key on SQLite; the ROWID
        # key is all this column needs (no default, computed or collation applies).
        return f"{compiler.preparer.format_column(column)} INTEGER NOT NULL PRIMARY KEY"
    text = compiler.visit_create_column(element, **kw)
    if text is None:
        return text
    if is_rowid_key(column):
        text = _as_rowid_key(text, column, compiler)
    if is_untranslated_computed(column):
        # A plain column standing in for the computed one: new rows leave it NULL.
        text = text.replace(" NOT NULL", "", 1)
    if is_rowversion(column):
        if column.server_default is None or not isinstance(
            column.server_default, DefaultClause
        ):
            text += f" DEFAULT (randomblob({ROWVERSION_BYTES}))"
        return text
    default = column.server_default
    if is_period_column(column) and not isinstance(default, DefaultClause):
        # SQL Server fills temporal ROW START/END itself; SQLite needs a default.
        start = column.info.get(PERIOD_INFO_KEY) == "row_start"
        return text + (
            " DEFAULT (CURRENT_TIMESTAMP)" if start else f" DEFAULT ('{PERIOD_END}')"
        )
    if isinstance(default, DefaultClause) and isinstance(default.arg, TextClause):
        original = compiler.get_column_default_string(column)
        if original:
            text = text.replace(
                f"DEFAULT {original}", f"DEFAULT {translate_default(original)}", 1
            )
    if isinstance(column.type, sqltypes.String) and not isinstance(
        column.type, sqltypes.Enum
    ):
        text += f" COLLATE {_case_rule(column.type.collation)}"
    return text


# --- rowversion: a new value on every UPDATE ------------------------------------------


def rowversion_trigger_ddl(table: Table, column: Column, schema: str | None) -> str:
    """CREATE TRIGGER that replaces the row's version after every UPDATE."""
    name = _quote(f"trg_{table.name}_{column.name}")
    qualified = f"{_quote(schema)}.{name}" if schema else name
    # A trigger in an ATTACHed file may only name tables of its own file: unqualified.
    return (
        f"CREATE TRIGGER IF NOT EXISTS {qualified} AFTER UPDATE ON "
        f"{_quote(table.name)} FOR EACH ROW BEGIN "
        f"UPDATE {_quote(table.name)} SET {_quote(column.name)} = "
        f"randomblob({ROWVERSION_BYTES}) WHERE rowid = NEW.rowid; END"
    )


@event.listens_for(Table, "after_create")
def _add_rowversion_triggers(table: Table, connection: Connection, **_kw) -> None:
    if connection.dialect.name != "sqlite":
        return
    columns = [c for c in table.columns if is_rowversion(c)]
    if not columns:
        return
    schema_map = connection.get_execution_options().get("schema_translate_map") or {}
    schema = schema_map.get(table.schema, table.schema)
    for column in columns:
        connection.exec_driver_sql(rowversion_trigger_ddl(table, column, schema))
