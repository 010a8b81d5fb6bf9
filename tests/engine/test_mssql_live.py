"""Opt-in: a real SQL Server named by TABLEFRONT_TEST_MSSQL_URL. Creates nothing."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, make_url, text

from app.database import normalize_mssql_url

pytestmark = pytest.mark.mssql_live
LIVE_URL = os.environ.get("TABLEFRONT_TEST_MSSQL_URL")


@pytest.fixture
def live_engine():
    if not LIVE_URL:
        pytest.skip(
            "TABLEFRONT_TEST_MSSQL_URL is not set (e.g. mssql+pyodbc://@sqlhost/"
            "Tablefront?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes)"
        )
    engine = create_engine(
        normalize_mssql_url(make_url(LIVE_URL)), connect_args={"timeout": 10}
    )
    yield engine
    engine.dispose()


def test_live_mssql_select_version_answers_sql_server(live_engine):
    """GIVEN a real SQL Server WHEN SELECT @@VERSION runs THEN it names SQL Server."""
    with live_engine.connect() as conn:
        version = conn.execute(text("SELECT @@VERSION")).scalar()
    assert "Microsoft SQL Server" in version


def test_live_mssql_server_version_supports_offset_fetch(live_engine):
    """GIVEN a real SQL Server WHEN connected THEN version >= 2012 (OFFSET/FETCH)."""
    with live_engine.connect() as conn:
        assert conn.dialect.server_version_info >= (11,)
