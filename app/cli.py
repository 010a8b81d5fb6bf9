"""The ``flask tablefront ...`` command group.

Command modules are imported only when the ``flask`` CLI asks for them: the model
generator pulls in sqlacodegen (seconds of import time), and every IIS worker runs
``create_app()`` on each recycle, so the factory must not pay for the CLI.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterable

import click
from flask import Flask
from flask.cli import AppGroup

log = logging.getLogger(__name__)

COMMAND_MODULES = (
    "app.codegen.commands",  # flask tablefront models ...
    "app.demo.commands",  # flask tablefront demo init
    "app.dev.commands",  # flask tablefront dev init
    "app.dbstatus",  # flask tablefront db status
    "app.upload_commands",  # flask tablefront uploads sweep
    "app.starter_settings",  # flask tablefront settings init
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


# Commands that make the settings fit new models, so they must run while the settings
# still describe the old ones (a SQL admin's first `settings init` on their own schema).
SETTINGS_REPAIR_COMMANDS = (
    ("tablefront", "settings", "init"),
    ("tablefront", "models", "generate"),
    ("tablefront", "dev", "init"),
)


def running_settings_repair_command(
    argv: list[str] | None = None,
    commands: Iterable[tuple[str, ...]] = SETTINGS_REPAIR_COMMANDS,
) -> bool:
    """True when this process is the ``flask`` CLI running one of those commands.

    Flask builds the app while it is still resolving the command name, before click
    knows which command will run, so the command line itself is read.
    """
    words = [
        w for w in (sys.argv if argv is None else argv)[1:] if not w.startswith("-")
    ]
    return any(
        words[i : i + len(command)] == list(command)
        for command in commands
        for i in range(len(words))
    )


def running_models_generate(argv: list[str] | None = None) -> bool:
    """True when this process is `flask tablefront models generate` (read as above)."""
    return running_settings_repair_command(argv, [SETTINGS_REPAIR_COMMANDS[1]])


def tolerate_settings_error(app: Flask, error: Exception) -> bool:
    """For a settings-repair command: note the error and go on; else False.

    The app built for the command answers every request with 503 and the message,
    so it can never serve pages on settings that do not fit the models.
    """
    if not running_settings_repair_command():
        return False
    from app.errors import AppError

    message = str(error)
    log.warning("settings do not fit the models (the command runs anyway): %s", message)
    click.echo(f"warning: the settings do not fit the models:\n{message}", err=True)

    def refuse() -> None:
        raise AppError(503, "Settings do not fit the models", message)

    app.before_request(refuse)
    return True


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
