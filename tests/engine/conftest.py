"""Loopback endpoints for SQL Server failure paths: closed port, silent, trickling."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
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


class TricklingServer:
    """A fake TDS server: accepts, then sends its prelogin reply one byte a second.

    Every byte restarts the driver's per-packet login timeout, so without a deadline
    around the whole connect a login waits for the full reply (``total_bytes``
    seconds) and then fails on its nonsense.
    """

    # A TDS prelogin reply header (type 4, status EOM) claiming a 4 KB packet.
    HEADER = bytes([0x04, 0x01, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00])

    def __init__(self, total_bytes: int, interval: float = 1.0) -> None:
        self.total_bytes = total_bytes
        self.interval = interval
        self.accepted = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port: int = self._sock.getsockname()[1]
        self._clients: list[socket.socket] = []
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._clients.append(client)
            threading.Thread(target=self._trickle, args=(client,), daemon=True).start()

    def _trickle(self, client: socket.socket) -> None:
        reply = (self.HEADER + bytes(self.total_bytes))[: self.total_bytes]
        try:
            for byte in reply:
                if self._stopped.wait(self.interval):
                    return
                client.sendall(bytes([byte]))
        except OSError:
            pass
        finally:
            client.close()

    def stop(self) -> None:
        """Close the listener and every client, so abandoned connects end."""
        self._stopped.set()
        self._sock.close()
        for client in self._clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()


@pytest.fixture
def trickling_server() -> Iterator[TricklingServer]:
    """A loopback fake TDS server that needs ~12 s to trickle its prelogin reply."""
    server = TricklingServer(total_bytes=12)
    yield server
    server.stop()
    _wait_for_abandoned_connects()


def _wait_for_abandoned_connects(limit: float = 10.0) -> None:
    """Let helper threads of abandoned connects see the closed socket and end."""
    from app.connect_guard import abandoned

    ends = time.monotonic() + limit
    while abandoned.count and time.monotonic() < ends:
        time.sleep(0.05)
