"""``flask tablefront db status``: can the app reach its database, and does it match?

Prints the backend, the driver (for pyodbc: the ODBC driver and whether it is
installed), the server version, the schema map, which mapped tables each schema has,
and the drift check of the generated models when the generator is available. Exits
1 when the database cannot be reached. Passwords never appear in the output.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

import click
from flask import Flask, current_app
from sqlalchemy import URL, inspect
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.cli import tablefront_cli
from app.extensions import db

log = logging.getLogger(__name__)


@dataclass
class SchemaStatus:
    """Mapped tables of one logical schema, and which the database lacks."""

    logical: str
    physical: str
    expected: list[str]
    missing: list[str] = field(default_factory=list)


@dataclass
class DatabaseStatus:
    """Everything `db status` reports."""

    url: str
    backend: str
    driver: str
    odbc_driver: str | None = None
    odbc_driver_installed: bool | None = None
    reachable: bool = False
    error: str | None = None
    server_version: str | None = None
    connect_ms: float | None = None
    schema_map: dict[str, str] = field(default_factory=dict)
    schemas: list[SchemaStatus] = field(default_factory=list)
    drift: str = "drift check: not available"


def explain_connect_error(exc: BaseException) -> str:
    """One plain sentence on why connecting failed (no SQL, no password)."""
    text = str(getattr(exc, "orig", exc) or exc)
    if "IM002" in text or "Can't open lib" in text or "Data source name not" in text:
        return (
            "the ODBC driver named in the connection settings is not installed "
            "(TABLEFRONT_DB_DRIVER)"
        )
    if "circuit breaker open" in text:
        return (
            "recent connects failed, so this process is not trying again for a "
            "while (circuit breaker open: TABLEFRONT_DB_BREAKER_*)"
        )
    if "did not finish within" in text:
        return (
            "the server did not complete the login within the connect deadline "
            "(TABLEFRONT_DB_CONNECT_DEADLINE)"
        )
    if "HYT00" in text or "timeout" in text.lower() or "Timeout expired" in text:
        return "the server did not answer within the login timeout"
    if "08S01" in text or "08001" in text or "refused" in text.lower():
        return "the server could not be reached (wrong name/port, down, or firewall)"
    if "18456" in text or "28000" in text:
        return "the server refused the login (check the app pool identity's grant)"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return f"{exc.orig.__class__.__name__}: {text.splitlines()[0][:200]}"
    return f"{exc.__class__.__name__}: {text.splitlines()[0][:200] if text else ''}"


def _odbc_driver(url: URL) -> tuple[str | None, bool | None]:
    if url.get_backend_name() != "mssql" or url.get_driver_name() != "pyodbc":
        return None, None
    driver = url.query.get("driver")
    if not driver:
        return "(from the DSN)", None
    try:
        import pyodbc
    except ImportError:
        return str(driver), False
    return str(driver), driver in pyodbc.drivers()


def _server_version(connection) -> str:
    dialect = connection.dialect
    version = ".".join(str(p) for p in dialect.server_version_info or ())
    if dialect.name == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return f"{dialect.name} {version}".strip()


def _schema_statuses(connection, schema_map: dict[str, str]) -> list[SchemaStatus]:
    by_schema: dict[str, list[str]] = defaultdict(list)
    for table in db.metadata.tables.values():
        by_schema[table.schema or ""].append(table.name)
    inspector = inspect(connection)
    statuses = []
    for logical, tables in sorted(by_schema.items()):
        physical = schema_map.get(logical, logical) or None
        try:
            present = {n.lower() for n in inspector.get_table_names(schema=physical)}
            present |= {n.lower() for n in inspector.get_view_names(schema=physical)}
        except SQLAlchemyError:
            present = set()
        missing = sorted(t for t in tables if t.lower() not in present)
        statuses.append(
            SchemaStatus(
                logical or "(default)", physical or "(default)", tables, missing
            )
        )
    return statuses


def _drift(app: Flask, url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return "drift check: skipped (the embedded database is built from the models)"
    try:
        from app.codegen.drift import compare_metadata, load_models
        from app.codegen.models_folder import generate_sources, read_generated
        from app.codegen.sources import source_from_database
    except ImportError:
        return "drift check: not available"
    from pathlib import Path

    folder = Path(app.root_path) / "models" / "generated"
    try:
        source = source_from_database(url, None, None, app.config.get("SCHEMA_MAP"))
        new = generate_sources(source)
    except SQLAlchemyError as exc:
        return f"drift check: failed ({explain_connect_error(exc)})"
    old = read_generated(folder)
    if old == new:
        return "drift check: models match the database"
    changes = compare_metadata(
        load_models(old, configure=False).metadata,
        load_models(new, configure=False).metadata,
        source.bind.dialect,
    )
    lines = "\n".join(f"  {c}" for c in changes) or "  (formatting only)"
    return (
        "drift check: models differ from the database (run `flask tablefront "
        f"models generate --check` for the diff)\n{lines}"
    )


def database_status(app: Flask, drift: bool = True) -> DatabaseStatus:
    """Connect once and describe the database; never raises for connect errors."""
    url: URL = app.config["SQLALCHEMY_DATABASE_URI"]
    schema_map = dict(app.config.get("SCHEMA_MAP") or {})
    status = DatabaseStatus(
        url=url.render_as_string(hide_password=True),
        backend=url.get_backend_name(),
        driver=url.get_driver_name(),
        schema_map=schema_map,
    )
    status.odbc_driver, status.odbc_driver_installed = _odbc_driver(url)
    started = time.perf_counter()
    try:
        with db.engine.connect() as connection:
            status.connect_ms = round((time.perf_counter() - started) * 1000, 1)
            status.reachable = True
            status.server_version = _server_version(connection)
            status.schemas = _schema_statuses(connection, schema_map)
    except (SQLAlchemyError, OSError) as exc:
        status.error = explain_connect_error(exc)
        log.warning("db status: database unreachable: %s", status.error)
        return status
    if drift:
        status.drift = _drift(app, url)
    return status


def format_status(status: DatabaseStatus) -> list[str]:
    """The report lines `db status` prints."""
    lines = [f"database: {status.url}", f"backend: {status.backend} ({status.driver})"]
    if status.odbc_driver is not None:
        installed = {True: "installed", False: "NOT INSTALLED", None: "unknown"}
        lines.append(
            f"ODBC driver: {status.odbc_driver} "
            f"({installed[status.odbc_driver_installed]})"
        )
    mapping = ", ".join(f"{k}={v}" for k, v in sorted(status.schema_map.items()))
    lines.append(f"schema map: {mapping or '(none: physical names = logical names)'}")
    if not status.reachable:
        lines.append(f"connection: FAILED: {status.error}")
        return lines
    lines.append(f"connection: ok in {status.connect_ms} ms")
    lines.append(f"server version: {status.server_version}")
    for schema in status.schemas:
        found = len(schema.expected) - len(schema.missing)
        line = (
            f"schema {schema.logical} -> {schema.physical}: "
            f"{found}/{len(schema.expected)} tables present"
        )
        if schema.missing:
            line += f" (missing: {', '.join(schema.missing)})"
        lines.append(line)
    lines.append(status.drift)
    return lines


@tablefront_cli.group("db")
def db_cli() -> None:
    """The configured database."""


@db_cli.command("status")
@click.option("--no-drift", is_flag=True, help="Skip the (slower) drift check.")
def status_command(no_drift: bool) -> None:
    """Report connectivity, driver, server version, schema map and drift."""
    status = database_status(current_app._get_current_object(), drift=not no_drift)
    for line in format_status(status):
        click.echo(line)
    if not status.reachable:
        sys.exit(1)
