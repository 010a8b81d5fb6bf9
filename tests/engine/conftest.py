"""Loopback endpoints for SQL Server failure paths: closed port, silent listener."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator

import pytest


def _odbc_available() -> str | None:
    """None when pyodbc + the FreeTDS ODBC driver can be used, else the reason."""
    try:
        import pyodbc
    except ImportError as exc:
        return f"pyodbc cannot be imported: {exc}"
    if "FreeTDS" not in pyodbc.drivers():
        hint = "odbcinst not found" if not shutil.which("odbcinst") else "not listed"
        return (
            "the FreeTDS ODBC driver is not registered with unixODBC "
            f"({hint}; install Debian packages unixodbc tdsodbc)"
        )
    return None


@pytest.fixture
def freetds() -> None:
    """Skip (with the reason) unless unixODBC + FreeTDS + pyodbc are usable."""
    reason = _odbc_available()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def mssql_url(port: int, driver: str = "FreeTDS") -> str:
    """A Windows-auth style SQL Server URL on 127.0.0.1 with the given ODBC driver."""
    return (
        f"mssql+pyodbc://@127.0.0.1:{port}/tablefront?"
        f"driver={driver.replace(' ', '+')}&TrustServerCertificate=yes"
    )
