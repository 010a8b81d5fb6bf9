"""Tablefront: the application factory.

IIS/wfastcgi calls ``app.create_app()`` once per process with no arguments, so the
configuration comes from the environment (see config.py).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from flask import Flask

from config import Config, load_config

_MAX_SYNC = 1024


class TablefrontFlask(Flask):
    """Flask, remembering which hooks and views are plain functions.

    Flask passes every before/after/teardown hook and the view through
    ``ensure_sync`` on every request, which asks ``inspect.iscoroutinefunction``
    each time (a few microseconds, ten or so times a page). The answer for a
    function never changes: it is kept per function (bounded: the app's own hooks
    and views)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        try:
            return self._sync[func]
        except KeyError:
            pass
        except TypeError:  # unhashable callable: ask every time
            return super().ensure_sync(func)
        if len(self._sync) >= _MAX_SYNC:
            self._sync.clear()
        done = self._sync[func] = super().ensure_sync(func)
        return done

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

    app = TablefrontFlask(__name__, instance_relative_config=False)
    app.config.from_object(config or load_config())
    logs.configure_logging(app)
    database.register_database(app)
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
