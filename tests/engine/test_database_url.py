"""The engine URL and options built from configuration."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

import config as tablefront_config
from app.database import database_url, engine_options
from config import ConfigError


def settings(**env: str) -> dict:
    config = tablefront_config.TestingConfig({"TABLEFRONT_ENV": "testing", **env})
    return {k: getattr(config, k) for k in dir(config) if k.isupper()}


def connect_string(url) -> str:
    """The ODBC connection string SQLAlchemy's pyodbc dialect would pass to pyodbc."""
    from sqlalchemy.dialects.mssql.pyodbc import dialect

    args, _ = dialect().create_connect_args(url)
    return args[0]


def test_database_url_server_and_name_uses_windows_authentication_once():
    """GIVEN server + database, no user WHEN built THEN one Trusted_Connection."""
    url = database_url(
        settings(TABLEFRONT_DB_SERVER="sql01.contoso.local", TABLEFRONT_DB_NAME="Ops")
    )
    odbc = connect_string(url)
    assert odbc.count("Trusted_Connection=Yes") == 1
    assert "DRIVER={ODBC Driver 18 for SQL Server}" in odbc
    assert "Server=sql01.contoso.local" in odbc
    assert "Database=Ops" in odbc


def test_database_url_explicit_trusted_connection_is_not_duplicated():
    """GIVEN a URL that also says Trusted_Connection=yes WHEN built THEN it is once."""
    url = database_url(
        settings(
            TABLEFRONT_DATABASE_URL="mssql+pyodbc://@sql01/Ops?driver=ODBC+Driver+18"
            "+for+SQL+Server&Trusted_Connection=yes"
        )
    )
    assert connect_string(url).lower().count("trusted_connection") == 1


def test_database_url_host_and_driver_without_database_is_refused():
    """GIVEN host and driver but no database WHEN built THEN ConfigError."""
    with pytest.raises(ConfigError, match="no database"):
        database_url(
            settings(
                TABLEFRONT_DATABASE_URL="mssql+pyodbc://@sql01?driver=ODBC+Driver+18"
                "+for+SQL+Server"
            )
        )


def test_database_url_freetds_pins_tds_version():
    """GIVEN the FreeTDS driver WHEN built THEN TDS_Version=7.4 (no slow re-probe)."""
    url = database_url(
        settings(
            TABLEFRONT_DATABASE_URL="mssql+pyodbc://@127.0.0.1:1433/db?driver=FreeTDS"
        )
    )
    assert url.query["TDS_Version"] == "7.4"


def test_engine_options_mssql_sets_login_timeout_pre_ping_fast_executemany():
    """GIVEN a SQL Server URL WHEN options are built THEN timeout, ping, executemany."""
    config = settings(TABLEFRONT_DB_LOGIN_TIMEOUT="3")
    options = engine_options(make_url("mssql+pyodbc://@s/db?driver=X"), config)
    assert options["connect_args"] == {"timeout": 3}
    assert options["pool_pre_ping"] is True
    assert options["fast_executemany"] is True


def test_engine_options_postgres_pings_sqlite_does_not():
    """GIVEN a PostgreSQL and a SQLite URL
    WHEN options are built
    THEN the server connection is pinged before use and the SQLite file is not."""
    config = settings()
    pg = engine_options(make_url("postgresql+psycopg://u@h/db"), config)
    lite = engine_options(make_url("sqlite:////tmp/x.db"), config)
    assert pg["pool_pre_ping"] is True
    assert lite["pool_pre_ping"] is False


def test_engine_options_schema_map_becomes_schema_translate_map():
    """GIVEN SCHEMA_MAP hr=hr_uat WHEN options are built THEN it is mapped."""
    config = settings(TABLEFRONT_SCHEMA_MAP="hr=hr_uat;ops=ops_uat")
    options = engine_options(make_url("sqlite://"), config)
    assert options["execution_options"]["schema_translate_map"] == {
        "hr": "hr_uat",
        "ops": "ops_uat",
    }


def test_engine_options_pooled_connections_are_reused_last_in_first_out():
    """GIVEN a SQLite file and a SQL Server URL
    WHEN options are built
    THEN the pool hands out the connection used last (its caches are warm)."""
    config = settings()
    lite = engine_options(make_url("sqlite:////tmp/x.db"), config)
    server = engine_options(make_url("mssql+pyodbc://@s/db?driver=X"), config)
    assert (lite["pool_use_lifo"], server["pool_use_lifo"]) == (True, True)


def test_engine_options_in_memory_sqlite_engine_still_starts():
    """GIVEN an in-memory SQLite URL (a pool of one connection per thread)
    WHEN an engine is created with its options
    THEN it starts and answers (no pool option it cannot take)."""
    from sqlalchemy import create_engine, text

    url = make_url("sqlite://")
    engine = create_engine(url, **engine_options(url, settings()))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
