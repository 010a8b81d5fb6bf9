"""The live SQL Server tier: the real app against a real server (opt-in).

With ``TABLEFRONT_TEST_MSSQL_URL`` set (a login that may CREATE DATABASE), a
throwaway database ``TablefrontLive_<pid>`` is created on that server, loaded the
way a DBA would (``sql/demo`` without 00_database.sql, ``sql/app`` without the
grants, then ``tests/mssql_live/livetest.sql``: DATETIME, trigger and temporal
tables), seeded with the small demo seed, and dropped at the end of the session
(``TABLEFRONT_TEST_MSSQL_KEEP=1`` keeps it for a look). Unset, every test here skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import (
    URL,
    Column,
    DateTime,
    FetchedValue,
    Identity,
    Integer,
    MetaData,
    Numeric,
    Table,
    Unicode,
    create_engine,
    make_url,
)
from sqlalchemy.dialects import mssql

from app.catalog import build_catalog, set_catalog, settings_path
from app.codegen.tsql_scripts import split_batches
from app.database import normalize_mssql_url

URL_VARIABLE = "TABLEFRONT_TEST_MSSQL_URL"
ROOT = Path(__file__).resolve().parents[2]
SQL_SCRIPTS = [
    *sorted((ROOT / "sql" / "demo").glob("[1-9]*.sql")),
    ROOT / "sql" / "app" / "10_tablefront_schema.sql",
    Path(__file__).with_name("livetest.sql"),
]
SEED_SCALE = 0.05
TESTER = "CONTOSO\\livetester"
ACCESS_TOML = """
version = 1
[roles.live]
users = ["*"]
admin = true
[[roles.live.grants]]
tables = ["*.*"]
actions = ["*"]
"""

live_metadata = MetaData()
stamps = Table(
    "stamps",
    live_metadata,
    Column("stamp_id", Integer, primary_key=True, autoincrement=False),
    Column("label", Unicode(50), nullable=False),
    Column("happened_at", mssql.DATETIME, nullable=False),
    Column("noted_at", mssql.SMALLDATETIME),
    schema="livetest",
)
notes = Table(
    "notes",
    live_metadata,
    Column("note_id", Integer, Identity(), primary_key=True),
    Column("body", Unicode(200), nullable=False),
    Column("touched", Integer, nullable=False, server_default="0"),
    schema="livetest",
    implicit_returning=False,  # a trigger: SQL Server refuses OUTPUT (Msg 334)
)
prices = Table(
    "prices",
    live_metadata,
    Column("price_id", Integer, primary_key=True, autoincrement=False),
    Column("amount", Numeric(10, 2), nullable=False),
    Column("valid_from", DateTime, server_default=FetchedValue(), nullable=False),
    Column("valid_to", DateTime, server_default=FetchedValue(), nullable=False),
    schema="livetest",
)
LIVE_TABLES = (stamps, notes, prices)


def live_url() -> URL | None:
    """The server named by TABLEFRONT_TEST_MSSQL_URL, or None."""
    text = os.environ.get(URL_VARIABLE)
    return normalize_mssql_url(make_url(text)) if text else None


def run_script(connection, path: Path) -> None:
    """Run a sqlcmd script batch by batch (split on GO lines), as sqlcmd does."""
    for batch in split_batches(path.read_text(encoding="utf-8")):
        connection.exec_driver_sql(batch)


@pytest.fixture(scope="session")
def live_database() -> Iterator[URL]:
    """URL of a throwaway database loaded from sql/ and seeded; skips when unset."""
    server = live_url()
    if server is None:
        pytest.skip(
            f"{URL_VARIABLE} is not set (e.g. mssql+pyodbc://sa:...@localhost:1433/"
            "master?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes)"
        )
    name = f"TablefrontLive_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"IF DB_ID(N'{name}') IS NOT NULL BEGIN "
            f"ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; "
            f"DROP DATABASE [{name}]; END"
        )
        conn.exec_driver_sql(
            f"CREATE DATABASE [{name}] COLLATE SQL_Latin1_General_CP1_CI_AS"
        )
        # Readers do not wait for writers (documented in README, SQL Server).
        conn.exec_driver_sql(f"ALTER DATABASE [{name}] SET READ_COMMITTED_SNAPSHOT ON")
    url = server.set(database=name)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for path in SQL_SCRIPTS:
                run_script(conn, path)
        _seed(url)
        yield url
    finally:
        engine.dispose()
        if os.environ.get("TABLEFRONT_TEST_MSSQL_KEEP") != "1":
            with admin.connect() as conn:
                conn.exec_driver_sql(
                    f"ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE"
                )
                conn.exec_driver_sql(f"DROP DATABASE [{name}]")
        admin.dispose()


def _seed(url: URL) -> None:
    from app import models  # noqa: F401  (maps the demo tables on db.metadata)
    from app.demo.seed import seed_database
    from app.extensions import db

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            seed_database(conn, db.metadata, scale=SEED_SCALE)
    finally:
        engine.dispose()


@pytest.fixture
def live_app(make_app, tmp_path, live_database) -> Flask:
    """The app bound to the live database: demo and livetest tables, one role that
    may do everything (admin, for the audit log), CSRF off for form posts."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    app = make_app(
        TABLEFRONT_DATABASE_URL=live_database.render_as_string(hide_password=False),
        TABLEFRONT_ACCESS_FILE=str(access),
        TABLEFRONT_SECRET_KEY="live" * 10,
    )
    app.config["WTF_CSRF_ENABLED"] = False
    from app.extensions import db

    tables = [*db.metadata.tables.values(), *LIVE_TABLES]
    set_catalog(app, build_catalog(tables, settings_path(app)))
    return app


@pytest.fixture
def live_client(live_app):
    """A client signed in as the live tester, as IIS passes REMOTE_USER."""
    client = live_app.test_client()
    client.environ_base.update({"REMOTE_USER": TESTER, "AUTH_TYPE": "Negotiate"})
    return client
