"""`flask tablefront demo init` and the development first-run build (real models)."""

from __future__ import annotations

import importlib.util
import json
import sqlite3

import pytest
from sqlalchemy import select, text, update

import config as tablefront_config
from app import create_app
from app.demo import commands as demo_commands
from app.embedded import EMBEDDED_DDL_VERSION
from app.extensions import db

SMALL = "0.02"
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("app.models.generated.hr") is None,
    reason="the generated demo models (app/models/generated/hr.py) are not present",
)


def init(app, *args: str):
    return app.test_cli_runner().invoke(
        args=["tablefront", "demo", "init", "--scale", SMALL, *args]
    )


def marker(tmp_path) -> dict:
    return json.loads((tmp_path / "db" / "demo.json").read_text())


@pytest.fixture
def demo_app(make_app):
    """A testing app whose demo database was built once at a small scale."""
    app = make_app()
    result = init(app)
    assert result.exit_code == 0, result.output
    return app


def test_demo_init_first_run_creates_schema_files_and_rows(demo_app, tmp_path):
    """GIVEN no database WHEN demo init runs THEN hr/ops/sales files hold rows."""
    for schema in ("hr", "ops", "sales"):
        assert (tmp_path / "db" / f"{schema}.db").exists()
    with sqlite3.connect(tmp_path / "db" / "hr.db") as raw:
        assert raw.execute("SELECT count(*) FROM employees").fetchone()[0] > 0
    assert marker(tmp_path)["scale"] == float(SMALL)


def test_demo_init_second_run_does_nothing_and_says_so(demo_app, tmp_path):
    """GIVEN a seeded demo WHEN demo init runs again THEN nothing changes."""
    before = marker(tmp_path)
    result = init(demo_app)
    assert result.exit_code == 0
    assert "already exists" in result.output
    assert marker(tmp_path) == before


def test_demo_init_force_rebuilds_with_the_same_row_count(demo_app, tmp_path):
    """GIVEN a seeded demo with an extra edit WHEN --force THEN a clean rebuild."""
    rows = marker(tmp_path)["rows"]
    with sqlite3.connect(tmp_path / "db" / "hr.db") as raw:
        raw.execute("DELETE FROM leave_requests")
    result = init(demo_app, "--force")
    assert result.exit_code == 0, result.output
    assert "demo database created" in result.output
    assert marker(tmp_path)["rows"] == rows


def _age_marker(tmp_path) -> None:
    """Make the marker look like one written before the DDL was versioned."""
    path = tmp_path / "db" / "demo.json"
    old = {k: v for k, v in marker(tmp_path).items() if k != "ddl_version"}
    path.write_text(json.dumps(old))


def test_demo_init_records_the_embedded_ddl_version(demo_app, tmp_path):
    """GIVEN a fresh demo WHEN its marker is read THEN it names today's DDL version."""
    assert marker(tmp_path)["ddl_version"] == EMBEDDED_DDL_VERSION


def test_demo_init_rebuilds_a_demo_built_with_older_ddl(demo_app, tmp_path):
    """GIVEN a demo whose marker predates the current embedded DDL
    WHEN demo init runs without --force
    THEN it rebuilds: the asset type key is a ROWID alias and numbers new rows."""
    _age_marker(tmp_path)
    result = init(demo_app)
    assert result.exit_code == 0, result.output
    assert "demo database created" in result.output
    assert marker(tmp_path)["ddl_version"] == EMBEDDED_DDL_VERSION
    with sqlite3.connect(tmp_path / "db" / "ops.db") as raw:
        declared = raw.execute(
            "SELECT type FROM pragma_table_info('asset_types') WHERE pk = 1"
        ).fetchone()[0]
        raw.execute(
            "INSERT INTO asset_types (name, depreciation_months, is_it_equipment) "
            "VALUES ('Drone', 24, 1)"
        )
        new_id = raw.execute(
            "SELECT asset_type_id FROM asset_types WHERE name = 'Drone'"
        ).fetchone()[0]
    assert declared == "INTEGER"
    assert new_id is not None


def test_development_start_rebuilds_a_demo_built_with_older_ddl(
    test_environ, tmp_path, monkeypatch
):
    """GIVEN a development demo whose marker predates the current embedded DDL
    WHEN the app starts again
    THEN the demo is rebuilt once, and the next start only reads the marker."""
    monkeypatch.setattr(demo_commands, "DEFAULT_SCALE", float(SMALL))
    env = {**test_environ, "TABLEFRONT_ENV": "development"}
    create_app(tablefront_config.DevelopmentConfig(env))
    _age_marker(tmp_path)
    builds = []
    real_build = demo_commands.build_demo_database
    monkeypatch.setattr(
        demo_commands,
        "build_demo_database",
        lambda *a, **kw: builds.append(real_build(*a, **kw)),
    )
    create_app(tablefront_config.DevelopmentConfig(env))
    create_app(tablefront_config.DevelopmentConfig(env))
    assert [b.created for b in builds] == [True]
    assert marker(tmp_path)["ddl_version"] == EMBEDDED_DDL_VERSION


def test_demo_persona_login_found_in_any_case(demo_app):
    """GIVEN the personas WHEN CONTOSO\\AMORGAN is looked up THEN Alex is found."""
    employees = db.metadata.tables["hr.employees"]
    with demo_app.app_context():
        first = db.session.scalar(
            select(employees.c.first_name).where(
                employees.c.login == "contoso\\AMORGAN"
            )
        )
    assert first == "Alex"


def test_demo_employee_update_changes_rowversion(demo_app):
    """GIVEN a seeded employee WHEN updated THEN its row_version changes."""
    employees = db.metadata.tables["hr.employees"]
    key = employees.c.employee_id
    with demo_app.app_context():
        first_id, before = db.session.execute(
            select(key, employees.c.row_version).order_by(key).limit(1)
        ).one()
        db.session.execute(
            update(employees).where(key == first_id).values(phone="555-0100")
        )
        db.session.commit()
        after = db.session.scalar(
            select(employees.c.row_version).where(key == first_id)
        )
    assert after != before


def test_demo_view_order_totals_sums_the_lines(demo_app):
    """GIVEN seeded orders WHEN v_order_totals is read THEN totals equal line sums."""
    with demo_app.app_context():
        view_total = db.session.scalar(
            text("SELECT sum(total_amount) FROM sales.v_order_totals")
        )
        line_total = db.session.scalar(
            text("SELECT sum(line_total) FROM sales.order_lines")
        )
    assert view_total == pytest.approx(line_total)
    assert line_total > 0


def test_demo_init_other_backend_is_refused(make_app):
    """GIVEN a PostgreSQL URL WHEN demo init runs THEN it refuses."""
    app = make_app(TABLEFRONT_DATABASE_URL="postgresql+psycopg://u@127.0.0.1:9/x")
    result = init(app)
    assert result.exit_code != 0
    assert "never creates or changes tables" in result.output


def test_create_app_development_first_start_builds_demo_then_only_checks(
    test_environ, tmp_path, monkeypatch
):
    """GIVEN development config, no demo WHEN started twice THEN built once, reused."""
    monkeypatch.setattr(demo_commands, "DEFAULT_SCALE", float(SMALL))
    env = {**test_environ, "TABLEFRONT_ENV": "development"}
    create_app(tablefront_config.DevelopmentConfig(env))
    first = marker(tmp_path)
    builds = []
    monkeypatch.setattr(demo_commands, "build_demo_database", builds.append)
    create_app(tablefront_config.DevelopmentConfig(env))
    assert first["rows"] > 0
    assert builds == []
