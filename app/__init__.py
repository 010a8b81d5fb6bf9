"""Tablefront: the application factory.

IIS/wfastcgi calls ``app.create_app()`` once per process with no arguments, so the
configuration comes from the environment (see config.py).
"""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask

from config import Config, load_config


class TablefrontFlask(Flask):
    """Flask, with a view run once more when the database chose it as a deadlock
    victim."""

    def dispatch_request(self) -> Any:
        """The view, run once more if the database chose it as a deadlock victim."""
        from app.retry import dispatch_retrying_deadlock

        return dispatch_retrying_deadlock(super().dispatch_request)


def create_app(config: Config | None = None) -> Flask:
    """Build the WSGI app; ``config`` is for tests, IIS passes nothing."""
    # Every IIS worker pays start-up on each recycle: no collections while thousands
    # of long-lived objects (classes, mappers, templates) are made, then freeze them
    # so later collections skip them (cuts p99 latency, FACTS.md).
    gc.disable()
    try:
        app = _build_app(config)
    finally:
        gc.enable()
    if not app.testing:  # test runs build hundreds of apps: let them be collected
        gc.freeze()
    return app


def _build_app(config: Config | None) -> Flask:
    from app import database, errors, identity, local_time, logs, retry, security, urls
    from app.access import register_access
    from app.blueprints import register_blueprints
    from app.catalog import register_catalog
    from app.cli import register_cli
    from app.dev.startup import register_development_database

    app = TablefrontFlask(__name__, instance_relative_config=False)
    app.config.from_object(config or load_config())
    logs.configure_logging(app)
    database.register_database(app)
    register_development_database(app)
    retry.register_deadlock_retry(app)
    identity.register_identity(app)
    register_access(app)
    register_catalog(app)
    security.register_security(app)
    register_blueprints(app)
    urls.register_urls(app)
    local_time.register_local_time(app)
    errors.register_error_handlers(app)
    register_cli(app)
    logs.log_startup(app)
    return app
