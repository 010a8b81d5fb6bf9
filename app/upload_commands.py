"""``flask tablefront uploads ...``: pending CSV uploads, for a scheduled task."""

from __future__ import annotations

import click
from flask import current_app

from app.cli import tablefront_cli
from app.data.imports import storage as upload_store


@tablefront_cli.group("uploads")
def uploads() -> None:
    """Pending CSV import uploads."""


@uploads.command("sweep")
def sweep() -> None:
    """Delete uploads older than TABLEFRONT_IMPORT_TTL_MINUTES (by file mtime)."""
    limits = upload_store.limits_from_config(current_app.config)
    swept = upload_store.sweep(limits)
    click.echo(
        f"{limits.folder}: deleted {swept.deleted} expired uploads "
        f"({swept.deleted_bytes} bytes), kept {swept.kept} ({swept.kept_bytes} bytes)."
    )
