"""Opt-in SQL Server tier: generation and a round trip against a real server.

Run on a machine that can reach SQL Server (e.g. a Windows developer PC)::

    set TABLEFRONT_TEST_MSSQL_URL=mssql+pyodbc://@SQLHOST/TablefrontTest?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes
    .venv\\Scripts\\pytest -m mssql_live tests/codegen

The database must be disposable: the tests create and drop schema ``tf_live``.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from app.codegen.drift import load_models
from app.codegen.models_folder import read_generated

pytestmark = pytest.mark.mssql_live

URL_VARIABLE = "TABLEFRONT_TEST_MSSQL_URL"
SCHEMA = "tf_live"
BATCHES = [
    f"CREATE SCHEMA {SCHEMA}",
    f"""CREATE TABLE {SCHEMA}.widgets (
        widget_id int IDENTITY(1,1) NOT NULL CONSTRAINT PK_widgets PRIMARY KEY,
        name nvarchar(100) NOT NULL,
        price money NULL,
        is_active bit NOT NULL CONSTRAINT DF_widgets_active DEFAULT ((1)),
        created_at datetime2 NOT NULL CONSTRAINT DF_widgets_created DEFAULT (getdate()),
        qty int NOT NULL CONSTRAINT DF_widgets_qty DEFAULT ((0)),
        total AS (qty * price) PERSISTED,
        row_version rowversion NOT NULL)""",
    f"""CREATE TRIGGER {SCHEMA}.tr_widgets ON {SCHEMA}.widgets AFTER INSERT AS
        SET NOCOUNT ON""",
]


@pytest.fixture
def mssql_url():
    """A real SQL Server with a throwaway schema, from TABLEFRONT_TEST_MSSQL_URL."""
    raw = os.environ.get(URL_VARIABLE)
    if not raw:
        pytest.skip(f"{URL_VARIABLE} is not set (opt-in SQL Server tier)")
    url = make_url(raw)
    engine = create_engine(url)

    def drop() -> None:
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {SCHEMA}.widgets"))
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA}"))

    drop()
    for batch in BATCHES:
        with engine.begin() as conn:
            conn.execute(text(batch))
    yield url
    drop()
    engine.dispose()


def test_generate_mssql_live_round_trips_a_row(codegen_runner, mssql_url, tmp_path):
    """GIVEN a SQL Server table with identity, money, bit, computed, rowversion and a
    trigger
    WHEN models are generated from it and a row is inserted through them
    THEN the insert succeeds and the key, rowversion and computed total come back."""
    result = codegen_runner.invoke(
        args=[
            "tablefront",
            "models",
            "generate",
            "--url",
            mssql_url.render_as_string(hide_password=False),
            "--schemas",
            SCHEMA,
            "--out",
            str(tmp_path),
        ]
    )
    assert result.exit_code == 0, result.output
    loaded = load_models(read_generated(tmp_path))
    widget = loaded.namespaces[f"{SCHEMA}.py"]["TfLiveWidget"]
    assert widget.__table__.implicit_returning is False
    engine = create_engine(mssql_url)
    with Session(engine) as session:
        row = widget(name="Sprocket", price=2, qty=3)
        session.add(row)
        session.commit()
        assert row.widget_id >= 1
        assert len(row.row_version) == 8
        assert row.total == 6
    engine.dispose()


def test_generate_mssql_live_check_matches_right_after_generation(
    codegen_runner, mssql_url, tmp_path
):
    """GIVEN models just generated from SQL Server
    WHEN --check runs
    THEN it says the models match."""
    args = [
        "tablefront",
        "models",
        "generate",
        "--url",
        mssql_url.render_as_string(hide_password=False),
        "--schemas",
        SCHEMA,
        "--out",
        str(tmp_path),
    ]
    codegen_runner.invoke(args=args)
    result = codegen_runner.invoke(args=[*args, "--check"])
    assert result.exit_code == 0, result.output
