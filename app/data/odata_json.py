"""Feed rows written as JSON by the database: one object text per row.

Reading a 5,000-row page, most of the time goes into turning 40,000 values into
Python objects and those into JSON text (app/odata/payload.py, the reference
writer). Every supported database can write the object itself, in C:

- SQLite: ``json_object('name', value, ...)``;
- PostgreSQL: ``json_build_object('name', value, ...)::text``;
- SQL Server (2016 and later): a correlated ``(SELECT value AS [name], ...
  FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)``, as Microsoft's Data
  API builder does.

One statement serves all three: ``row_json`` and the value wrappers below are
SQLAlchemy elements compiled per dialect, so the statement the test suite runs on
SQLite is also compiled for SQL Server by the T-SQL conformance check.

The texts must mean what the reference writer's mean: the same properties with the
same JSON values (tests/odata/test_feed_db_json.py compares the two on every
supported kind, hostile text included, on SQLite and PostgreSQL; the live SQL Server
tier does it there). Where a database writes a kind differently, the value is wrapped:
datetimes get the ISO ``T`` and the ``Z`` (Edm.DateTimeOffset, see app/odata/edm.py),
GUIDs come lower-case with dashes, SQLite's 0/1 Booleans become true/false,
PostgreSQL's non-finite numerics become null and SQL Server's money (a string in
FOR JSON) becomes a DECIMAL(19, 4) number. Kinds no wrapper covers in all three
(floating point: each database rounds its own way; timezone-aware datetimes; money
on PostgreSQL; SQL Server's text/ntext/xml and CLR types) send the whole page
through the Python writer instead: ``row_json_column`` returns None for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from app.catalog import ColumnInfo
from app.catalog.entity_sets import property_name

# PostgreSQL functions take at most 100 arguments: 50 name/value pairs.
MAX_COLUMNS = 50
_PLAIN_KINDS = frozenset({"int", "text", "longtext", "date"})


class _JsonValue(FunctionElement):
    """One column's value as the database should put it in the row's object; each
    wrapper below is compiled per dialect (the ``@compiles`` functions)."""

    type = String()
    inherit_cache = True


def _wrapper(name: str, doc: str) -> type[_JsonValue]:
    body = {"name": name, "inherit_cache": True, "__doc__": doc}
    return type(name, (_JsonValue,), body)


json_bool = _wrapper("json_bool", "true/false/null (SQLite stores 0/1).")
json_datetime = _wrapper(
    "json_datetime", "A naive datetime as YYYY-MM-DDTHH:MM:SS[.ffffff]Z."
)
json_time = _wrapper("json_time", "A time of day as HH:MM:SS[.ffffff].")
json_guid = _wrapper("json_guid", "A GUID as 36 lower-case characters.")
json_decimal = _wrapper("json_decimal", "An exact number, null when not finite.")
json_money = _wrapper(
    "json_money", "money/smallmoney as a JSON number (FOR JSON writes a string)."
)


class row_json(FunctionElement):  # noqa: N801
    """The row's JSON object from alternating name literals and values."""

    name = "row_json"
    type = String()
    inherit_cache = True


def _arg(element: FunctionElement, compiler: Any, kw: dict) -> str:
    return compiler.process(next(iter(element.clauses)), **kw)


def _pairs(element: row_json, compiler: Any, kw: dict) -> list[tuple[str, str]]:
    """(name SQL literal, value SQL) of each property."""
    parts = [compiler.process(c, **kw) for c in element.clauses]
    return list(zip(parts[0::2], parts[1::2], strict=True))


# SQLite ----------------------------------------------------------------------


@compiles(json_bool, "sqlite")
def _bool_sqlite(element, compiler, **kw) -> str:
    c = _arg(element, compiler, kw)
    return (
        f"CASE WHEN {c} IS NULL THEN NULL WHEN {c} THEN json('true') "
        "ELSE json('false') END"
    )


@compiles(json_datetime, "sqlite")
def _datetime_sqlite(element, compiler, **kw) -> str:
    # SQLAlchemy stores "YYYY-MM-DD HH:MM:SS.ffffff"; Python's isoformat leaves out
    # a zero fraction.
    c = _arg(element, compiler, kw)
    return f"replace(replace({c}, ' ', 'T'), '.000000', '') || 'Z'"


@compiles(json_time, "sqlite")
def _time_sqlite(element, compiler, **kw) -> str:
    return f"replace({_arg(element, compiler, kw)}, '.000000', '')"


@compiles(json_guid, "sqlite")
def _guid_sqlite(element, compiler, **kw) -> str:
    # SQLAlchemy's Uuid stores 32 hex digits on SQLite.
    c = _arg(element, compiler, kw)
    dashed = " || '-' || ".join(
        f"substr({c}, {start}, {length})"
        for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    )
    return f"lower(CASE WHEN length({c}) = 32 THEN {dashed} ELSE {c} END)"


@compiles(json_decimal, "sqlite")
@compiles(json_decimal, "mssql")
@compiles(json_money, "sqlite")
@compiles(json_money, "postgresql")
@compiles(json_bool, "postgresql")
@compiles(json_bool, "mssql")
@compiles(json_time, "postgresql")
@compiles(json_time, "mssql")
@compiles(json_guid, "postgresql")
def _native(element, compiler, **kw) -> str:
    return _arg(element, compiler, kw)


@compiles(row_json, "sqlite")
def _row_sqlite(element, compiler, **kw) -> str:
    pairs = _pairs(element, compiler, kw)
    return "json_object(" + ", ".join(f"{n}, {v}" for n, v in pairs) + ")"


# PostgreSQL ------------------------------------------------------------------


@compiles(json_datetime, "postgresql")
def _datetime_postgresql(element, compiler, **kw) -> str:
    c = _arg(element, compiler, kw)
    return (
        f"replace(to_char({c}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
    )


@compiles(json_decimal, "postgresql")
def _decimal_postgresql(element, compiler, **kw) -> str:
    c = _arg(element, compiler, kw)
    return (
        f"CASE WHEN {c} IN ('NaN'::numeric, 'Infinity'::numeric, "
        f"'-Infinity'::numeric) THEN NULL ELSE {c} END"
    )


@compiles(row_json, "postgresql")
def _row_postgresql(element, compiler, **kw) -> str:
    pairs = _pairs(element, compiler, kw)
    body = ", ".join(f"{n}, {v}" for n, v in pairs)
    return f"CAST(json_build_object({body}) AS TEXT)"


# SQL Server ------------------------------------------------------------------


@compiles(json_datetime, "mssql")
def _datetime_mssql(element, compiler, **kw) -> str:
    # Style 126 is ISO 8601 with the T; the fraction only when it is not zero.
    return f"CONVERT(VARCHAR(33), {_arg(element, compiler, kw)}, 126) + 'Z'"


@compiles(json_money, "mssql")
def _money_mssql(element, compiler, **kw) -> str:
    # FOR JSON writes money and smallmoney as strings; DECIMAL(19, 4) holds both.
    return f"CAST({_arg(element, compiler, kw)} AS DECIMAL(19, 4))"


@compiles(json_guid, "mssql")
def _guid_mssql(element, compiler, **kw) -> str:
    return f"LOWER(CONVERT(CHAR(36), {_arg(element, compiler, kw)}))"


@compiles(row_json, "mssql")
def _row_mssql(element, compiler, **kw) -> str:
    columns = ", ".join(
        f"{v} AS [{n.strip(chr(39))}]" for n, v in _pairs(element, compiler, kw)
    )
    return (
        f"(SELECT {columns} FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)"
    )


# Choosing --------------------------------------------------------------------


def _value(info: ColumnInfo, column: Any, dialect: str) -> ColumnElement[Any] | None:
    """The column wrapped for the row's object; None when no wrapper is exact."""
    kind = info.kind
    if info.is_string and not info.comparable:
        return None  # SQL Server's text/ntext/xml: FOR JSON refuses or rewrites them
    if kind == "money" and dialect == "postgresql":
        return None  # PostgreSQL's money is written as "$1.00"
    if kind in _PLAIN_KINDS:
        return column
    if kind == "money":
        return json_money(column)
    if kind == "bool":
        return json_bool(column)
    if kind == "decimal":
        return json_decimal(column)
    if kind == "datetime":
        type_ = getattr(column.type, "impl_instance", column.type)
        if getattr(type_, "timezone", False) or "OFFSET" in type(type_).__name__:
            return None
        return json_datetime(column)
    if kind == "time":
        return json_time(column)
    if kind == "guid":
        return json_guid(column)
    return None  # float, other


def row_json_column(
    columns: Sequence[ColumnInfo], table: Any, dialect: str
) -> ColumnElement[Any] | None:
    """The JSON object of each row's ``columns`` (binary ones left out, as the feed
    does), or None when a column's kind is one the database cannot write exactly."""
    served = [c for c in columns if c.kind != "binary"]
    if not served or len(served) > MAX_COLUMNS:
        return None
    args: list[Any] = []
    for info in served:
        value = _value(info, table.c[info.name], dialect)
        if value is None:
            return None
        # Property names are OData identifiers ([A-Za-z_][A-Za-z0-9_]*): safe as
        # SQL string literals and as bracketed aliases.
        args += [literal_column(f"'{property_name(info.name)}'"), value]
    return row_json(*args)
