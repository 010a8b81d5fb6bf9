"""Engine configuration: SQL Server in production, SQLite files as schemas embedded.

The models use logical schema names (``hr``, ``ops``); ``TABLEFRONT_SCHEMA_MAP`` maps
them to physical names through SQLAlchemy's ``schema_translate_map``. The embedded
database keeps one SQLite file per physical schema, ATTACHed on every connect.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import URL, event, make_url
from sqlalchemy.engine import Engine

from app.breaker import CircuitBreaker
from app.connect_guard import install_connect_guard
from app.extensions import db
from app.session_context import install_session_context
from config import ConfigError

log = logging.getLogger(__name__)

MAIN_DB_FILE = "main.db"
BREAKER_KEY = "tablefront_db_breaker"


def database_url(config: dict[str, Any]) -> URL:
    """The configured URL: explicit, built from server + name, or the embedded one."""
    if config.get("DATABASE_URL"):
        try:
            url = make_url(config["DATABASE_URL"])
        except Exception:
            raise ConfigError(
                "TABLEFRONT_DATABASE_URL is not a valid SQLAlchemy URL "
                "(e.g. mssql+pyodbc://@server/db?driver=ODBC+Driver+18+for+SQL+Server)"
            ) from None
        return normalize_mssql_url(url)
    if config.get("DB_SERVER"):
        query = server_query(config)
        # No user name: SQLAlchemy adds Trusted_Connection=Yes (the app pool identity).
        return normalize_mssql_url(
            URL.create(
                "mssql+pyodbc",
                username=config.get("DB_USER"),
                password=config.get("DB_PASSWORD"),
                host=config["DB_SERVER"],
                database=config["DB_NAME"],
                query=query,
            )
        )
    db_dir = Path(config["EMBEDDED_DB_DIR"]).resolve()
    return URL.create("sqlite", database=str(db_dir / MAIN_DB_FILE))


def server_query(config: dict[str, Any]) -> dict[str, str]:
    """ODBC keywords for TABLEFRONT_DB_SERVER: driver, encryption, certificate, name."""
    query = {"driver": config["DB_DRIVER"], "Encrypt": config["DB_ENCRYPT"]}
    if config.get("DB_TRUST_SERVER_CERTIFICATE"):
        query["TrustServerCertificate"] = "yes"
    if config.get("DB_HOSTNAME_IN_CERTIFICATE"):
        query["HostNameInCertificate"] = config["DB_HOSTNAME_IN_CERTIFICATE"]
    if config.get("DB_MULTI_SUBNET_FAILOVER"):
        query["MultiSubnetFailover"] = "Yes"
    query["APP"] = config.get("DB_APP_NAME") or "Tablefront"
    return query


def normalize_mssql_url(url: URL) -> URL:
    """Fix the mssql+pyodbc URL mistakes that only show up on the server.

    - A host with a driver but no database would be read as an ODBC DSN name.
    - ``Trusted_Connection`` without a user name is added by SQLAlchemy itself; a
      second copy in the query would reach the driver twice.
    - FreeTDS (Linux) negotiates the TDS version by retrying, which multiplies the
      login timeout against a server that never answers; pin TDS 7.4 (SQL Server
      2012 and later) unless the URL names a version.
    """
    if url.get_backend_name() != "mssql" or url.get_driver_name() != "pyodbc":
        return url
    keys = {key.lower(): key for key in url.query}
    if "odbc_connect" in keys:
        return url  # a raw ODBC connection string is taken as written
    if url.host and not url.database and "driver" in keys:
        raise ConfigError(
            f"The database URL names server {url.host!r} and an ODBC driver but no "
            "database: add /<database> after the server (without it the server "
            "name is read as an ODBC DSN)."
        )
    if not url.username and "trusted_connection" in keys:
        url = url.difference_update_query([keys["trusted_connection"]])
    driver = str(url.query.get(keys.get("driver", "driver"), ""))
    if "freetds" in driver.lower() and "tds_version" not in keys:
        url = url.update_query_dict({"TDS_Version": "7.4"})
    return url


def engine_options(url: URL, config: dict[str, Any]) -> dict[str, Any]:
    """Pool, timeout and schema-map options for the URL's backend."""
    backend = url.get_backend_name()
    # A server connection can go stale (failover, idle timeout): ping before use. A
    # SQLite file cannot, so the embedded database skips the extra round trip.
    options: dict[str, Any] = {"pool_pre_ping": backend != "sqlite"}
    # Hand out the connection used last: its caches are warm (SQLite's page cache is
    # per connection) and, on a server, connections left idle can time out.
    # (An in-memory SQLite database has a pool of one connection per thread.)
    if backend != "sqlite" or (url.database or ":memory:") != ":memory:":
        options["pool_use_lifo"] = True
    if config.get("SCHEMA_MAP"):
        options["execution_options"] = {
            "schema_translate_map": dict(config["SCHEMA_MAP"])
        }
    if backend == "mssql":
        options["connect_args"] = {"timeout": config["DB_LOGIN_TIMEOUT"]}
        if url.get_driver_name() == "pyodbc":
            options["fast_executemany"] = True
    elif backend == "postgresql":
        options["connect_args"] = {
            "connect_timeout": config["DB_LOGIN_TIMEOUT"],
            "options": f"-c statement_timeout={config['DB_QUERY_TIMEOUT'] * 1000}",
        }
    elif backend == "sqlite":
        options["connect_args"] = {"timeout": config["DB_LOGIN_TIMEOUT"]}
    return options


def physical_schemas(config: dict[str, Any]) -> list[str]:
    """Physical names of every schema the models or the schema map name."""
    schema_map = config.get("SCHEMA_MAP") or {}
    logical = {t.schema for t in db.metadata.tables.values() if t.schema}
    return sorted({schema_map.get(s, s) for s in logical} | set(schema_map.values()))


def check_odbc_driver(url: URL) -> None:
    """Fail at start-up, not on the first request, when the ODBC driver is missing."""
    if url.get_backend_name() != "mssql" or url.get_driver_name() != "pyodbc":
        return
    driver = url.query.get("driver")
    if not driver:
        return  # a DSN names its own driver
    try:
        import pyodbc
    except ImportError as exc:
        raise ConfigError(f"pyodbc cannot be imported: {exc}") from None
    installed = pyodbc.drivers()
    if driver not in installed:
        raise ConfigError(
            f"ODBC driver {driver!r} is not installed on this server. Installed: "
            f"{', '.join(installed) or 'none'}. Install it or set TABLEFRONT_DB_DRIVER."
        )


def register_database(app: Flask) -> None:
    """Bind Flask-SQLAlchemy to the configured database and backend hooks."""
    from app import models  # noqa: F401  (registers every table on db.metadata)
    from app.data.db_errors import install_transient_errors
    from app.models.site_models import check_models_dir

    check_models_dir(app.config.get("MODELS_DIR"))
    url = database_url(app.config)
    check_odbc_driver(url)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(url, app.config)
    db.init_app(app)
    app.extensions["tablefront_db_description"] = url.render_as_string(
        hide_password=True
    )
    with app.app_context():
        engine = db.engine
    install_transient_errors(engine)
    app.extensions[BREAKER_KEY] = breaker = CircuitBreaker(
        app.config["DB_BREAKER_FAILURES"],
        app.config["DB_BREAKER_WINDOW"],
        app.config["DB_BREAKER_OPEN_SECONDS"],
    )
    if url.get_backend_name() != "sqlite":
        # A local SQLite file cannot hang on a network: no helper thread for it.
        install_connect_guard(engine, app.config["DB_CONNECT_DEADLINE"], breaker)
    if url.get_backend_name() == "sqlite":
        from app.embedded import install_sqlite_hooks

        install_sqlite_hooks(
            engine, Path(url.database).parent, physical_schemas(app.config)
        )
        # The development database is built by app.dev.startup (create_app).
    elif url.get_backend_name() == "mssql":
        _install_mssql_query_timeout(engine, app.config["DB_QUERY_TIMEOUT"])
        install_session_context(engine)


def connect_breaker(app: Flask) -> CircuitBreaker:
    """This process's database circuit breaker."""
    return app.extensions[BREAKER_KEY]


def _install_mssql_query_timeout(engine: Engine, seconds: int) -> None:
    @event.listens_for(engine, "connect")
    def _set_timeout(dbapi_connection, _record) -> None:
        if hasattr(dbapi_connection, "timeout"):
            dbapi_connection.timeout = seconds
