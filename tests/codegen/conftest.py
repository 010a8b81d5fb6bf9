"""Fixtures for the model generator: MSSQL-typed metadata, generation, ORM capture."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import (
    INTEGER,
    NVARCHAR,
    VARCHAR,
    Column,
    Computed,
    ForeignKey,
    Identity,
    MetaData,
    Table,
    UniqueConstraint,
    create_engine,
    create_mock_engine,
    event,
    text,
)
from sqlalchemy.dialects import mssql
from sqlalchemy.orm import Session

from app.cli import tablefront_cli
from app.codegen import commands  # noqa: F401  (registers `models generate`)
from app.codegen.drift import LoadedModels, load_models
from app.codegen.generator import TRIGGERS_INFO_KEY, VIEW_INFO_KEY, TablefrontGenerator

DB_COLLATION = "SQL_Latin1_General_CP1_CI_AS"
OTHER_COLLATION = "Latin1_General_BIN2"


def mssql_metadata() -> MetaData:
    """Tables shaped the way SQLAlchemy's mssql reflection returns them."""
    md = MetaData()

    def nvarchar(length: int | None) -> NVARCHAR:
        return NVARCHAR(length, collation=DB_COLLATION)

    Table(
        "departments",
        md,
        Column(
            "department_id",
            INTEGER(),
            Identity(start=1, increment=1),
            primary_key=True,
            nullable=False,
        ),
        Column("code", nvarchar(10), nullable=False),
        Column("name", nvarchar(100), nullable=False),
        Column("Cost Center", nvarchar(20)),
        UniqueConstraint("code", name="UQ_departments_code"),
        schema="hr",
    )
    Table(
        "employees",
        md,
        Column(
            "employee_id",
            INTEGER(),
            Identity(start=1, increment=1),
            primary_key=True,
            nullable=False,
        ),
        Column(
            "employee_guid",
            mssql.UNIQUEIDENTIFIER(),
            nullable=False,
            server_default=text("(newid())"),
        ),
        Column("login", nvarchar(256), nullable=False),
        Column("first_name", nvarchar(50), nullable=False),
        Column("badge_code", VARCHAR(20, collation=OTHER_COLLATION)),
        Column(
            "department_id",
            INTEGER(),
            ForeignKey("hr.departments.department_id"),
            nullable=False,
        ),
        Column("manager_id", INTEGER(), ForeignKey("hr.employees.employee_id")),
        Column("site_id", INTEGER(), ForeignKey("ops.sites.site_id")),
        Column("salary", mssql.MONEY()),
        Column("is_active", mssql.BIT(), nullable=False, server_default=text("((1))")),
        Column("notes", nvarchar(None)),
        Column(
            "modified_at",
            mssql.DATETIME2(),
            nullable=False,
            server_default=text("(getdate())"),
        ),
        Column("row_version", mssql.TIMESTAMP(), nullable=False),
        schema="hr",
    )
    Table(
        "sites",
        md,
        Column(
            "site_id",
            INTEGER(),
            Identity(start=1, increment=1),
            primary_key=True,
            nullable=False,
        ),
        Column("name", nvarchar(100), nullable=False),
        schema="ops",
    )
    Table(
        "departments",  # same name as hr.departments
        md,
        Column("department_id", INTEGER(), primary_key=True, nullable=False),
        Column("label", nvarchar(50)),
        schema="ops",
    )
    Table(
        "order_lines",
        md,
        Column("order_id", INTEGER(), primary_key=True, nullable=False),
        Column("line_no", INTEGER(), primary_key=True, nullable=False),
        Column("quantity", INTEGER(), nullable=False, server_default=text("((0))")),
        Column("unit_price", mssql.MONEY(), nullable=False),
        Column(
            "line_total",
            mssql.MONEY(),
            Computed("([quantity]*[unit_price])", persisted=True),
        ),
        Column("row_version", mssql.TIMESTAMP(), nullable=False),
        schema="sales",
    )
    Table(
        "audited_notes",
        md,
        Column(
            "note_id",
            INTEGER(),
            Identity(start=1, increment=1),
            primary_key=True,
            nullable=False,
        ),
        Column("body", nvarchar(None), nullable=False),
        schema="sales",
        info={TRIGGERS_INFO_KEY: True},
    )
    Table(
        "asset_events",  # no primary key; a reserved-word column
        md,
        Column("asset_id", INTEGER(), nullable=False),
        Column("user", nvarchar(100)),
        Column("happened_at", mssql.DATETIME2(), nullable=False),
        schema="ops",
    )
    Table(
        "v_order_totals",
        md,
        Column("order_id", INTEGER(), nullable=False),
        Column("total", mssql.MONEY()),
        schema="sales",
        info={VIEW_INFO_KEY: True},
    )
    return md


def mssql_bind() -> Any:
    """A mock engine used only for its mssql dialect (no server)."""
    return create_mock_engine("mssql+pyodbc://", lambda *a, **k: None)


def compile_mssql(statement: Any, **kw: Any) -> str:
    """Compile with the mssql dialect of a modern server."""
    dialect = mssql.dialect()
    dialect.server_version_info = (16,)
    dialect._supports_offset_fetch = True
    return str(statement.compile(dialect=dialect, **kw))


class _Captured(Exception):
    pass


def orm_insert_as_mssql(obj: Any) -> str:
    """The INSERT the ORM would flush for *obj*, compiled for SQL Server.

    The flush runs against an empty SQLite database; the first statement is captured
    before it executes, then recompiled with the mssql dialect with the same column
    keys the ORM chose.
    """
    engine = create_engine("sqlite://")
    captured: list[Any] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(conn, cursor, statement, params, context, executemany) -> None:
        captured.append(context.compiled)
        raise _Captured

    with Session(engine) as session:
        session.add(obj)
        with pytest.raises(Exception) as caught:
            session.flush()
        assert captured, f"nothing was flushed: {caught.value!r}"
    compiled = captured[0]
    return compile_mssql(compiled.statement, column_keys=compiled.column_keys)


@pytest.fixture
def generate() -> Callable[..., dict[str, str]]:
    """Run the generator over metadata (mssql dialect by default)."""

    def run(metadata: MetaData, bind: Any = None, **kw: Any) -> dict[str, str]:
        return TablefrontGenerator(
            metadata, bind or mssql_bind(), **kw
        ).generate_modules()

    return run


@pytest.fixture
def mssql_models(generate) -> tuple[dict[str, str], LoadedModels]:
    """Modules generated from mssql_metadata(), loaded on a throwaway db."""
    sources = generate(mssql_metadata())
    return sources, load_models(sources)


@pytest.fixture
def codegen_runner():
    """A CLI runner for a bare Flask app carrying the `tablefront` group."""
    app = Flask("codegen_tests")
    app.cli.add_command(tablefront_cli)
    return app.test_cli_runner()
