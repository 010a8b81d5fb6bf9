"""The live tier's flows also run on the embedded demo, so they cannot rot unseen
between runs against a real SQL Server (the livetest tables exist only there)."""

from __future__ import annotations

import pytest
from flask import Flask

import config as app_config
from app import create_app
from app.demo.commands import build_demo_database
from tests.mssql_live.conftest import ACCESS_TOML, SEED_SCALE, TESTER
from tests.mssql_live.test_live_flows import FLOWS

SQL_SERVER_ONLY = {
    n for n in FLOWS if n.startswith(("datetime", "trigger", "temporal"))
}


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory) -> Flask:
    """The embedded demo (small seed) with the live tier's do-everything role."""
    root = tmp_path_factory.mktemp("live-embedded")
    access = root / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    app = create_app(
        app_config.TestingConfig(
            {
                "TABLEFRONT_ENV": "testing",
                "TABLEFRONT_LOG_DIR": str(root / "logs"),
                "TABLEFRONT_EMBEDDED_DB_DIR": str(root / "db"),
                "TABLEFRONT_IMPORT_DIR": str(root / "imports"),
                "TABLEFRONT_ACCESS_FILE": str(access),
                "TABLEFRONT_SECRET_KEY": "live" * 10,
            }
        )
    )
    app.config["WTF_CSRF_ENABLED"] = False
    build_demo_database(app, scale=SEED_SCALE, force=True)
    return app


@pytest.mark.parametrize("flow", sorted(set(FLOWS) - SQL_SERVER_ONLY))
def test_live_flow_runs_on_the_embedded_demo(demo_app, flow):
    """GIVEN the embedded demo database and the live tier's role
    WHEN one of the live tier's flows runs through the test client
    THEN it passes, as it must on SQL Server."""
    client = demo_app.test_client()
    client.environ_base.update({"REMOTE_USER": TESTER, "AUTH_TYPE": "Negotiate"})
    FLOWS[flow](client, demo_app)
