"""The ``flask tablefront ...`` command group.

Command modules are imported only when the ``flask`` CLI asks for them: the model
generator pulls in sqlacodegen (seconds of import time), and every IIS worker runs
``create_app()`` on each recycle, so the factory must not pay for the CLI.
"""

from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import AppGroup

COMMAND_MODULES = (
    "app.codegen.commands",  # flask tablefront models ...
    "app.demo.commands",  # flask tablefront demo init
    "app.dbstatus",  # flask tablefront db status
    "app.upload_commands",  # flask tablefront uploads sweep
)


class LazyCommandGroup(AppGroup):
    """An AppGroup that imports its command modules on first use."""

    _loaded = False

    def _load_commands(self) -> None:
        if not LazyCommandGroup._loaded:
            LazyCommandGroup._loaded = True
            for module in COMMAND_MODULES:
                importlib.import_module(module)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load_commands()
        return super().get_command(ctx, cmd_name)


tablefront_cli = LazyCommandGroup(
    "tablefront", help="Tablefront administration commands."
)


def register_cli(app: Flask) -> None:
    """Attach the command group; its commands load when the CLI is used."""
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
