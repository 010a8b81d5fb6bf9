"""``flask tablefront dev init``: the development database for the current models."""

from __future__ import annotations

import click
from flask import current_app

from app.cli import tablefront_cli
from app.demo.commands import embedded_dir
from app.dev.database import DEFAULT_ROWS, build_sample_database, models_are_demo


@tablefront_cli.group("dev")
def dev_cli() -> None:
    """Development tools (the embedded SQLite database)."""


@dev_cli.command("init")
@click.option(
    "--sample",
    "rows",
    type=click.IntRange(min=0, max=100_000),
    default=DEFAULT_ROWS,
    show_default=True,
    help="Synthetic rows per table.",
)
@click.option("--force", is_flag=True, help="Delete and rebuild an existing database.")
@click.option("--seed", type=int, default=1, show_default=True, help="Sample seed.")
@click.option(
    "--sample-from",
    "sample_from",
    metavar="URL",
    help="Copy rows from a live database instead of making them up.",
)
@click.option(
    "--rows",
    "copy_rows",
    type=click.IntRange(min=1, max=100_000),
    help="With --sample-from: rows per table to copy (default: --sample).",
)
def init_command(
    rows: int, force: bool, seed: int, sample_from: str | None, copy_rows: int | None
) -> None:
    """Build the embedded SQLite files for the generated models, with sample rows."""
    app = current_app._get_current_object()
    embedded_dir(app)  # refuses anything but the embedded SQLite database
    if models_are_demo() and not sample_from:
        click.echo(
            "note: these are the demo's models; `flask tablefront demo init` builds "
            "the demo with its own seed. Building sample rows instead."
        )
    from app.dev.copy_rows import CopyError

    try:
        build = build_sample_database(
            app, rows=copy_rows or rows, force=force, seed=seed, sample_from=sample_from
        )
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    if not build.created:
        click.echo(
            f"development database already exists in {build.db_dir} for these "
            "models; nothing to do. Use --force to rebuild it."
        )
        return
    report = build.report
    click.echo(
        f"development database created in {build.db_dir}: {report.total} "
        f"{build.source} rows in {len(report.rows)} tables in {build.seconds:.1f}s"
    )
    for name in build.view_tables:
        click.echo(f"  view {name}: a table of sample rows on SQLite")
    for name, reason in sorted(report.short.items()):
        click.echo(f"  {name}: {report.rows.get(name, 0)} rows ({reason})")
