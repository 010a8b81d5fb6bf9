"""The every-table walk over a site's own models: run by test_every_table_walk.py
in a pytest subprocess (models are loaded once per process), with
TABLEFRONT_MODELS_DIR, TABLEFRONT_SETTINGS_DIR and TABLEFRONT_EMBEDDED_DB_DIR naming
what the README's commands built. Not collected by the main run (no test_ prefix)."""

from __future__ import annotations

import os

import config
from app import create_app
from tests.functional.demo_world import ADMIN
from tests.ownschema.walk import walk_every_table


def test_every_table_walk_site_admin_finds_no_problem(tmp_path):
    """GIVEN a site's generated models, starter settings and sample database
    WHEN the admin walks every page and action of every table
    THEN no request fails, nothing is logged as an error and every value reads back."""
    app = create_app(
        config.TestingConfig(
            {
                **os.environ,
                "TABLEFRONT_ENV": "testing",
                "TABLEFRONT_TEST_CSRF": "0",
                "TABLEFRONT_LOG_DIR": str(tmp_path / "logs"),
                "TABLEFRONT_IMPORT_DIR": str(tmp_path / "imports"),
            }
        )
    )
    walk = walk_every_table(app, ADMIN)
    print(f"walked {len(walk.tables)} tables, {walk.checks} requests")
    assert walk.tables
    assert walk.problems == [], "\n".join(walk.problems)
