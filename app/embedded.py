"""The embedded database: SQLite files, one per schema, standing in for SQL Server.

Every connection ATTACHes each schema's file (absolute path), turns foreign keys on,
and registers the SQL Server functions the models' server defaults call.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _utcnow() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


def _now() -> str:
    return dt.datetime.now().isoformat(sep=" ")


# SQL Server functions that appear in server defaults, with SQLite equivalents.
SQLSERVER_FUNCTIONS = {
    "getdate": (0, _now),
    "sysdatetime": (0, _now),
    "getutcdate": (0, _utcnow),
    "sysutcdatetime": (0, _utcnow),
    "newid": (0, lambda: str(uuid.uuid4()).upper()),
    "newsequentialid": (0, lambda: str(uuid.uuid4()).upper()),
}


def install_sqlite_hooks(engine: Engine, db_dir: Path, schemas: list[str]) -> None:
    """ATTACH ``<db_dir>/<schema>.db`` AS schema on every new connection."""
    db_dir = Path(db_dir).resolve()
    db_dir.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        for name, (nargs, func) in SQLSERVER_FUNCTIONS.items():
            dbapi_connection.create_function(name, nargs, func)
        cursor = dbapi_connection.cursor()
        try:
            for schema in schemas:
                cursor.execute(
                    "ATTACH DATABASE ? AS " + _quote(schema),
                    (str(db_dir / f"{schema}.db"),),
                )
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            for schema in schemas:
                cursor.execute(f"PRAGMA {_quote(schema)}.journal_mode=WAL")
        finally:
            cursor.close()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
