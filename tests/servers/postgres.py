"""A throwaway PostgreSQL cluster for the ``postgres`` test tier.

Fixtures (registered for every test by the root conftest's ``pytest_plugins``):

``pg_url`` (session)
    A ``sqlalchemy.URL`` (``postgresql+psycopg://postgres@127.0.0.1:<port>/tablefront``)
    of a cluster started once per test session (once per xdist worker) in a temporary
    directory, listening on 127.0.0.1 only, on a free port, with trust authentication
    and durability switched off for speed. The cluster is stopped and deleted at
    session end. Tests that use it should carry ``@pytest.mark.postgres``.

``pg_database`` (function)
    A fresh, empty database on that cluster for one test (``CREATE DATABASE t_<n>``);
    yields its URL and drops it afterwards, so tests never see each other's tables.
    Prefer this over ``pg_url`` when a test creates schemas or tables.

When the PostgreSQL server binaries (Debian ``postgresql-15``: ``initdb``/``pg_ctl``
under ``/usr/lib/postgresql/<v>/bin``) or the ``psycopg`` driver are missing, both
fixtures skip with the reason; CI turns that skip into a failure through
``TABLEFRONT_REQUIRE_TIERS``. ``initdb`` refuses to run as root, so as root the server
runs as the ``postgres`` OS user (``runuser -u postgres --``).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, text

DB_NAME = "tablefront"
SUPERUSER = "postgres"
_database_numbers = itertools.count(1)


def _find_bin_dir() -> Path | None:
    """The newest PostgreSQL bin directory that has initdb and pg_ctl."""
    override = os.environ.get("TABLEFRONT_PG_BIN")
    candidates = [override] if override else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).parent))
    for candidate in candidates:
        path = Path(candidate)
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runner_prefix() -> tuple[list[str], str | None]:
    """Command prefix to run server binaries as a non-root user, and that user."""
    if os.geteuid() != 0:
        return [], None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and no 'postgres' OS user exists for initdb")
    runuser = shutil.which("runuser")
    if not runuser:
        pytest.skip("running as root and runuser is missing (initdb refuses root)")
    return [runuser, "-u", "postgres", "--"], "postgres"


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )


@pytest.fixture(scope="session")
def pg_url() -> Iterator[URL]:
    """URL of a throwaway PostgreSQL cluster on 127.0.0.1 (database ``tablefront``)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install -r requirements-dev.txt)")
    bin_dir = _find_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under "
            "/usr/lib/postgresql/*/bin; install the Debian package postgresql-15"
        )
    prefix, os_user = _runner_prefix()
    root = Path(tempfile.mkdtemp(prefix="tablefront-pg-"))
    data_dir = root / "data"
    log_file = root / "server.log"
    if os_user:
        entry = pwd.getpwnam(os_user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    port = _free_port()
    try:
        _run(
            prefix
            + [
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        server_options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} "
            f"-c unix_socket_directories='{root}' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        _run(
            prefix
            + [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data_dir),
                "-l",
                str(log_file),
                "-o",
                server_options,
                "-w",
                "-t",
                "30",
                "start",
            ]
        )
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start the throwaway PostgreSQL cluster: {exc}")

    admin = URL.create(
        "postgresql+psycopg",
        username=SUPERUSER,
        host="127.0.0.1",
        port=port,
        database="postgres",
    )
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    finally:
        engine.dispose()
    try:
        yield admin.set(database=DB_NAME)
    finally:
        subprocess.run(
            prefix
            + [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        # Give the postmaster a moment to release files before deleting them.
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_database(pg_url: URL) -> Iterator[URL]:
    """URL of a fresh, empty database on the throwaway cluster, dropped afterwards."""
    name = f"t_{os.getpid()}_{next(_database_numbers)}"
    admin = create_engine(pg_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield pg_url.set(database=name)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
