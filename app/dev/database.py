"""The development database for whatever models are generated, not only the demo's.

``build_sample_database`` creates the embedded SQLite files (one per schema) from the
current models and fills every table with synthetic rows (``app.dev.sample_rows``) or
with rows copied from a live server (``app.dev.copy_rows``). Views come from the CREATE
VIEW text of the scripts the models were generated from, translated for SQLite; a
view SQLite can't hold (it joins schemas, or its T-SQL has no SQLite form) becomes a
table of sample rows with the view's columns, still read-only in the app.

A marker file (``dev.json``) records the models' fingerprint: development start-up
rebuilds the database when the models change, and reads only that file otherwise.
The demo (``sql/demo`` and its seed) is the case where the models are the demo's;
the demo seed never runs against other models.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from flask import Flask
from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

from app.demo.commands import MARKER_FILE as DEMO_MARKER
from app.demo.commands import (
    embedded_dir,
    ensure_demo_database,
    remove_database,
    view_definitions,
)
from app.dev.sample_rows import SampleReport, fill_sample_rows
from app.embedded import EMBEDDED_DDL_VERSION
from app.extensions import db
from app.models.audit import APP_SCHEMA

log = logging.getLogger(__name__)

MARKER_FILE = "dev.json"
DEFAULT_ROWS = 50
DEMO_TABLES = frozenset(
    {"hr.departments", "hr.employees", "ops.tickets", "sales.orders"}
)


@dataclass
class SampleBuild:
    """What ``build_sample_database`` did."""

    created: bool
    db_dir: Path
    rows: int
    report: SampleReport = field(default_factory=SampleReport)
    view_tables: list[str] = field(default_factory=list)
    seconds: float = 0.0
    source: str = "sample"


def company_tables() -> list[Table]:
    """The generated (company) tables, views included, without Tablefront's own."""
    return [t for t in db.metadata.sorted_tables if t.schema != APP_SCHEMA]


def models_fingerprint(tables: list[Table]) -> str:
    """A digest of the tables, columns and types: it changes when the models do."""
    digest = hashlib.sha256()
    for table in sorted(tables, key=lambda t: t.fullname):
        digest.update(table.fullname.encode())
        for column in table.columns:
            digest.update(f"|{column.name}:{column.type!r}:{column.nullable}".encode())
    return digest.hexdigest()[:16]


def recorded_scripts() -> list[Path]:
    """The T-SQL scripts the current models were generated from, if recorded."""
    from app.codegen.models_folder import recorded_source
    from app.models import generated

    _url, scripts = recorded_source(Path(generated.__file__).resolve().parent)
    return scripts


def models_are_demo() -> bool:
    """True when the generated models are the demo's (so the demo seed fits them)."""
    from app.demo.commands import DEMO_SQL_DIR

    scripts = recorded_scripts()
    if scripts:
        return [p.resolve() for p in scripts] == [DEMO_SQL_DIR.resolve()]
    names = {t.fullname for t in company_tables()}
    return names >= DEMO_TABLES


def read_marker(db_dir: Path) -> dict | None:
    """The marker of a finished sample build, or None."""
    try:
        return json.loads((db_dir / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build_sample_database(
    app: Flask,
    rows: int = DEFAULT_ROWS,
    force: bool = False,
    seed: int = 1,
    sample_from: str | None = None,
) -> SampleBuild:
    """Create the tables of the current models and fill them, unless already done."""
    db_dir = embedded_dir(app)
    with app.app_context():
        tables = company_tables()
        fingerprint = models_fingerprint(tables)
        marker = read_marker(db_dir)
        if (
            not force
            and marker
            and marker.get("models") == fingerprint
            and marker.get("ddl_version") == EMBEDDED_DDL_VERSION
        ):
            return SampleBuild(False, db_dir, int(marker.get("rows", rows)))
        started = time.perf_counter()
        (db_dir / DEMO_MARKER).unlink(missing_ok=True)
        (db_dir / MARKER_FILE).unlink(missing_ok=True)
        remove_database(db_dir, app)
        build = SampleBuild(True, db_dir, rows)
        with db.engine.begin() as connection:
            plain = [t for t in db.metadata.sorted_tables if not t.info.get("is_view")]
            db.metadata.create_all(connection, tables=plain)
            build.view_tables = create_views(connection, app, tables)
            filled = [
                t
                for t in tables
                if not t.info.get("is_view") or t.fullname in build.view_tables
            ]
            if sample_from:
                from app.dev.copy_rows import copy_rows

                build.report = copy_rows(connection, filled, sample_from, rows)
                build.source = "copied"
            else:
                build.report = fill_sample_rows(connection, filled, rows, seed)
        build.seconds = time.perf_counter() - started
    marker = {
        "models": fingerprint,
        "ddl_version": EMBEDDED_DDL_VERSION,
        "rows": rows,
        "source": build.source,
        "total_rows": build.report.total,
        "created_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    (db_dir / MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    log.info(
        "development database built in %s: %d rows in %d tables, %.1f s",
        db_dir,
        build.report.total,
        len(build.report.rows),
        build.seconds,
    )
    return build


def create_views(connection: Connection, app: Flask, tables: list[Table]) -> list[str]:
    """Create each view from its script; return the views made as sample tables."""
    schema_map = dict(app.config.get("SCHEMA_MAP") or {})
    definitions: dict[tuple[str, str], str] = {}
    for folder in recorded_scripts():
        if folder.is_dir():
            definitions.update(view_definitions(folder))
    folded = {
        (s.casefold(), n.casefold()): text for (s, n), text in definitions.items()
    }
    stand_ins = []
    for table in tables:
        if not table.info.get("is_view"):
            continue
        select = folded.get(((table.schema or "").casefold(), table.name.casefold()))
        physical = schema_map.get(table.schema, table.schema)
        if select and _create_view(connection, table, physical, select):
            continue
        log.warning(
            "view %s is a table of sample rows on SQLite (its T-SQL has no SQLite "
            "form here)",
            table.fullname,
        )
        table.create(connection)
        stand_ins.append(table.fullname)
    return stand_ins


def _create_view(
    connection: Connection, table: Table, physical: str | None, select: str
) -> bool:
    """Try the view's SELECT translated for SQLite, inside its own schema file."""
    try:
        tree = sqlglot.parse_one(select, read="tsql")
    except sqlglot.errors.SqlglotError:
        return False
    schemas = {t.db for t in tree.find_all(sqlglot.exp.Table) if t.db}
    if {s.casefold() for s in schemas} - {(table.schema or "").casefold()}:
        return False  # a view in an ATTACHed file may name only its own file's tables
    for ref in tree.find_all(sqlglot.exp.Table):
        ref.set("db", None)
    sql = tree.sql(dialect="sqlite")
    name = f'"{physical}"."{table.name}"' if physical else f'"{table.name}"'
    savepoint = connection.begin_nested()
    try:
        connection.exec_driver_sql(f"CREATE VIEW {name} AS {sql}")
    except DBAPIError as exc:
        savepoint.rollback()
        log.info("view %s: SQLite refuses %s: %s", table.fullname, sql, exc.orig)
        return False
    savepoint.commit()
    return True


def ensure_embedded_database(app: Flask) -> None:
    """Development start-up: the demo for the demo's models, sample rows otherwise.

    Built once (again when the models or the embedded DDL change); afterwards start-up
    reads one marker file.
    """
    db_dir = embedded_dir(app)
    with app.app_context():
        marker = read_marker(db_dir)
        sampled = bool(marker) and marker.get("models") == models_fingerprint(
            company_tables()
        )
        demo = models_are_demo()
    if demo and not sampled:  # `dev init` on the demo's models chose sample rows
        ensure_demo_database(app)
        return
    build = build_sample_database(
        app, rows=app.config.get("DEV_SAMPLE_ROWS") or DEFAULT_ROWS
    )
    if build.created:
        log.info(
            "models are not the demo's: built a development database with sample "
            "rows in %s",
            build.db_dir,
        )
