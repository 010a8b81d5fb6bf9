"""`flask tablefront models generate` on SQLite files ATTACHed as schemas."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import URL

from app.codegen.drift import load_models
from app.codegen.models_folder import read_generated

HR_DDL = """
CREATE TABLE departments (
    department_id INTEGER NOT NULL PRIMARY KEY,
    code VARCHAR(10) NOT NULL,
    name VARCHAR(100) NOT NULL
);
CREATE TABLE employees (
    employee_id INTEGER NOT NULL PRIMARY KEY,
    login VARCHAR(256) NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (department_id),
    manager_id INTEGER REFERENCES employees (employee_id),
    salary NUMERIC(19, 4),
    is_active BOOLEAN NOT NULL DEFAULT 1,
    hire_date DATE NOT NULL,
    modified_at DATETIME
);
CREATE VIEW v_active AS SELECT employee_id, login FROM employees WHERE is_active = 1;
"""
OPS_DDL = """
CREATE TABLE departments (department_id INTEGER NOT NULL PRIMARY KEY,
                          label VARCHAR(50));
CREATE TABLE sites (site_id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL);
CREATE TABLE asset_events (asset_id INTEGER NOT NULL, "user" VARCHAR(100), at DATETIME);
"""


@pytest.fixture
def sqlite_db(tmp_path) -> URL:
    """main.db with hr.db and ops.db beside it (the embedded layout)."""
    folder = tmp_path / "db"
    folder.mkdir()
    sqlite3.connect(folder / "main.db").close()
    for schema, ddl in (("hr", HR_DDL), ("ops", OPS_DDL)):
        with sqlite3.connect(folder / f"{schema}.db") as conn:
            conn.executescript(ddl)
    return URL.create("sqlite", database=str(folder / "main.db"))


def run_generate(runner, url: URL, out: Path, *args: str):
    """Invoke the command against *url*, writing to *out*."""
    return runner.invoke(
        args=[
            "tablefront",
            "models",
            "generate",
            "--url",
            url.render_as_string(),
            "--out",
            str(out),
            *args,
        ]
    )


def alter(url: URL, schema: str, sql: str) -> None:
    """Run DDL in one schema file."""
    with sqlite3.connect(Path(url.database).parent / f"{schema}.db") as conn:
        conn.execute(sql)


def test_generate_sqlite_attached_schemas_one_module_each(
    codegen_runner, sqlite_db, tmp_path
):
    """GIVEN hr.db and ops.db beside main.db
    WHEN models are generated from the main.db URL
    THEN hr.py and ops.py are written and map every table and view."""
    out = tmp_path / "generated"
    result = run_generate(codegen_runner, sqlite_db, out)
    assert result.exit_code == 0, result.output
    sources = read_generated(out)
    assert sorted(sources) == ["__init__.py", "hr.py", "ops.py"]
    tables = load_models(sources).metadata.tables
    assert sorted(tables) == [
        "hr.departments",
        "hr.employees",
        "hr.v_active",
        "ops.asset_events",
        "ops.departments",
        "ops.sites",
    ]
    assert tables["hr.v_active"].info == {"is_view": True}


def test_generate_sqlite_two_runs_are_byte_identical(
    codegen_runner, sqlite_db, tmp_path
):
    """GIVEN one database
    WHEN models are generated twice into two folders
    THEN the folders are byte-identical."""
    run_generate(codegen_runner, sqlite_db, tmp_path / "a")
    run_generate(codegen_runner, sqlite_db, tmp_path / "b")
    assert read_generated(tmp_path / "a") == read_generated(tmp_path / "b")


def test_generate_check_on_unchanged_database_says_models_match(
    codegen_runner, sqlite_db, tmp_path
):
    """GIVEN freshly generated models
    WHEN --check runs against the same database
    THEN it exits 0 and says the models match."""
    run_generate(codegen_runner, sqlite_db, tmp_path / "g")
    result = run_generate(codegen_runner, sqlite_db, tmp_path / "g", "--check")
    assert result.exit_code == 0, result.output
    assert "models match" in result.output


def test_generate_check_after_add_column_exits_1_naming_the_column(
    codegen_runner, sqlite_db, tmp_path
):
    """GIVEN generated models
    WHEN a column is added to hr.employees and --check runs
    THEN it exits 1 and the diff and change list name the table and column."""
    run_generate(codegen_runner, sqlite_db, tmp_path / "g")
    alter(sqlite_db, "hr", "ALTER TABLE employees ADD COLUMN phone VARCHAR(30)")
    result = run_generate(codegen_runner, sqlite_db, tmp_path / "g", "--check")
    assert result.exit_code == 1
    assert "+    phone: Mapped[Optional[str]]" in result.output
    assert "+ column hr.employees.phone VARCHAR(30) NULL" in result.output


def test_generate_check_writes_nothing(codegen_runner, sqlite_db, tmp_path):
    """GIVEN generated models and a changed database
    WHEN --check runs
    THEN the committed files are left as they were."""
    run_generate(codegen_runner, sqlite_db, tmp_path / "g")
    before = read_generated(tmp_path / "g")
    alter(sqlite_db, "ops", "ALTER TABLE sites ADD COLUMN region VARCHAR(20)")
    run_generate(codegen_runner, sqlite_db, tmp_path / "g", "--check")
    assert read_generated(tmp_path / "g") == before


@pytest.mark.parametrize(
    ("ddl", "expected"),
    [
        (
            "CREATE TABLE tools (tool_id INTEGER NOT NULL PRIMARY KEY)",
            "+ table ops.tools (1 columns)",
        ),
        ("DROP TABLE asset_events", "- table ops.asset_events"),
        ("ALTER TABLE sites DROP COLUMN name", "- column ops.sites.name"),
    ],
)
def test_generate_run_reports_what_changed(
    codegen_runner, sqlite_db, tmp_path, ddl, expected
):
    """GIVEN generated models
    WHEN the ops schema changes and models are regenerated
    THEN the command's output lists the change."""
    run_generate(codegen_runner, sqlite_db, tmp_path / "g")
    alter(sqlite_db, "ops", ddl)
    result = run_generate(codegen_runner, sqlite_db, tmp_path / "g")
    assert result.exit_code == 0, result.output
    assert expected in [line.strip() for line in result.output.splitlines()]


def test_generate_retyped_column_is_reported(codegen_runner, sqlite_db, tmp_path):
    """GIVEN generated models
    WHEN a column's type and nullability change and models are regenerated
    THEN both changes are reported for that column."""
    run_generate(codegen_runner, sqlite_db, tmp_path / "g")
    with sqlite3.connect(Path(sqlite_db.database).parent / "ops.db") as conn:
        conn.executescript(
            "DROP TABLE departments;"
            "CREATE TABLE departments (department_id INTEGER NOT NULL PRIMARY KEY,"
            " label VARCHAR(80) NOT NULL);"
        )
    lines = {
        line.strip()
        for line in run_generate(
            codegen_runner, sqlite_db, tmp_path / "g"
        ).output.splitlines()
    }
    assert "~ column ops.departments.label type VARCHAR(50) -> VARCHAR(80)" in lines
    assert "~ column ops.departments.label NULL -> NOT NULL" in lines


def test_generate_schemas_option_limits_modules(codegen_runner, sqlite_db, tmp_path):
    """GIVEN hr and ops schemas
    WHEN generated with --schemas ops
    THEN only ops.py is written."""
    result = run_generate(codegen_runner, sqlite_db, tmp_path / "g", "--schemas", "ops")
    assert result.exit_code == 0, result.output
    assert sorted(read_generated(tmp_path / "g")) == ["__init__.py", "ops.py"]


def test_generate_tables_option_keeps_referenced_tables(
    codegen_runner, sqlite_db, tmp_path
):
    """GIVEN hr.employees referencing hr.departments
    WHEN generated with --tables employees
    THEN employees and the departments it references are mapped, nothing else."""
    run_generate(codegen_runner, sqlite_db, tmp_path / "g", "--tables", "employees")
    tables = load_models(read_generated(tmp_path / "g")).metadata.tables
    assert sorted(tables) == ["hr.departments", "hr.employees"]


def test_generate_refuses_the_app_owned_schema(codegen_runner, sqlite_db, tmp_path):
    """GIVEN the hand-written tablefront schema
    WHEN someone asks to generate it
    THEN the command refuses with a usage error."""
    result = run_generate(
        codegen_runner, sqlite_db, tmp_path / "g", "--schemas", "tablefront"
    )
    assert result.exit_code == 2
    assert "hand-written" in result.output
