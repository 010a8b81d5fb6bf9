"""``flask tablefront models generate``: (re)generate the models, report or check drift.

Sources of the table definitions, in order of precedence (app.codegen.sources):

- ``--from-ddl PATH``: T-SQL scripts (a file or a folder of ``*.sql``), read by
  ``app.codegen.tsql_ddl.metadata_from_tsql``; no server needed.
- ``--url URL``: any SQLAlchemy URL (``mssql+pyodbc://``, ``postgresql+psycopg://``,
  ``sqlite:///``). For SQLite the schemas are the sibling files ``<schema>.db`` next
  to the URL's file, ATTACHed as ``<schema>`` (the embedded layout).
- otherwise the app's configured database (same rules; the schema map applies). When
  that is the embedded database, the source recorded with the models is used.

Physical schema names are mapped back to logical ones through ``TABLEFRONT_SCHEMA_MAP``
so models keep logical names. The output folder always mirrors one run
(app.codegen.models_folder): schema modules a run no longer produces are deleted
(only files carrying the generated header).
"""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy.engine import make_url

from app.cli import tablefront_cli
from app.codegen.drift import text_diff
from app.codegen.models_folder import (
    change_report,
    describe_source,
    generate_sources,
    read_generated,
    recorded_source,
    with_source,
    write_generated,
)
from app.codegen.sources import (
    APP_OWNED_SCHEMA,
    UnknownNames,
    source_from_database,
    source_from_ddl,
    split_names,
)

log = logging.getLogger(__name__)


def _is_embedded(url: Any) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


@tablefront_cli.group("models")
def models_cli() -> None:
    """Generated models of the existing database."""


@models_cli.command("generate")
@click.option("--url", help="Database URL to reflect (default: the app's database).")
@click.option("--schemas", help="Comma-separated schemas (default: all user schemas).")
@click.option("--tables", help="Comma-separated table names, in every chosen schema.")
@click.option(
    "--exclude",
    multiple=True,
    help="schema.table to leave out (repeat, or comma-separate).",
)
@click.option(
    "--from-ddl",
    "ddl",
    type=click.Path(exists=True, path_type=Path),
    multiple=True,
    help="T-SQL script or folder of scripts to read instead of a database.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: TABLEFRONT_MODELS_DIR, else app/models/generated).",
)
@click.option("--collation", help="Collation to drop (default: the most common one).")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 with a diff if the models differ from the source.",
)
def generate_command(
    url: str | None,
    schemas: str | None,
    tables: str | None,
    exclude: tuple[str, ...],
    ddl: tuple[Path, ...],
    out: Path | None,
    collation: str | None,
    check: bool,
) -> None:
    """Generate one module per schema from the database (or T-SQL scripts)."""
    started = time.perf_counter()
    schema_list, table_list = split_names(schemas), split_names(tables)
    exclude_list = [name for value in exclude for name in split_names(value)]
    if APP_OWNED_SCHEMA in schema_list:
        raise click.UsageError(
            f"schema {APP_OWNED_SCHEMA!r} holds Tablefront's own hand-written models"
        )
    folder = (
        out
        or current_app.config.get("MODELS_DIR")
        or Path(current_app.root_path) / "models" / "generated"
    )
    configured = current_app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url and not ddl and configured and _is_embedded(configured):
        # The embedded database is built from the models: comparing the two proves
        # nothing. Use the source the models were generated from instead.
        url, ddl = recorded_source(folder)
        ddl = tuple(ddl)
        if not url and not ddl:
            raise click.UsageError(
                "the configured database is the embedded SQLite database, which is "
                "built from these models; say where the tables are defined with "
                "--from-ddl PATH or --url URL"
            )
        click.echo(f"source: {describe_source(url, ddl)} (recorded with the models)")
    if ddl:
        source = source_from_ddl(
            list(ddl), schema_list or None, table_list or None, exclude_list
        )
    else:
        db_url = make_url(url) if url else configured
        schema_map = {} if url else current_app.config.get("SCHEMA_MAP") or {}
        source = source_from_database(
            make_url(db_url),
            schema_list or None,
            table_list or None,
            schema_map,
            exclude_list,
        )
    if not source.metadata.tables:
        raise UnknownNames(
            "the source has no tables (check the URL or the scripts); nothing written"
        )
    warnings: list[str] = []
    new = with_source(
        generate_sources(source, collation, warnings), describe_source(url, ddl)
    )
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    old = read_generated(folder)
    dialect = source.bind.dialect
    if check:
        diff = text_diff(old, new)
        if not diff:
            click.echo(f"models match ({len(new) - 1} schema modules in {folder})")
            return
        click.echo(diff, nl=False)
        click.echo("\nChanges:")
        for line in change_report(old, new, dialect) or ["(formatting only)"]:
            click.echo(f"  {line}")
        click.echo(
            "models differ from the database: run `flask tablefront models "
            "generate` and commit the result",
            err=True,
        )
        sys.exit(1)
    changes = change_report(old, new, dialect) if old != new else []
    write_generated(folder, new)
    elapsed = time.perf_counter() - started
    tables_count = sum(
        len(re.findall(r"^class |^t_\w+ = Table\(", s, re.M)) for s in new.values()
    )
    click.echo(
        f"wrote {len(new) - 1} schema modules ({tables_count} tables) to {folder} "
        f"in {elapsed:.1f}s"
    )
    for line in changes or ["no changes"]:
        click.echo(f"  {line}")
    log.info("models generated: %d modules, %d changes", len(new) - 1, len(changes))
