"""The committed demo models are exactly what the generator writes from sql/demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table

from app.codegen.drift import load_models
from app.codegen.models_folder import read_generated
from app.codegen.sources import APP_OWNED_SCHEMA
from app.codegen.tsql_ddl import metadata_from_tsql

ROOT = Path(__file__).resolve().parents[2]
DEMO_SQL = ROOT / "sql" / "demo"
COMMITTED = ROOT / "app" / "models" / "generated"


@pytest.fixture(scope="module")
def committed() -> MetaData:
    """The committed generated modules, loaded on a throwaway db."""
    return load_models(read_generated(COMMITTED)).metadata


@pytest.fixture(scope="module")
def ddl() -> dict[str, Table]:
    """The demo tables as the T-SQL scripts define them."""
    metadata = metadata_from_tsql([DEMO_SQL])
    return {k: t for k, t in metadata.tables.items() if t.schema != APP_OWNED_SCHEMA}


def foreign_keys(table: Table) -> set[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """(local columns, referred table, referred columns) for each foreign key."""
    return {
        (
            tuple(c.name for c in fk.columns),
            fk.elements[0].column.table.fullname,
            tuple(e.column.name for e in fk.elements),
        )
        for fk in table.foreign_key_constraints
    }


def test_demo_models_are_byte_identical_to_a_fresh_generation(codegen_runner, tmp_path):
    """GIVEN the committed app/models/generated
    WHEN models are regenerated from sql/demo into a temporary folder
    THEN every file is byte-identical (nothing was edited by hand or left stale)."""
    result = codegen_runner.invoke(
        args=[
            "tablefront",
            "models",
            "generate",
            "--from-ddl",
            str(DEMO_SQL),
            "--out",
            str(tmp_path),
        ]
    )
    assert result.exit_code == 0, result.output
    assert read_generated(tmp_path) == read_generated(COMMITTED)


def test_demo_models_check_mode_reports_match(codegen_runner):
    """GIVEN the committed demo models
    WHEN the drift check runs against sql/demo
    THEN it exits 0 and says the models match."""
    result = codegen_runner.invoke(
        args=[
            "tablefront",
            "models",
            "generate",
            "--from-ddl",
            str(DEMO_SQL),
            "--out",
            str(COMMITTED),
            "--check",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "models match" in result.output


def test_demo_models_have_the_ddl_tables(committed, ddl):
    """GIVEN sql/demo and the committed models
    WHEN their table names are compared
    THEN they are the same set."""
    assert sorted(committed.tables) == sorted(ddl)


def test_demo_models_columns_and_nullability_match_the_ddl(committed, ddl):
    """GIVEN each demo table
    WHEN its columns are compared in order with nullability
    THEN the committed model agrees with the DDL."""
    for key, table in ddl.items():
        expected = [(c.name, c.nullable) for c in table.columns]
        assert [(c.name, c.nullable) for c in committed.tables[key].columns] == (
            expected
        ), key


def test_demo_models_primary_and_foreign_keys_match_the_ddl(committed, ddl):
    """GIVEN each demo table
    WHEN primary and foreign keys are compared
    THEN the committed model agrees with the DDL."""
    for key, table in ddl.items():
        model = committed.tables[key]
        assert [c.name for c in model.primary_key.columns] == [
            c.name for c in table.primary_key.columns
        ], key
        assert foreign_keys(model) == foreign_keys(table), key
