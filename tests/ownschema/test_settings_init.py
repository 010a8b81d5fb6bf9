"""`flask tablefront settings init`: starter settings that fit the generated models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Unicode

from app.dev.database import build_sample_database
from app.starter_settings import guess_label_column, guess_search_columns, humanise
from tests.html import soup

ROOT = Path(__file__).resolve().parents[2]
ADMIN_GROUP = "CONTOSO\\SQL-Admins"


def init(app, *args: str):
    """Invoke `settings init` on *app*."""
    return app.test_cli_runner().invoke(
        args=["tablefront", "settings", "init", "--admin-group", ADMIN_GROUP, *args]
    )


@pytest.fixture
def paths(tmp_path) -> dict[str, Path]:
    """Where the starter settings go."""
    return {
        "tables": tmp_path / "s" / "tables.toml",
        "access": tmp_path / "s" / "access.toml",
    }


@pytest.fixture
def initialised(make_app, paths):
    """An app built from freshly written starter settings, the dev user an admin."""
    app = make_app()
    app.config.update(
        TABLES_FILE=paths["tables"],
        ACCESS_FILE=paths["access"],
        DEV_USER="CONTOSO\\kim",
    )
    result = init(app)
    assert result.exit_code == 0, result.output
    initialised = make_app(
        TABLEFRONT_TABLES_FILE=str(paths["tables"]),
        TABLEFRONT_ACCESS_FILE=str(paths["access"]),
    )
    build_sample_database(initialised, rows=3)
    return initialised


def test_settings_init_admin_group_sees_every_table(initialised):
    """GIVEN starter settings for the demo models, the dev user in the admin group
    WHEN that user opens the home page
    THEN every generated table is listed."""
    client = initialised.test_client()
    page = client.get("/", environ_base={"REMOTE_USER": "CONTOSO\\kim"})
    assert page.status_code == 200
    links = {a.get("href") for a in soup(page).find_all("a")}
    assert {"/t/hr/employees", "/t/sales/orders", "/t/ops/tickets"} <= links


def test_settings_init_grants_nothing_to_anyone_else(initialised):
    """GIVEN starter settings WHEN a user outside the admin group asks for a table
    THEN it is not there for them."""
    client = initialised.test_client()
    page = client.get("/t/hr/employees", environ_base={"REMOTE_USER": "CONTOSO\\lee"})
    assert page.status_code in {403, 404}


def test_settings_init_refuses_to_replace_without_force(make_app, paths):
    """GIVEN settings files that exist WHEN settings init runs without --force
    THEN it exits 2 naming them and leaves them as they were."""
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# mine\n", encoding="utf-8")
    app = make_app()
    app.config.update(TABLES_FILE=paths["tables"], ACCESS_FILE=paths["access"])
    result = init(app)
    assert result.exit_code == 2
    assert "--force" in result.output
    assert paths["access"].read_text(encoding="utf-8") == "# mine\n"


def test_settings_init_admin_group_needs_a_domain(make_app, paths):
    """GIVEN --admin-group without DOMAIN\\ WHEN settings init runs
    THEN it exits 2 with an example and writes nothing."""
    app = make_app()
    app.config.update(TABLES_FILE=paths["tables"], ACCESS_FILE=paths["access"])
    result = app.test_cli_runner().invoke(
        args=["tablefront", "settings", "init", "--admin-group", "Admins"]
    )
    assert result.exit_code == 2
    assert "DOMAIN\\Group" in result.output
    assert not paths["access"].exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SalesOrderHeader", "Sales order header"),
        ("order_date", "Order date"),
        ("CustomerID", "Customer ID"),
        ("Calendar Day", "Calendar day"),
        ("HTTPLog", "HTTP log"),
    ],
)
def test_humanise_gives_readable_labels(name, expected):
    """GIVEN a table or column name WHEN humanised THEN it reads as words."""
    assert humanise(name) == expected


def test_guess_label_column_prefers_unique_names_and_skips_foreign_keys():
    """GIVEN a table with a foreign-key code, a nullable title and a unique name
    WHEN its label column is guessed THEN the unique NOT NULL name wins."""
    md = MetaData()
    Table("Region", md, Column("RegionCode", String(5), primary_key=True))
    table = Table(
        "Product",
        md,
        Column("ProductID", Integer, primary_key=True),
        Column("RegionCode", String(5), ForeignKey("Region.RegionCode")),
        Column("Title", Unicode(50)),
        Column("ProductName", Unicode(50), nullable=False, unique=True),
        Column("Notes", Unicode(2000)),
    )
    assert guess_label_column(table) == "ProductName"
    assert guess_search_columns(table) == ["RegionCode", "Title", "ProductName"]


def flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the real `flask` CLI in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_init_runs_while_the_settings_do_not_fit(tmp_path):
    """GIVEN a tables.toml naming a table the models lack (settings of other models)
    WHEN the real CLI runs another command, then `settings init --force`
    THEN the other command stops with the error, and settings init replaces the
    files with ones the app starts with."""
    tables, access = tmp_path / "tables.toml", tmp_path / "access.toml"
    tables.write_text('[tables."hr.departments_old"]\nlabel = "x"\n', encoding="utf-8")
    access.write_text("# stale\n", encoding="utf-8")
    env = {
        "TABLEFRONT_ENV": "testing",
        "TABLEFRONT_TABLES_FILE": str(tables),
        "TABLEFRONT_ACCESS_FILE": str(access),
        "TABLEFRONT_EMBEDDED_DB_DIR": str(tmp_path / "db"),
        "TABLEFRONT_LOG_DIR": str(tmp_path / "logs"),
    }
    other = flask("tablefront", "config", env=env)
    assert other.returncode != 0
    assert "no [roles.<name>] defined" in other.stderr
    repaired = flask(
        "tablefront",
        "settings",
        "init",
        "--admin-group",
        ADMIN_GROUP,
        "--force",
        env=env,
    )
    assert repaired.returncode == 0, repaired.stderr
    assert "the settings do not fit the models" in repaired.stderr
    assert flask("tablefront", "config", env=env).returncode == 0
