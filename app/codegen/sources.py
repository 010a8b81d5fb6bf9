"""The table definitions to generate models from, and the choice of tables.

A ``Source`` is MetaData plus the bind whose dialect renders it, from one of:

- T-SQL scripts (``source_from_ddl``: a file or a folder of ``*.sql``), read by
  ``app.codegen.tsql_ddl.metadata_from_tsql``; no server needed, rendered with the
  mssql dialect;
- a live database (``source_from_database``: any SQLAlchemy URL). For SQLite the
  schemas are the sibling files ``<schema>.db`` next to the URL's file, ATTACHed as
  ``<schema>`` (the embedded layout).

Reflection runs one ``MetaData.reflect`` per schema; on SQL Server it also reads what
reflection does not see (triggers, temporal period columns and history tables, CLR
type names, view dependencies) from the catalog views. Physical schema names are
mapped back to logical ones through the schema map so models keep logical names.
``select_tables`` narrows a source to the asked-for schemas and tables (matched
case-insensitively, an unknown name refused) plus every table they reference.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from sqlalchemy import (
    URL,
    MetaData,
    Select,
    create_engine,
    create_mock_engine,
    event,
    select,
    sql,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.schema import Table

from app.codegen.generator import (
    DEPENDS_INFO_KEY,
    TRIGGERS_INFO_KEY,
    VIEW_INFO_KEY,
)
from app.mssql_types import (
    HISTORY_OF_INFO_KEY,
    HISTORY_TABLE_INFO_KEY,
    PERIOD_INFO_KEY,
    PERIOD_KINDS,
    SQL_TYPE_INFO_KEY,
)

log = logging.getLogger(__name__)

APP_OWNED_SCHEMA = "tablefront"  # hand-written models (app/models/audit.py)
SYSTEM_SCHEMAS = {
    "main",
    "temp",
    "information_schema",
    "sys",
    "guest",
    "db_owner",
    "db_accessadmin",
    "db_securityadmin",
    "db_ddladmin",
    "db_backupoperator",
    "db_datareader",
    "db_datawriter",
    "db_denydatareader",
    "db_denydatawriter",
}
MSSQL_TRIGGERS = text(
    "SELECT s.name AS schema_name, t.name AS table_name FROM sys.triggers AS tr "
    "JOIN sys.tables AS t ON tr.parent_id = t.object_id "
    "JOIN sys.schemas AS s ON t.schema_id = s.schema_id"
)

# Read as triggers are: ordinary reflection sees neither the period columns of temporal
# tables (generated_always_type 1/2) nor the names of CLR types (reflected NullType).
MSSQL_SPECIAL_COLUMNS = text(
    "SELECT s.name AS schema_name, t.name AS table_name, c.name AS column_name, "
    "ty.name AS type_name, c.generated_always_type AS generated_always "
    "FROM sys.columns AS c JOIN sys.tables AS t ON c.object_id = t.object_id "
    "JOIN sys.schemas AS s ON t.schema_id = s.schema_id "
    "JOIN sys.types AS ty ON c.user_type_id = ty.user_type_id "
    "WHERE c.generated_always_type IN (1, 2) OR ty.is_assembly_type = 1"
)
MSSQL_HISTORY_TABLES = text(
    "SELECT s.name AS schema_name, t.name AS table_name, "
    "hs.name AS history_schema, h.name AS history_name "
    "FROM sys.tables AS t JOIN sys.schemas AS s ON t.schema_id = s.schema_id "
    "JOIN sys.tables AS h ON t.history_table_id = h.object_id "
    "JOIN sys.schemas AS hs ON h.schema_id = hs.schema_id "
    "WHERE t.temporal_type = 2"
)


def mssql_view_dependencies() -> Select:
    """(view schema, view, referenced schema, referenced name) for every view that
    reads a table or view of this database, from ``sys.sql_expression_dependencies``.

    ``referenced_id`` is resolved through ``sys.objects`` rather than trusting
    ``referenced_schema_name``, which is NULL when the view names a table without
    its schema; references to other databases have no ``referenced_id`` and drop out.
    """
    dependencies = sql.table(
        "sql_expression_dependencies",
        sql.column("referencing_id"),
        sql.column("referenced_id"),
        schema="sys",
    )
    views = sql.table(
        "views",
        sql.column("object_id"),
        sql.column("schema_id"),
        sql.column("name"),
        schema="sys",
    )
    objects = sql.table(
        "objects",
        sql.column("object_id"),
        sql.column("schema_id"),
        sql.column("name"),
        sql.column("type"),
        schema="sys",
    )
    schemas = sql.table(
        "schemas", sql.column("schema_id"), sql.column("name"), schema="sys"
    )
    view_schema, referenced_schema = schemas.alias("vs"), schemas.alias("rs")
    return (
        select(
            view_schema.c.name.label("view_schema"),
            views.c.name.label("view_name"),
            referenced_schema.c.name.label("referenced_schema"),
            objects.c.name.label("referenced_name"),
        )
        .distinct()
        .select_from(
            dependencies.join(views, dependencies.c.referencing_id == views.c.object_id)
            .join(view_schema, views.c.schema_id == view_schema.c.schema_id)
            .join(objects, dependencies.c.referenced_id == objects.c.object_id)
            .join(
                referenced_schema,
                objects.c.schema_id == referenced_schema.c.schema_id,
            )
        )
        .where(objects.c.type.in_(["U", "V"]))  # user tables and views only
    )


def record_view_dependencies(
    metadata: MetaData, rows: Iterable[Any], to_logical: Mapping[str, str]
) -> None:
    """Store each view's dependencies (logical ``schema.name``) in its table.info."""
    by_view: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        schema = to_logical.get(row.referenced_schema, row.referenced_schema)
        by_view.setdefault((row.view_schema, row.view_name), set()).add(
            f"{schema}.{row.referenced_name}".lower()
        )
    for table in metadata.tables.values():
        found = by_view.get((table.schema, table.name))
        if found and table.info.get(VIEW_INFO_KEY):
            table.info[DEPENDS_INFO_KEY] = sorted(found)


@dataclass
class Source:
    """Table definitions to generate from, plus the bind whose dialect renders them."""

    metadata: MetaData
    bind: Any
    dialect_name: str


def split_names(value: str | None) -> list[str]:
    """``"hr, ops"`` -> ``["hr", "ops"]``."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class UnknownNames(click.UsageError):
    """Asked-for schemas or tables that the source does not have (exit 2)."""


def match_names(requested: Iterable[str], known: Iterable[str], kind: str) -> list[str]:
    """The source's spelling of each requested name, matched case-insensitively.

    SQL Server's default collation compares names case-insensitively, so ``saleslt``
    means ``SalesLT``. A name with no match is refused, naming what does exist, so a
    typo can never produce an empty run that deletes every generated model.
    """
    by_folded: dict[str, str] = {}
    for name in known:
        by_folded.setdefault(name.casefold(), name)
    matched, unknown = [], []
    for name in requested:
        found = by_folded.get(name.casefold())
        if found is None:
            unknown.append(name)
        elif found not in matched:
            matched.append(found)
    if unknown:
        choices = ", ".join(sorted(by_folded.values(), key=str.casefold)) or "none"
        raise UnknownNames(
            f"unknown {kind} {', '.join(map(repr, unknown))}; the source has: {choices}"
        )
    return matched


def _is_system_schema(name: str) -> bool:
    return name.lower() in SYSTEM_SCHEMAS or name.lower().startswith("pg_")


def sqlite_engine(url: URL, schemas: Iterable[str] | None = None) -> Engine:
    """An engine that ATTACHes ``<dir>/<schema>.db`` for each schema (all if None)."""
    main = Path(url.database or "").resolve()
    folder = main.parent
    if schemas:
        names = list(schemas)
    else:
        names = sorted(p.stem for p in folder.glob("*.db") if p.resolve() != main)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection: Any, _record: Any) -> None:
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            dbapi_connection.execute(
                f"ATTACH DATABASE ? AS {quoted}", (str(folder / f"{name}.db"),)
            )

    return engine


def reflect(
    engine: Engine,
    schemas: list[str] | None = None,
    tables: list[str] | None = None,
    schema_map: Mapping[str, str] | None = None,
) -> MetaData:
    """Reflect the chosen schemas (physical names) into logical-named MetaData."""
    schema_map = dict(schema_map or {})
    to_physical = schema_map
    to_logical = {physical: logical for logical, physical in schema_map.items()}
    physical_md = MetaData()
    with engine.connect() as conn:
        inspector = sa_inspect(conn)
        user_schemas = [
            s
            for s in inspector.get_schema_names()
            if not _is_system_schema(s) and to_logical.get(s, s) != APP_OWNED_SCHEMA
        ]
        if schemas:
            logical = [to_logical.get(s, s) for s in user_schemas]
            physical = [
                to_physical.get(s, s) for s in match_names(schemas, logical, "schema")
            ]
        else:
            physical = user_schemas
        views: set[tuple[str, str]] = set()
        for schema in sorted(physical):
            only = None
            if tables:
                wanted = {t.casefold() for t in tables}
                only = lambda name, _md, wanted=wanted: name.casefold() in wanted  # noqa: E731
            log.info("reflecting schema %s", schema)
            physical_md.reflect(bind=conn, schema=schema, views=True, only=only)
            views |= {(schema, v) for v in inspector.get_view_names(schema=schema)}
        triggers: set[tuple[str, str]] = set()
        special: list[Any] = []
        histories: list[Any] = []
        dependencies: list[Any] = []
        if engine.dialect.name == "mssql":
            triggers = {
                (r.schema_name, r.table_name) for r in conn.execute(MSSQL_TRIGGERS)
            }
            special = list(conn.execute(MSSQL_SPECIAL_COLUMNS))
            histories = list(conn.execute(MSSQL_HISTORY_TABLES))
            dependencies = list(conn.execute(mssql_view_dependencies()))
    mark_special_columns(physical_md, special, histories, to_logical)
    for table in physical_md.tables.values():
        if (table.schema, table.name) in views:
            table.info[VIEW_INFO_KEY] = True
        if (table.schema, table.name) in triggers:
            table.info[TRIGGERS_INFO_KEY] = True
    record_view_dependencies(physical_md, dependencies, to_logical)
    if not to_logical:
        return physical_md
    logical_md = MetaData()
    for table in physical_md.tables.values():
        copy = table.to_metadata(
            logical_md,
            schema=to_logical.get(table.schema, table.schema),
            referred_schema_fn=lambda _t, _s, _c, referred: to_logical.get(
                referred, referred
            ),
        )
        copy.info.update(table.info)
    return logical_md


def mark_special_columns(
    metadata: MetaData,
    columns: Iterable[Any],
    histories: Iterable[Any],
    to_logical: Mapping[str, str],
) -> None:
    """Record period columns, CLR type names and history links in ``info``."""
    for row in columns:
        table = metadata.tables.get(f"{row.schema_name}.{row.table_name}")
        if table is None or row.column_name not in table.c:
            continue
        column = table.c[row.column_name]
        if row.generated_always in PERIOD_KINDS:
            column.info[PERIOD_INFO_KEY] = PERIOD_KINDS[row.generated_always]
        column.info.setdefault(SQL_TYPE_INFO_KEY, row.type_name)
    for row in histories:
        table = metadata.tables.get(f"{row.schema_name}.{row.table_name}")
        history = metadata.tables.get(f"{row.history_schema}.{row.history_name}")
        if table is None or history is None:
            continue
        logical = to_logical.get(row.schema_name, row.schema_name)
        history_logical = to_logical.get(row.history_schema, row.history_schema)
        table.info[HISTORY_TABLE_INFO_KEY] = f"{history_logical}.{row.history_name}"
        history.info[HISTORY_OF_INFO_KEY] = f"{logical}.{row.table_name}"


def _table_name(table: Table) -> str:
    return f"{table.schema}.{table.name}" if table.schema else table.name


def select_tables(
    metadata: MetaData,
    schemas: list[str] | None,
    tables: list[str] | None,
    exclude: list[str] | None = None,
) -> MetaData:
    """The chosen tables plus every table they reference (so foreign keys resolve).

    Names match case-insensitively and an unknown one is refused (``UnknownNames``).
    An excluded table is left out even when a chosen table references it; the foreign
    keys pointing at it are dropped from the copy, with a warning naming them.
    """
    if not schemas and not tables and not exclude:
        return metadata
    all_tables = list(metadata.tables.values())
    if schemas:
        known = {t.schema for t in all_tables if t.schema}
        schemas = match_names(schemas, known, "schema")
    in_schemas = [t for t in all_tables if not schemas or t.schema in schemas]
    if tables:
        known = {t.name for t in in_schemas}
        wanted = {name.casefold() for name in match_names(tables, known, "table")}
        chosen = [t for t in in_schemas if t.name.casefold() in wanted]
    else:
        chosen = in_schemas
    excluded = set(
        match_names(exclude or [], [_table_name(t) for t in all_tables], "table")
    )
    keep: dict[str, Table] = {}
    pending = [t for t in chosen if _table_name(t) not in excluded]
    while pending:
        table = pending.pop()
        if table.key in keep:
            continue
        keep[table.key] = table
        pending += [
            fk.column.table
            for fk in table.foreign_keys
            if _table_name(fk.column.table) not in excluded
        ]
    if not keep:
        raise UnknownNames("no tables left to generate after --exclude")
    selected = MetaData()
    for key in sorted(keep):
        copy = keep[key].to_metadata(selected)
        copy.info.update(keep[key].info)
    for table in selected.tables.values():
        for fkc in list(table.foreign_key_constraints):
            referred = fkc.elements[0].target_fullname.rsplit(".", 1)[0]
            if referred in excluded:
                message = (
                    f"{_table_name(table)}: foreign key "
                    f"({', '.join(fkc.column_keys)}) left out: it refers to "
                    f"excluded table {referred}"
                )
                log.warning("%s", message)
                click.echo(f"warning: {message}", err=True)
                _drop_foreign_key(table, fkc)
    return selected


def _drop_foreign_key(table: Table, fkc: Any) -> None:
    table.constraints.discard(fkc)
    for element in fkc.elements:
        element.parent.foreign_keys.discard(element)
        table.foreign_keys.discard(element)


def source_from_ddl(
    paths: list[Path],
    schemas: list[str] | None,
    tables: list[str] | None,
    exclude: list[str] | None = None,
) -> Source:
    """MetaData from T-SQL scripts, rendered with the mssql dialect (no server)."""
    from app.codegen.tsql_ddl import metadata_from_tsql

    metadata = metadata_from_tsql(paths)
    for key in [k for k, t in metadata.tables.items() if t.schema == APP_OWNED_SCHEMA]:
        metadata.remove(metadata.tables[key])
    bind = create_mock_engine(make_url("mssql+pyodbc://"), lambda *a, **k: None)
    return Source(select_tables(metadata, schemas, tables, exclude), bind, "mssql")


def source_from_database(
    url: URL,
    schemas: list[str] | None,
    tables: list[str] | None,
    schema_map: Mapping[str, str] | None = None,
    exclude: list[str] | None = None,
) -> Source:
    """MetaData reflected from a live database (SQLite: schema files ATTACHed)."""
    if url.get_backend_name() == "sqlite":
        # Every existing schema file: ATTACHing an asked-for name would create an
        # empty file for a typo; reflect() matches the names against what is there.
        engine = sqlite_engine(url)
    else:
        engine = create_engine(url)
    try:
        metadata = reflect(engine, schemas, tables, schema_map)
    finally:
        engine.dispose()
    return Source(
        select_tables(metadata, schemas, tables, exclude),
        engine,
        url.get_backend_name(),
    )
