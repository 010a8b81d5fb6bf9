"""Development start-up: the embedded database built on first start.

Registered by ``create_app`` after ``register_database``, so ``app.database`` (bound
on every configuration) never imports the development tools or the demo.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import make_url


def register_development_database(app: Flask) -> None:
    """On the development config over SQLite, build the demo (or, for other models,
    a database of sample rows) if it is missing or stale."""
    if app.config.get("ENV_NAME") != "development":
        return
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return
    from app.cli import running_settings_repair_command
    from app.dev.database import ensure_embedded_database

    if not running_settings_repair_command():  # those commands build it themselves
        ensure_embedded_database(app)
