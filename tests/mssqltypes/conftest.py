"""A testing app over the demo database (small scale), signed in as an admin."""

from __future__ import annotations

import pytest

ADMIN = "CONTOSO\\amorgan"  # Tablefront-Admins in app/settings/access.toml: every table


@pytest.fixture
def demo_app(make_app):
    """The demo database built once at a small scale; CSRF off for form posts."""
    app = make_app()
    result = app.test_cli_runner().invoke(
        args=["tablefront", "demo", "init", "--scale", "0.02"]
    )
    assert result.exit_code == 0, result.output
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def admin(demo_app):
    """A client signed in as the demo's administrator."""
    client = demo_app.test_client()
    client.environ_base.update({"REMOTE_USER": ADMIN})
    return client
