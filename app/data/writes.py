"""Insert, update and delete for any mapped table with a primary key.

Every write here:

- is checked against the caller's ``TableAccess`` (from ``app.access.require``): the
  row filter must hold for the row before the write (it is part of the WHERE clause)
  and after it (re-read inside the same transaction, rolled back otherwise); hidden
  columns are never written;
- never sends server-managed columns (identity, computed, rowversion, and columns
  whose server default is a clock or ``newid()``);
- uses optimistic concurrency: ``WHERE pk AND rowversion = :original`` when the table
  has a rowversion column, otherwise ``WHERE pk AND col = :original`` (``col IS NULL``
  for a NULL original) for each column the form carried. The original values are known
  in Python, so the NULL-safe comparison is decided here instead of sending the
  portable ``(col = :v OR (col IS NULL AND :v IS NULL))``: same meaning, and it lets
  SQL Server use an index;
- writes its audit row (``tablefront.audit_log``) in the same transaction;
- turns database refusals (unique, foreign key, check, NOT NULL, truncation, range)
  into ``FieldErrors`` in plain words, after a rollback: never a 500, never half done.

Delete refusals are explained by counting the rows that still point at the row
through the metadata's foreign keys. Leak decision: in a table the caller may read,
only rows inside the caller's row filter are counted; rows outside it are mentioned
without a number ("and rows you cannot see"); a table the caller may not read is not
named at all ("rows in a table you cannot see"). Knowing that *something* refers to
the row cannot be hidden, since the database refuses the delete either way.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import logging
import operator
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import (
    Column,
    ColumnElement,
    ForeignKeyConstraint,
    Table,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.sql import Select, visitors
from sqlalchemy.types import LargeBinary

from app.access import TableAccess
from app.catalog.columns import ROWVERSION_TYPES, server_managed  # shared rules
from app.data import db_errors
from app.data.db_errors import PLAIN_WORDS, classify_error  # noqa: F401 (re-exported)
from app.extensions import db
from app.logs import current_request_id
from app.models.audit import AuditLog
from app.mssql_types import (
    OpaqueSqlType,
    is_legacy_lob,
    lob_unchanged,
)

log = logging.getLogger(__name__)

# Types never used as originals: CLR types (never written). Legacy LOBs (xml, text,
# ntext, image) cannot be compared with "=" and are compared by hash instead.
UNCOMPARABLE = (OpaqueSqlType,)
REFERENCE_COUNT_CAP = 10_000


# --- errors ---------------------------------------------------------------------------


class WriteError(Exception):
    """A write was refused; nothing was changed."""


@dataclass
class FieldErrors(WriteError):
    """Problems to show in the form: by column name, ``None`` for the whole form."""

    errors: dict[str | None, list[str]] = field(default_factory=dict)

    def add(self, column: str | None, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    def __str__(self) -> str:
        return "; ".join(
            f"{k or 'form'}: {m}" for k, msgs in self.errors.items() for m in msgs
        )


@dataclass
class Conflict(WriteError):
    """Someone changed the row since it was opened; ``current`` is their version."""

    current: dict[str, Any]


class RowGone(WriteError):
    """The row was deleted meanwhile (or is no longer visible to the caller)."""


class OutsideFilter(WriteError):
    """The write would put the row outside what the caller may touch."""


@dataclass
class DeleteRefused(WriteError):
    """Other rows still point at the row; ``reasons`` say which, in plain words."""

    reasons: list[str]

    def __str__(self) -> str:
        return " ".join(self.reasons)


# --- columns --------------------------------------------------------------------------


def rowversion_column(table: Table) -> Column | None:
    """The table's rowversion column, if it has one."""
    for col in table.columns:
        if isinstance(col.type, ROWVERSION_TYPES):
            return col
    return None


def editable_columns(
    table: Table, hidden: Iterable[str] = (), *, creating: bool = False
) -> list[Column]:
    """Columns a caller may set: not server-managed, not hidden; PK only on create."""
    hidden = set(hidden)
    return [
        col
        for col in table.columns
        if col.name not in hidden
        and not server_managed(col)
        and not isinstance(col.type, OpaqueSqlType)  # CLR types: read as text only
        and (creating or not col.primary_key)
    ]


def pk_columns(table: Table) -> list[Column]:
    """The primary key columns, in key order."""
    return list(table.primary_key.columns)


def pk_of(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """The primary key values of ``row`` by column name, in key order."""
    return {c.name: row[c.name] for c in pk_columns(table)}


def pk_clause(table: Table, pk: Mapping[str, Any]) -> ColumnElement[bool]:
    """``pk1 = :v1 AND pk2 = :v2``."""
    return and_(*(c == pk[c.name] for c in pk_columns(table)))


def _visible(access: TableAccess, action: str = "read") -> list[ColumnElement[bool]]:
    """The row filter for ``action`` as WHERE terms (read filter AND action's own)."""
    where = access.filter_for(action) if hasattr(access, "filter_for") else None
    if where is None and action == "read":
        where = access.row_filter
    return [where] if where is not None else []


# --- values as JSON (audit, signed originals) ----------------------------------------


def json_value(value: Any) -> Any:
    """A JSON-friendly form of a column value (dates ISO, decimals and GUIDs as text,
    bytes as ``0x`` hex)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "0x" + bytes(value).hex().upper()
    return value


def _json_default(value: Any) -> Any:
    shown = json_value(value)
    if shown is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return shown


# The C encoder with a fallback for the few non-JSON types: same text as converting
# every value first, at a fraction of the cost (imports audit every row).
_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, default=_json_default
)


def dumps(values: Mapping[str, Any]) -> str:
    """Compact, deterministic JSON of column values."""
    return _ENCODER.encode(values if isinstance(values, dict) else dict(values))


def row_key(table: Table, pk: Mapping[str, Any]) -> str:
    """The audit log's key for a row: JSON of its primary key in key order."""
    return dumps({c.name: pk[c.name] for c in pk_columns(table)})


def python_value(col: Column, value: Any) -> Any:
    """The inverse of ``json_value`` for ``col``'s type (None stays None)."""
    if value is None:
        return None
    python_type: type | None
    try:
        python_type = col.type.python_type
    except NotImplementedError:
        python_type = None
    if isinstance(col.type, ROWVERSION_TYPES | LargeBinary) or python_type is bytes:
        if isinstance(value, str) and value.startswith("0x"):
            return bytes.fromhex(value[2:])
        if isinstance(value, str):
            return base64.b64decode(value)
        return value
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if python_type is dt.date:
        return dt.date.fromisoformat(value)
    if python_type is dt.time:
        return dt.time.fromisoformat(value)
    if python_type is decimal.Decimal:
        return decimal.Decimal(value)
    if python_type is uuid.UUID:
        return uuid.UUID(str(value))
    return value


def table_key(table: Table) -> str:
    """Logical ``schema.table``."""
    return f"{table.schema or 'dbo'}.{table.name}"


# --- statement templates -----------------------------------------------------------
#
# A form's save runs the same statements with other values: the row's SELECT and the
# UPDATE differ only in parameters for a given table, caller's access, set of columns
# and NULL pattern of the originals. Building them once (with named bind parameters)
# saves constructing the statement and its cache key on every request; SQLAlchemy
# compiles each once per dialect as before. An entry keeps the objects its key names
# by id (table, access, filters), so a key is never reused for a different object.

STATEMENT_CACHE_SIZE = 1024
_TEMPLATES: dict[tuple, tuple[tuple, Any]] = {}


def _template(key: tuple, pins: tuple, build: Callable[[], Any]) -> Any:
    found = _TEMPLATES.get(key)
    if (
        found is not None
        and len(found[0]) == len(pins)
        and all(a is b for a, b in zip(found[0], pins, strict=True))
    ):
        return found[1]
    statement = build()
    if len(_TEMPLATES) >= STATEMENT_CACHE_SIZE:
        _TEMPLATES.clear()
    _TEMPLATES[key] = (pins, statement)
    return statement


def _filters_key(
    access: TableAccess | None, action: str, row_filters: Sequence[Any]
) -> tuple[tuple, tuple]:
    """(key part, pinned objects) naming the row filter of a template."""
    if access is not None:
        return ("access", id(access), action), (access,)
    return ("filters", *(id(f) for f in row_filters)), tuple(row_filters)


def _pk_terms(table: Table) -> list[ColumnElement[bool]]:
    return [
        c == bindparam(f"tf_pk_{i}", type_=c.type)
        for i, c in enumerate(pk_columns(table))
    ]


def _pk_params(table: Table, pk: Mapping[str, Any]) -> dict[str, Any]:
    return {f"tf_pk_{i}": pk[c.name] for i, c in enumerate(pk_columns(table))}


def _original_shape(table: Table, original: Mapping[str, Any]) -> tuple:
    """Which originals the concurrency predicate compares, and which are NULL."""
    rv = rowversion_column(table)
    if rv is not None:
        if rv.name not in original:
            raise ValueError(f"the original {rv.name} of {table_key(table)} is missing")
        return (("rv", rv.name),)
    shape = []
    for name, value in original.items():
        col = table.c.get(name)
        if col is None or col.primary_key or isinstance(col.type, UNCOMPARABLE):
            continue
        shape.append((name, value is None))
    return tuple(shape)


def _original_terms(table: Table, shape: tuple) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = []
    for i, (name, is_null) in enumerate(shape):
        if name == "rv":
            col = table.c[is_null]  # ("rv", column name)
            terms.append(col == bindparam(f"tf_orig_{i}", type_=col.type))
            continue
        col = table.c[name]
        if is_null:
            terms.append(col.is_(None))
        elif is_legacy_lob(col.type):
            terms.append(lob_unchanged(col, f"tf_orig_{i}"))
        else:
            terms.append(col == bindparam(f"tf_orig_{i}", type_=col.type))
    return terms


def _original_params(shape: tuple, original: Mapping[str, Any]) -> dict[str, Any]:
    params = {}
    for i, (name, is_null) in enumerate(shape):
        if name == "rv":
            params[f"tf_orig_{i}"] = original[is_null]
        elif not is_null:
            params[f"tf_orig_{i}"] = original[name]
    return params


def read_row_statement(table: Table, access: TableAccess, action: str = "read") -> Any:
    """``SELECT * WHERE pk = :tf_pk_<i> AND <caller's filter for action>``."""
    fkey, pins = _filters_key(access, action, ())
    return _template(
        ("read", id(table), *fkey),
        (table, *pins),
        lambda: select(table).where(*_pk_terms(table), *_visible(access, action)),
    )


def update_template(
    table: Table,
    pk: Mapping[str, Any],
    values: Mapping[str, Any],
    original: Mapping[str, Any],
    row_filters: Sequence[ColumnElement[bool]] = (),
    access: TableAccess | None = None,
    action: str = "update",
):
    """(UPDATE with named parameters, their values): SET values WHERE pk AND the
    concurrency predicate AND the row filter (``access``'s filter for ``action``
    when given, else ``row_filters``)."""
    names = tuple(values)
    shape = _original_shape(table, original)
    fkey, pins = _filters_key(access, action, row_filters)

    def build():
        filters = _visible(access, action) if access is not None else row_filters
        sets = {
            table.c[name]: bindparam(f"tf_set_{i}", type_=table.c[name].type)
            for i, name in enumerate(names)
        }
        where = [*_pk_terms(table), *_original_terms(table, shape), *filters]
        return update(table).where(*where).values(sets)

    statement = _template(
        ("update", id(table), names, shape, *fkey), (table, *pins), build
    )
    params = _pk_params(table, pk)
    params.update(_original_params(shape, original))
    params.update({f"tf_set_{i}": values[name] for i, name in enumerate(names)})
    return statement, params


# --- reading --------------------------------------------------------------------------


def read_row(
    table: Table,
    access: TableAccess,
    pk: Mapping[str, Any],
    action: str = "read",
    connection: Connection | None = None,
) -> dict[str, Any] | None:
    """The row with ``pk`` inside the caller's row filter for ``action``, or None;
    read in the request's session, or on ``connection`` when given."""
    stmt = read_row_statement(table, access, action)
    run = db.session.execute if connection is None else connection.execute
    row = run(stmt, _pk_params(table, pk)).mappings().first()
    return dict(row) if row is not None else None


def exists_statement(*where: ColumnElement[bool]) -> Select:
    """``SELECT 1 WHERE EXISTS (SELECT * FROM ... WHERE <where>)``: one row or none.

    ``select(exists())`` would put EXISTS in the select list, which SQL Server refuses
    (Msg 156: T-SQL has no boolean values); this form runs on SQL Server, SQLite and
    PostgreSQL alike. The ``1`` is literal text, not a parameter."""
    return select(literal_column("1")).where(exists().where(*where))


def any_row(*where: ColumnElement[bool]) -> bool:
    """True when some row satisfies ``where`` (in the session's transaction)."""
    return db.session.execute(exists_statement(*where)).first() is not None


def _row_exists(
    table: Table, access: TableAccess, pk: Mapping[str, Any], action: str
) -> bool:
    return any_row(pk_clause(table, pk), *_visible(access, action))


# --- statements (kept separate so tests compile them for SQL Server) ------------------


def insert_statement(table: Table, values: Mapping[str, Any]):
    """INSERT of ``values``. Generated keys come back through SQLAlchemy's implicit
    returning (``OUTPUT inserted.<pk>`` on SQL Server, RETURNING elsewhere), or
    SCOPE_IDENTITY() for tables with triggers (``implicit_returning=False``)."""
    return insert(table).values(dict(values))


def concurrency_predicate(
    table: Table, original: Mapping[str, Any]
) -> list[ColumnElement[bool]]:
    """The WHERE terms that prove the row is still as the caller saw it."""
    rv = rowversion_column(table)
    if rv is not None:
        if rv.name not in original:
            raise ValueError(f"the original {rv.name} of {table_key(table)} is missing")
        return [rv == original[rv.name]]
    terms: list[ColumnElement[bool]] = []
    for name, value in original.items():
        col = table.c.get(name)
        if col is None or col.primary_key or isinstance(col.type, UNCOMPARABLE):
            continue
        if value is not None and is_legacy_lob(col.type):
            terms.append(lob_unchanged(col, None, value))
            continue
        terms.append(col.is_(None) if value is None else col == value)
    return terms


def update_statement(
    table: Table,
    pk: Mapping[str, Any],
    values: Mapping[str, Any],
    original: Mapping[str, Any],
    *row_filters: ColumnElement[bool],
):
    """UPDATE ... SET values WHERE pk AND concurrency predicate AND row filter (the
    template ``update_row`` executes, with its parameter values bound)."""
    statement, params = update_template(table, pk, values, original, row_filters)

    def bind(parameter) -> None:
        if parameter.key in params:
            parameter.value = params[parameter.key]
            parameter.required = False

    return visitors.cloned_traverse(
        statement, {"maintain_key": True}, {"bindparam": bind}
    )


def delete_statement(
    table: Table,
    pk: Mapping[str, Any],
    original: Mapping[str, Any],
    *row_filters: ColumnElement[bool],
):
    """DELETE WHERE pk AND concurrency predicate AND row filter."""
    where = [
        pk_clause(table, pk),
        *concurrency_predicate(table, original),
        *row_filters,
    ]
    return delete(table).where(*where)


# --- audit ------------------------------------------------------------------------


def audit_entry(
    table: Table,
    pk: Mapping[str, Any],
    action: str,
    actor: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """One audit_log row as parameters (same shape for executemany in imports)."""
    return {
        "user_login": actor,
        "request_id": current_request_id(),
        "table_name": table_key(table),
        "row_key": row_key(table, pk),
        "action": action,
        "old_values": dumps(old) if old else None,
        "new_values": dumps(new) if new else None,
    }


_AUDIT_INSERT = insert(AuditLog.__table__)  # built once: only the values change


def write_audit(entries: Sequence[dict[str, Any]]) -> None:
    """Insert audit rows in the current transaction (executemany when several)."""
    if entries:
        db.session.execute(_AUDIT_INSERT, list(entries))


# --- bulk writes (imports) --------------------------------------------------------

# The parameters of one audit row for write_audit_rows, in this order.
AUDIT_FIELDS = (
    "user_login",
    "request_id",
    "table_name",
    "row_key",
    "action",
    "old_values",
    "new_values",
)
# Backends whose rows go straight to the DBAPI cursor's executemany: sqlite3 loops in
# C. SQL Server stays on SQLAlchemy's executemany, which sets pyodbc's input sizes
# for fast_executemany (string lengths, NVARCHAR) — the raw path skips that step and
# has not been run against a real server. Others go through SQLAlchemy too, which
# rewrites an executemany into multi-row statements (insertmanyvalues).
RAW_EXECUTEMANY = frozenset({"sqlite"})
_COMPILED_INSERTS: dict[tuple, tuple[str, Callable | None, list | None]] = {}


def _compiled_insert(
    connection: Any, table: Table, names: tuple[str, ...]
) -> tuple[str, Callable | None, list | None] | None:
    """(SQL text, reordering of a row, bind processors) of ``INSERT INTO table
    (names) VALUES (?, ...)`` for the connection's dialect and schema map, compiled
    once; None when the dialect's parameters are not positional."""
    schema_map = connection.get_execution_options().get("schema_translate_map")
    cache_key = (
        connection.dialect,
        table,
        names,
        frozenset(schema_map.items()) if schema_map else None,
    )
    found = _COMPILED_INSERTS.get(cache_key)
    if found is None and cache_key not in _COMPILED_INSERTS:
        dialect = connection.dialect
        stmt = insert(table).values(
            {n: bindparam(n, type_=table.c[n].type) for n in names}
        )
        compiled = stmt.compile(
            dialect=dialect,
            schema_translate_map=schema_map or None,
            render_schema_translate=bool(schema_map),
        )
        if compiled.positional and sorted(compiled.positiontup or ()) == sorted(names):
            order = [names.index(n) for n in compiled.positiontup]
            reorder = (
                None
                if order == list(range(len(names)))
                else operator.itemgetter(*order)
            )
            procs = [
                table.c[n].type.dialect_impl(dialect).bind_processor(dialect)
                for n in compiled.positiontup
            ]
            found = (compiled.string, reorder, procs if any(procs) else None)
        _COMPILED_INSERTS[cache_key] = found
    return found


def insert_rows(table: Table, names: Sequence[str], rows: Sequence[tuple]) -> None:
    """executemany ``INSERT INTO table (names)`` of ``rows`` (tuples in ``names``
    order) in the session's transaction, with bound parameters.

    On SQLite the statement is compiled once and the rows go to the DBAPI cursor's
    executemany with the same bind processing SQLAlchemy applies, without building a
    parameter dict per row; elsewhere SQLAlchemy's executemany (fast_executemany on
    SQL Server)."""
    if not rows:
        return
    names = tuple(names)
    connection = db.session.connection()
    compiled = None
    if connection.dialect.name in RAW_EXECUTEMANY:
        compiled = _compiled_insert(connection, table, names)
    if compiled is None:
        db.session.execute(
            insert(table), [dict(zip(names, row, strict=True)) for row in rows]
        )
        return
    sql, reorder, procs = compiled
    params: Sequence[tuple] = rows
    if reorder is not None:
        params = list(map(reorder, params))
    if procs is not None:
        params = [
            tuple([v if p is None else p(v) for p, v in zip(procs, row, strict=True)])
            for row in params
        ]
    connection.exec_driver_sql(sql, list(params))


_JSON_BY_TYPE: dict[type, Callable[[Any], str]] = {
    decimal.Decimal: str,
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
    dt.time: dt.time.isoformat,
    uuid.UUID: str,
}


def _bulk_default(value: Any) -> Any:
    to_json = _JSON_BY_TYPE.get(type(value))
    return _json_default(value) if to_json is None else to_json(value)


def _bulk_dumps() -> Callable[[dict[str, Any]], str]:
    """``dumps`` for many dicts (the same text): the C encoder made once rather than
    per call, the usual non-JSON types looked up by exact type."""
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:  # no C accelerator (not CPython)
        return dumps
    encode = make(
        None,  # no check for circular references: column values are flat
        _bulk_default,
        json.encoder.encode_basestring,  # ensure_ascii=False, as _ENCODER
        None,
        ":",
        ",",
        False,
        False,
        True,
    )
    join = "".join

    def bulk_dumps(values: dict[str, Any]) -> str:
        return join(encode(values, 0))

    return bulk_dumps


bulk_dumps = _bulk_dumps()


def write_audit_rows(rows: Sequence[tuple]) -> None:
    """Insert audit rows given as tuples in AUDIT_FIELDS order (bulk: imports)."""
    insert_rows(AuditLog.__table__, AUDIT_FIELDS, rows)


def _changed(
    before: Mapping[str, Any], after: Mapping[str, Any], names: Iterable[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    old, new = {}, {}
    for name in names:
        if name in after and before.get(name) != after.get(name):
            old[name] = before.get(name)
            new[name] = after[name]
    return old, new


def _audit_columns(table: Table) -> list[str]:
    """Columns worth recording (not rowversion: it is noise)."""
    return [c.name for c in table.columns if not isinstance(c.type, ROWVERSION_TYPES)]


# --- checks before writing --------------------------------------------------------


def check_values(
    table: Table, access: TableAccess, values: Mapping[str, Any], *, creating: bool
) -> None:
    """Refuse hidden, unknown or server-managed columns (a crafted form or CSV)."""
    allowed = _editable_names(table, creating)
    errors = FieldErrors()
    for name in values:
        if name in access.hidden_columns or name not in table.c:
            errors.add(None, f"Unknown column {name!r}.")
        elif name not in allowed:
            errors.add(name, "This value is set by the database and cannot be changed.")
    if errors.errors:
        raise errors


_EDITABLE: dict[tuple[Table, bool], frozenset[str]] = {}


def _editable_names(table: Table, creating: bool) -> frozenset[str]:
    """Names of ``editable_columns(table)``, worked out once per table."""
    key = (table, creating)
    names = _EDITABLE.get(key)
    if names is None:
        if len(_EDITABLE) >= STATEMENT_CACHE_SIZE:
            _EDITABLE.clear()
        names = _EDITABLE[key] = frozenset(
            c.name for c in editable_columns(table, creating=creating)
        )
    return names


def unique_sets(table: Table) -> list[tuple[str, ...]]:
    """Column sets that must be unique (constraints, unique indexes, unique=True)."""
    sets: list[tuple[str, ...]] = []
    for cons in table.constraints:
        if isinstance(cons, UniqueConstraint) and len(cons.columns):
            sets.append(tuple(c.name for c in cons.columns))
    for index in table.indexes:
        if index.unique and len(index.columns):
            sets.append(tuple(c.name for c in index.columns))
    sets += [(c.name,) for c in table.columns if c.unique]
    return list(dict.fromkeys(sets))


def check_unique(
    table: Table,
    values: Mapping[str, Any],
    pk: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    access: TableAccess | None = None,
) -> None:
    """Friendly duplicate messages before the database would refuse the write;
    the value is named only when the caller may see the clashing row."""
    errors = FieldErrors()
    candidates = list(unique_sets(table))
    if pk is None and all(c.name in values for c in pk_columns(table)):
        candidates.append(tuple(c.name for c in pk_columns(table)))
    for cols in candidates:
        if not all(name in values for name in cols):
            continue
        if any(values[name] is None for name in cols):
            continue  # NULLs never collide on SQLite/PostgreSQL (SQL Server: once)
        where = [table.c[name] == values[name] for name in cols]
        if pk is not None:
            where.append(~pk_clause(table, pk))
        if any_row(*where):
            names = ", ".join((labels or {}).get(n, n) for n in cols)
            shown = ", ".join(str(json_value(values[n])) for n in cols)
            if clash_visible(table, access, where):
                message = f"Another row already has {names} = {shown}."
            else:
                message = unique_clash_hidden(names)
            errors.add(cols[0] if len(cols) == 1 else None, message)
    if errors.errors:
        raise errors


def clash_visible(
    table: Table, access: TableAccess | None, where: Sequence[ColumnElement[bool]]
) -> bool:
    """Whether a row matching ``where`` (a unique clash) is one the caller may see:
    only then may a message repeat the value. Without a row filter every row is
    visible; with one, a clash outside it must not confirm the row exists with
    that value beyond the one bit the refusal itself gives (README, Access)."""
    visible = _visible(access) if access is not None else []
    if not visible:
        return True
    stmt = select(*pk_columns(table)).where(*where, *visible).limit(1)
    return db.session.execute(stmt).first() is not None


def unique_clash_hidden(names: str) -> str:
    """The duplicate message that does not repeat the value (a hidden clash)."""
    return f"Another row already has this {names}."


def check_references(
    table: Table,
    values: Mapping[str, Any],
    access_for: Any,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Each foreign key value must name a row the caller may see.

    ``access_for(table)`` returns the caller's TableAccess for a referenced table.
    """
    errors = FieldErrors()
    for cons in table.foreign_key_constraints:
        names = list(cons.column_keys)
        if not all(n in values for n in names) or any(values[n] is None for n in names):
            continue
        ref = cons.referred_table
        ref_access = access_for(ref)
        where = [
            el.column == values[el.parent.name] for el in cons.elements
        ] + _visible(ref_access)
        if not ref_access.allows("read"):
            where.append(false())
        if not any_row(*where):
            label = ", ".join((labels or {}).get(n, n) for n in names)
            errors.add(
                names[0] if len(names) == 1 else None,
                f"{label}: no such row in {table_key(ref)} (or you may not see it).",
            )
    if errors.errors:
        raise errors


# --- database errors in plain words ---------------------------------------------


def field_errors_from(
    table: Table, exc: DBAPIError, labels: Mapping[str, str] | None = None
) -> FieldErrors:
    """A database refusal as form errors, attached to a column when one is named."""
    refusal = db_errors.classify(table, exc)
    errors = FieldErrors()
    columns, message = refusal.columns, refusal.message
    if len(columns) == 1:
        errors.add(columns[0], message)
    else:
        names = ", ".join((labels or {}).get(c, c) for c in columns)
        errors.add(None, f"{names}: {message}" if names else message)
    log.info(
        "write refused by the database (%s%s) on %s",
        refusal.kind,
        f" {refusal.constraint}" if refusal.constraint else "",
        table_key(table),
    )
    return errors


# --- writes -----------------------------------------------------------------------


def _after_check(
    table: Table, access: TableAccess, pk: Mapping[str, Any], action: str
) -> None:
    if _visible(access, action) and not _row_exists(table, access, pk, action):
        raise OutsideFilter(
            "The change would put this row outside the rows you may change."
        )


def _run(table: Table, labels: Mapping[str, str] | None, work):
    """Run ``work`` in one transaction: commit, or roll back and explain."""
    try:
        result = work()
        db.session.commit()
        forget_choices(table)
        return result
    except (IntegrityError, DataError) as exc:
        db.session.rollback()
        raise field_errors_from(table, exc, labels) from None
    except DBAPIError as exc:
        db.session.rollback()
        if exc.connection_invalidated or exc.__class__.__name__ == "OperationalError":
            raise
        raise field_errors_from(table, exc, labels) from None
    except BaseException:
        db.session.rollback()
        raise


AccessFor = Callable[[Table], TableAccess]


def insert_row(
    table: Table,
    access: TableAccess,
    values: Mapping[str, Any],
    actor: str,
    access_for: AccessFor,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Insert one row (audited) and return its primary key."""
    check_values(table, access, values, creating=True)

    def work() -> dict[str, Any]:
        check_unique(table, values, None, labels, access)
        check_references(table, values, access_for, labels)
        result = db.session.execute(insert_statement(table, values))
        generated = result.inserted_primary_key or ()
        pk = {}
        for col, value in zip(pk_columns(table), generated, strict=False):
            pk[col.name] = values.get(col.name, value)
        for col in pk_columns(table):
            pk.setdefault(col.name, values.get(col.name))
        _after_check(table, access, pk, "create")
        new = {**pk, **{k: v for k, v in values.items() if v is not None}}
        write_audit([audit_entry(table, pk, "create", actor, None, new)])
        return pk

    pk = _run(table, labels, work)
    log.info("create %s %s by %s", table_key(table), row_key(table, pk), actor)
    return pk


def update_row(
    table: Table,
    access: TableAccess,
    pk: Mapping[str, Any],
    values: Mapping[str, Any],
    original: Mapping[str, Any],
    actor: str,
    access_for: AccessFor,
    labels: Mapping[str, str] | None = None,
    before: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Update one row if nobody changed it since ``original`` (audited).

    ``before`` is the row as already read in this transaction (saves a second
    read; the concurrency predicate still decides). Raises Conflict (with the
    current row), RowGone, OutsideFilter or FieldErrors; returns the new values of
    the columns that changed.
    """
    check_values(table, access, values, creating=False)

    def work() -> dict[str, Any]:
        nonlocal before
        if before is None:
            before = read_row(table, access, pk, "update")
        if before is None:
            raise RowGone()
        old, new = _changed(before, values, values.keys())
        check_unique(table, new, pk, labels, access)
        check_references(table, new, access_for, labels)
        stmt, params = update_template(
            table, pk, values, original, access=access, action="update"
        )
        if db.session.execute(stmt, params).rowcount != 1:
            raise _why_not(table, access, pk)
        _after_check(table, access, pk, "update")
        if new:
            write_audit([audit_entry(table, pk, "update", actor, old, new)])
        return new

    new = _run(table, labels, work)
    log.info(
        "update %s %s by %s: %s",
        table_key(table),
        row_key(table, pk),
        actor,
        ", ".join(new) or "no change",
    )
    return new


def _why_not(table: Table, access: TableAccess, pk: Mapping[str, Any]) -> WriteError:
    current = read_row(table, access, pk)
    if current is None:
        return RowGone()
    return Conflict(current)


def _reference_names(
    child: Table, cons: ForeignKeyConstraint, child_access: TableAccess
) -> tuple[str, str]:
    """("Assets (ops.assets)", " through Assigned to") for a delete refusal: the
    referencing table by its catalog label and key, and the referencing column by
    its label unless it is hidden from the caller."""
    key = table_key(child)
    info = None
    if has_app_context():
        from app.catalog import get_catalog  # the catalog is built per app

        info = get_catalog().get(key)
    where = f"{info.label} ({key})" if info is not None and info.label != key else key
    names = [el.parent.name for el in cons.elements]
    hidden = child_access.hidden_columns
    if info is not None:
        hidden = hidden | {n for n, c in info.columns.items() if c.hidden}
    if any(n in hidden for n in names):
        return where, ""
    if info is not None:
        names = [info.columns[n].label if n in info.columns else n for n in names]
    return where, " through " + ", ".join(names)


def references_to(table: Table, pk: Mapping[str, Any], access_for: Any) -> list[str]:
    """Plain-words reasons why deleting the row would orphan other rows."""
    reasons: list[str] = []
    row = (
        db.session.execute(select(table).where(pk_clause(table, pk))).mappings().first()
    )
    if row is None:
        return reasons
    for child in table.metadata.tables.values():
        for cons in child.foreign_key_constraints:
            if cons.referred_table is not table:
                continue
            if (cons.ondelete or "").upper() in {"CASCADE", "SET NULL", "SET DEFAULT"}:
                continue
            match = [el.parent == row[el.column.name] for el in cons.elements]
            child_access = access_for(child)
            total_stmt = select(func.count()).select_from(
                select(child).where(*match).limit(REFERENCE_COUNT_CAP + 1).subquery()
            )
            total = db.session.execute(total_stmt).scalar() or 0
            if not total:
                continue
            if not child_access.allows("read"):
                reasons.append(
                    "Rows in a table you cannot see still point at this row."
                )
                continue
            visible = total
            if child_access.row_filter is not None:
                visible_stmt = select(func.count()).select_from(
                    select(child)
                    .where(*match, child_access.row_filter)
                    .limit(REFERENCE_COUNT_CAP + 1)
                    .subquery()
                )
                visible = db.session.execute(visible_stmt).scalar() or 0
            shown = f"{visible:,}" if visible <= REFERENCE_COUNT_CAP else "10,000+"
            what = "row" if visible == 1 else "rows"
            verb = "points" if visible == 1 else "point"
            where, through = _reference_names(child, cons, child_access)
            if visible:
                text = f"{shown} {what} in {where} still {verb} at this row{through}"
                text += " (and rows you cannot see)." if visible < total else "."
            else:
                text = f"Rows in {where} that you cannot see still point at this row"
                text += f"{through}."
            reasons.append(text)
    return reasons


def delete_row(
    table: Table,
    access: TableAccess,
    pk: Mapping[str, Any],
    original: Mapping[str, Any],
    actor: str,
    access_for: AccessFor,
) -> None:
    """Delete one row if unchanged since ``original`` and nothing points at it."""

    def work() -> None:
        before = read_row(table, access, pk, "delete")
        if before is None:
            raise RowGone()
        reasons = references_to(table, pk, access_for)
        if reasons:
            raise DeleteRefused(reasons)
        where = _visible(access, "delete")
        stmt = delete_statement(table, pk, original, *where)
        if db.session.execute(stmt).rowcount != 1:
            raise _why_not(table, access, pk)
        old = {k: before[k] for k in _audit_columns(table)}
        write_audit([audit_entry(table, pk, "delete", actor, old, None)])

    try:
        _run(table, None, work)
    except FieldErrors as exc:
        # The database refused although our count found nothing (e.g. a foreign key
        # not in the models): say so plainly.
        if any(
            "refers to" in m or "rule" in m for ms in exc.errors.values() for m in ms
        ):
            raise DeleteRefused(
                ["Other rows still point at this row; the database refused the delete."]
            ) from None
        raise
    log.info("delete %s %s by %s", table_key(table), row_key(table, pk), actor)


__all__ = [
    "Conflict",
    "DeleteRefused",
    "FieldErrors",
    "OutsideFilter",
    "RowGone",
    "WriteError",
    "check_references",
    "check_unique",
    "delete_row",
    "editable_columns",
    "insert_row",
    "read_row",
    "server_managed",
    "update_row",
]


# --- foreign-key choices for forms --------------------------------------------------

SMALL_TABLE_ROWS = 200
LOOKUP_LIMIT = 20


def _label_expr(ref: Table, label_columns: Sequence[str], key: Column):
    cols = [ref.c[name] for name in label_columns if name in ref.c] or [key]
    return cols


CHOICES_TTL = 10.0  # seconds a choice list is reused (GET form, then its POST)
CHOICES_CACHE_SIZE = 512


def _filter_shape(where: Sequence[ColumnElement[bool]]) -> tuple:
    """The row filter as (SQL text, parameter values): equal shapes see equal rows."""
    shape: list[Any] = []
    for term in where:
        compiled = term.compile()
        shape += [str(compiled), tuple(repr(v) for v in compiled.params.values())]
    return tuple(shape)


def reference_choices(
    ref: Table,
    key_column: str,
    label_columns: Sequence[str],
    access: TableAccess,
    limit: int = SMALL_TABLE_ROWS,
) -> list[tuple[Any, str]] | None:
    """(key, label) of every visible row of a small referenced table, or None when
    it has more than ``limit`` rows (the form then offers a lookup instead).

    Lists are reused for ``CHOICES_TTL`` seconds per table, columns, hidden columns
    and row-filter shape, so a form's GET and its POST query once. A row added in
    the meantime shows up after the TTL; what is saved is still checked against the
    caller's filter by ``check_references``."""
    if not access.allows("read"):
        return None
    if not has_app_context():
        return _reference_choices(ref, key_column, label_columns, access, limit)
    key = (
        table_key(ref),
        id(ref),
        key_column,
        tuple(label_columns),
        tuple(sorted(access.hidden_columns)),
        _filter_shape(_visible(access)),
        limit,
    )
    cache = _choices_cache()
    now = time.monotonic()
    cached = cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    found = _reference_choices(ref, key_column, label_columns, access, limit)
    if len(cache) >= CHOICES_CACHE_SIZE:
        cache.clear()
    cache[key] = (now + CHOICES_TTL, found)
    return found


def _choices_cache() -> dict[tuple, tuple[float, list[tuple[Any, str]] | None]]:
    """This app's choice lists (per app: each app has its own database)."""
    return current_app.extensions.setdefault("tablefront.fk_choices", {})


def forget_choices(table: Table) -> None:
    """Drop cached choice lists of ``table`` after this process wrote to it."""
    if not has_app_context():
        return
    cache = _choices_cache()
    for key in [k for k in cache if k[1] == id(table)]:
        cache.pop(key, None)


def _reference_choices(
    ref: Table,
    key_column: str,
    label_columns: Sequence[str],
    access: TableAccess,
    limit: int,
) -> list[tuple[Any, str]] | None:
    key = ref.c[key_column]
    hidden = set(access.hidden_columns)
    label_cols = _label_expr(ref, [c for c in label_columns if c not in hidden], key)
    stmt = (
        select(key, *label_cols)
        .where(*_visible(access))
        .order_by(*label_cols, key)
        .limit(limit + 1)
    )
    rows = db.session.execute(stmt).all()
    if len(rows) > limit:
        return None
    return [(r[0], _label(r[1:], r[0])) for r in rows]


def _label(parts: Sequence[Any], key: Any) -> str:
    text = " ".join(str(p) for p in parts if p is not None and str(p) != "")
    return f"{text} ({key})" if text and text != str(key) else str(key)


def reference_lookup(
    ref: Table,
    key_column: str,
    label_columns: Sequence[str],
    access: TableAccess,
    text: str,
    limit: int = LOOKUP_LIMIT,
) -> list[tuple[Any, str]]:
    """Rows of ``ref`` whose label words or key match ``text`` (app.data.lookups)."""
    from app.data.lookups import reference_lookup as lookup

    return lookup(ref, key_column, label_columns, access, text, limit)
