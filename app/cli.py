"""The ``flask tablefront ...`` command group."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

tablefront_cli = AppGroup("tablefront", help="Tablefront administration commands.")


def register_cli(app: Flask) -> None:
    """Attach the command group; feature modules add their commands to it."""
    from app.codegen import commands  # noqa: F401  (flask tablefront models ...)
    from app.demo import commands as _demo  # noqa: F401  (demo init, db status)

    app.cli.add_command(tablefront_cli)


@tablefront_cli.command("config")
def show_config() -> None:
    """Print the effective configuration (secrets masked)."""
    from flask import current_app

    for key in sorted(current_app.config):
        if key.isupper():
            value = current_app.config[key]
            if "SECRET" in key or "PASSWORD" in key:
                value = "***" if value else value
            click.echo(f"{key} = {value}")
