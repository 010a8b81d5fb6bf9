"""``flask tablefront demo init``: build and seed the embedded demo database.

The embedded database is SQLite files (one per physical schema) created from the same
models the app maps on SQL Server, then filled by ``app.demo.seed.seed_database``. A
small marker file (``demo.json`` beside the schema files) records that seeding
finished, with the seed version, scale and the embedded DDL version
(``app.embedded.EMBEDDED_DDL_VERSION``): a second run does nothing, ``--force``
rebuilds, and the development app reads only that one file at start-up (no
reflection, no counting). A marker from older DDL (or none) means the tables on disk
are not what the models compile to today, so the demo is rebuilt — its edits are
lost, which is acceptable for demo data and better than inserts that fail. The app
never runs DDL on SQL Server or PostgreSQL: this command refuses any backend but SQLite.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import Connection, inspect

from app.cli import tablefront_cli
from app.embedded import EMBEDDED_DDL_VERSION
from app.extensions import db
from app.logs import CONSOLE_LOGGER
from config import PROJECT_ROOT

log = logging.getLogger(__name__)
# What the person who ran `flask run` sees while the first start builds the demo.
console = logging.getLogger(CONSOLE_LOGGER)

MARKER_FILE = "demo.json"
DEFAULT_SCALE = 1.0
DEMO_SQL_DIR = PROJECT_ROOT / "sql" / "demo"


class DemoError(click.ClickException):
    """The demo database cannot be built here; the message says why."""


@dataclass
class DemoResult:
    """What ``build_demo_database`` did."""

    created: bool
    db_dir: Path
    scale: float
    seconds: float = 0.0
    rows: int | None = None
    seeded: bool = True


def embedded_dir(app: Flask) -> Path:
    """The folder of the embedded database; DemoError if the app is not on SQLite."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    backend = url.get_backend_name() if hasattr(url, "get_backend_name") else str(url)
    if backend != "sqlite":
        raise DemoError(
            f"The configured database is {backend}, not the embedded SQLite database. "
            "Tablefront never creates or changes tables there: DBAs run the scripts "
            "in sql/ instead."
        )
    return Path(url.database).resolve().parent


def read_marker(db_dir: Path) -> dict[str, Any] | None:
    """The marker of a finished build, or None when there is none (or it is broken)."""
    try:
        return json.loads((db_dir / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def marker_is_current(marker: dict[str, Any] | None) -> bool:
    """True when the marker records a build made with today's embedded DDL."""
    # Markers written before the DDL was versioned carry no key: version 1.
    return bool(marker) and marker.get("ddl_version", 1) == EMBEDDED_DDL_VERSION


def _seed_version() -> str:
    try:
        from app.demo import seed
    except ImportError:
        return "none"
    return str(getattr(seed, "SEED_VERSION", "1"))


def _database_files(db_dir: Path, app: Flask) -> list[Path]:
    from app.database import MAIN_DB_FILE, physical_schemas

    names = [MAIN_DB_FILE] + [f"{s}.db" for s in physical_schemas(app.config)]
    files = []
    for name in names:
        files += [db_dir / name, db_dir / f"{name}-wal", db_dir / f"{name}-shm"]
    return files


def remove_database(db_dir: Path, app: Flask) -> None:
    """Delete the embedded database files of the current models and the marker."""
    db.engine.dispose()  # pooled connections hold the files open (Windows refuses)
    (db_dir / MARKER_FILE).unlink(missing_ok=True)
    for path in _database_files(db_dir, app):
        path.unlink(missing_ok=True)


def build_demo_database(
    app: Flask, scale: float = DEFAULT_SCALE, force: bool = False
) -> DemoResult:
    """Create the tables from the models and seed them, unless already done."""
    db_dir = embedded_dir(app)
    marker = read_marker(db_dir)
    if marker_is_current(marker) and not force:
        return DemoResult(False, db_dir, float(marker.get("scale", DEFAULT_SCALE)))
    if marker and not force:
        log.warning(
            "the demo database in %s was built with older table definitions "
            "(embedded DDL version %s): rebuilding it",
            db_dir,
            marker.get("ddl_version", 1),
        )
    started = time.perf_counter()
    with app.app_context():
        # No marker means never built or a build that died half-way: start clean.
        remove_database(db_dir, app)
        (db_dir / "dev.json").unlink(missing_ok=True)  # a sample build's marker
        with db.engine.begin() as connection:
            tables = [t for t in db.metadata.sorted_tables if not t.info.get("is_view")]
            db.metadata.create_all(connection, tables=tables)
            create_demo_views(connection, app)
            try:
                from app.demo.seed import seed_database
            except ImportError:
                log.warning("app.demo.seed is missing: demo tables created empty")
                seeded = False
            else:
                console.info(
                    "Building the demo database in %s (scale %s, first start only)...",
                    db_dir,
                    scale,
                )
                counts = seed_database(
                    connection, db.metadata, scale, progress=_say_seeded
                )
                seeded = True
        if not seeded:
            rows = 0
        elif isinstance(counts, dict):
            rows = sum(counts.values())
        else:
            rows = _count_rows()
    seconds = time.perf_counter() - started
    marker = {
        "seed_version": _seed_version() if seeded else "none",
        "ddl_version": EMBEDDED_DDL_VERSION,
        "scale": scale,
        "rows": rows,
        "created_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    (db_dir / MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    log.info(
        "demo database built in %s: scale %s, %d rows, %.1f s",
        db_dir,
        scale,
        rows,
        seconds,
    )
    console.info("Demo database ready: %s rows in %.1f s.", f"{rows:,}", seconds)
    return DemoResult(True, db_dir, scale, seconds, rows, seeded)


def _say_seeded(table: str, rows: int) -> None:
    console.info("  %-26s %9s rows", table, f"{rows:,}")


def _count_rows() -> int:
    from sqlalchemy import func, select

    total = 0
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        for table in db.metadata.sorted_tables:
            if inspector.has_table(table.name, schema=table.schema):
                total += connection.scalar(select(func.count()).select_from(table))
    return total


_VIEW_BATCH = re.compile(
    r"CREATE\s+(?:OR\s+ALTER\s+)?VIEW\s+\[?(\w+)\]?\.\[?(\w+)\]?\s+AS\s+(.*)",
    re.IGNORECASE | re.DOTALL,
)


def view_definitions(folder: Path = DEMO_SQL_DIR) -> dict[tuple[str, str], str]:
    """(schema, view) -> SELECT text, from the CREATE VIEW batches of sql/demo."""
    views: dict[tuple[str, str], str] = {}
    for path in sorted(folder.glob("*.sql")):
        for batch in re.split(r"^\s*GO\s*$", path.read_text("utf-8"), flags=re.M):
            body = "\n".join(
                line
                for line in batch.splitlines()
                if not line.lstrip().startswith("--")
            )
            match = _VIEW_BATCH.search(body)
            if match:
                schema, name, select = match.groups()
                views[(schema, name)] = select.strip().rstrip(";")
    return views


def create_demo_views(connection: Connection, app: Flask) -> None:
    """Create the model's views on SQLite from the T-SQL in sql/demo.

    A view in an ATTACHed file may only name tables of its own file, so the view's
    own schema prefix is dropped; views that join other schemas are skipped.
    """
    schema_map = dict(app.config.get("SCHEMA_MAP") or {})
    definitions = view_definitions()
    for table in db.metadata.sorted_tables:
        if not table.info.get("is_view"):
            continue
        select = definitions.get((table.schema, table.name))
        physical = schema_map.get(table.schema, table.schema)
        local = re.sub(rf"\b\[?{re.escape(table.schema)}\]?\.", "", select or "")
        if not select or re.search(r"\b\w+\.\w+\s+AS\s+\w+", local):
            log.warning("demo view %s not created on SQLite", table.fullname)
            continue
        connection.exec_driver_sql(
            f'CREATE VIEW "{physical}"."{table.name}" AS {local}'
        )


def ensure_demo_database(app: Flask) -> None:
    """Development start-up: build the demo once (again after a DDL change);
    afterwards only the marker file is read."""
    db_dir = embedded_dir(app)
    marker = read_marker(db_dir)
    if marker_is_current(marker):
        return
    if marker is None:
        log.info("no demo database in %s yet: creating and seeding it", db_dir)
    build_demo_database(app, scale=app.config.get("DEMO_SCALE") or DEFAULT_SCALE)


@tablefront_cli.group("demo")
def demo_cli() -> None:
    """The embedded demo database (SQLite)."""


@demo_cli.command("init")
@click.option(
    "--scale",
    type=click.FloatRange(min=0.01, max=100.0),
    default=DEFAULT_SCALE,
    show_default=True,
    help="Data volume relative to the standard demo.",
)
@click.option("--force", is_flag=True, help="Delete and rebuild an existing demo.")
def init_command(scale: float, force: bool) -> None:
    """Create the embedded demo database from the models and seed it (once)."""
    result = build_demo_database(current_app._get_current_object(), scale, force)
    if not result.created:
        click.echo(
            f"demo database already exists in {result.db_dir} (scale {result.scale}); "
            "nothing to do. Use --force to rebuild it."
        )
        return
    if not result.seeded:
        click.echo("warning: app.demo.seed is not available; tables are empty")
    click.echo(
        f"demo database created in {result.db_dir}: scale {result.scale}, "
        f"{result.rows} rows in {result.seconds:.1f}s"
    )
