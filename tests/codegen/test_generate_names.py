"""`models generate` on names as a SQL admin types them: case, typos, --exclude."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import URL

from app.cli import tablefront_cli
from app.codegen.drift import load_models
from app.codegen.models_folder import read_generated

ROOT = Path(__file__).resolve().parents[2]
DEMO_SQL = ROOT / "sql" / "demo"


def generate(runner, out: Path, *args: str):
    """Invoke `models generate --out OUT ARGS`."""
    return runner.invoke(
        args=["tablefront", "models", "generate", "--out", str(out), *args]
    )


@pytest.fixture
def embedded(tmp_path) -> URL:
    """An embedded-layout SQLite database: main.db with SalesLT.db beside it."""
    folder = tmp_path / "db"
    folder.mkdir()
    sqlite3.connect(folder / "main.db").close()
    with sqlite3.connect(folder / "SalesLT.db") as conn:
        conn.executescript(
            "CREATE TABLE Customer (CustomerID INTEGER PRIMARY KEY, Name TEXT);"
            "CREATE TABLE Address (AddressID INTEGER PRIMARY KEY, City TEXT);"
        )
    return URL.create("sqlite", database=str(folder / "main.db"))


@pytest.fixture
def dev_runner(tmp_path):
    """A runner whose app is configured on an embedded SQLite database."""
    app = Flask("codegen_dev")
    app.config["SQLALCHEMY_DATABASE_URI"] = URL.create(
        "sqlite", database=str(tmp_path / "embedded" / "main.db")
    )
    app.cli.add_command(tablefront_cli)
    return app.test_cli_runner()


def test_generate_schema_in_other_case_matches_the_database(
    codegen_runner, embedded, tmp_path
):
    """GIVEN a schema called SalesLT
    WHEN generated with --schemas saleslt --tables customer
    THEN SalesLT.Customer is mapped under the database's own spelling."""
    out = tmp_path / "g"
    result = generate(
        codegen_runner,
        out,
        "--url",
        embedded.render_as_string(),
        "--schemas",
        "saleslt",
        "--tables",
        "customer",
    )
    assert result.exit_code == 0, result.output
    assert sorted(load_models(read_generated(out)).metadata.tables) == [
        "SalesLT.Customer"
    ]


def test_generate_unknown_schema_exits_2_and_keeps_the_models(
    codegen_runner, embedded, tmp_path
):
    """GIVEN models already generated in a folder
    WHEN generated again with a schema that does not exist
    THEN it exits 2 naming the schemas there are, and every model file is kept."""
    out = tmp_path / "g"
    url = embedded.render_as_string()
    assert generate(codegen_runner, out, "--url", url).exit_code == 0
    before = read_generated(out)
    result = generate(codegen_runner, out, "--url", url, "--schemas", "sales")
    assert result.exit_code == 2
    assert "unknown schema 'sales'" in result.output
    assert "SalesLT" in result.output
    assert read_generated(out) == before


def test_generate_unknown_schema_creates_no_stray_schema_file(
    codegen_runner, embedded, tmp_path
):
    """GIVEN the embedded folder with SalesLT.db only
    WHEN generated with --schemas typo
    THEN no typo.db file appears beside it."""
    generate(
        codegen_runner,
        tmp_path / "g",
        "--url",
        embedded.render_as_string(),
        "--schemas",
        "typo",
    )
    assert sorted(p.name for p in Path(embedded.database).parent.iterdir()) == [
        "SalesLT.db",
        "main.db",
    ]


def test_generate_unknown_table_from_ddl_exits_2_naming_known_tables(
    codegen_runner, tmp_path
):
    """GIVEN the demo scripts
    WHEN generated with --tables that names no table
    THEN it exits 2 and lists the tables it does know."""
    result = generate(
        codegen_runner,
        tmp_path / "g",
        "--from-ddl",
        str(DEMO_SQL),
        "--schemas",
        "HR",
        "--tables",
        "employes",
    )
    assert result.exit_code == 2
    assert "unknown table 'employes'" in result.output
    assert "employees" in result.output
    assert not (tmp_path / "g").exists()


def test_generate_exclude_leaves_the_table_and_its_references_out(
    codegen_runner, tmp_path
):
    """GIVEN sales.orders referencing hr.employees
    WHEN generated with --schemas sales --exclude HR.Employees
    THEN hr.employees is not mapped and the foreign key to it is named as left out."""
    out = tmp_path / "g"
    result = generate(
        codegen_runner,
        out,
        "--from-ddl",
        str(DEMO_SQL),
        "--schemas",
        "sales",
        "--exclude",
        "HR.Employees",
    )
    assert result.exit_code == 0, result.output
    tables = load_models(read_generated(out)).metadata.tables
    assert "hr.employees" not in tables
    assert "sales.orders" in tables
    assert "refers to excluded table hr.employees" in result.output
    referred = {fk.target_fullname for fk in tables["sales.orders"].foreign_keys}
    assert not any(name.startswith("hr.employees.") for name in referred)


def test_generate_exclude_of_unknown_table_exits_2(codegen_runner, tmp_path):
    """GIVEN the demo scripts
    WHEN --exclude names a table that does not exist
    THEN it exits 2 instead of silently excluding nothing."""
    result = generate(
        codegen_runner,
        tmp_path / "g",
        "--from-ddl",
        str(DEMO_SQL),
        "--exclude",
        "hr.nothing",
    )
    assert result.exit_code == 2
    assert "unknown table 'hr.nothing'" in result.output


def test_generate_check_on_embedded_database_uses_the_recorded_scripts(
    dev_runner, tmp_path
):
    """GIVEN models generated from a copy of the demo scripts, in development
    WHEN `--check` runs with no source, then after a script gains a column
    THEN the first check matches, and the second exits 1 naming the new column."""
    scripts = tmp_path / "ddl"
    shutil.copytree(DEMO_SQL, scripts)
    out = tmp_path / "g"
    assert generate(dev_runner, out, "--from-ddl", str(scripts)).exit_code == 0
    first = generate(dev_runner, out, "--check")
    assert first.exit_code == 0, first.output
    assert "models match" in first.output
    script = next(p for p in scripts.glob("*.sql") if "hr" in p.name.lower())
    text = script.read_text(encoding="utf-8")
    script.write_text(
        text.replace(
            "CREATE TABLE hr.departments (",
            "CREATE TABLE hr.departments (\n    cost_centre nvarchar(20) NULL,",
            1,
        ),
        encoding="utf-8",
    )
    second = generate(dev_runner, out, "--check")
    assert second.exit_code == 1
    assert "+ column hr.departments.cost_centre" in second.output


def test_generate_check_on_embedded_database_without_source_exits_2(
    dev_runner, tmp_path
):
    """GIVEN the embedded database and models that record no source
    WHEN `--check` runs with no --url or --from-ddl
    THEN it exits 2 saying which option to give, with no traceback."""
    result = generate(dev_runner, tmp_path / "empty", "--check")
    assert result.exit_code == 2
    assert "--from-ddl PATH or --url URL" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
