"""Fixtures shared by every test tier: ``make_app``, ``app``, ``client``, ``runner``.

Required tiers: when TABLEFRONT_REQUIRE_TIERS names a marker (tests/run.sh sets
``postgres,ldap,odbc,browser``), a skipped test carrying that marker fails the run, so
CI can never pass with a tier silently missing.

T-SQL conformance: every statement a test makes the app execute is compiled for SQL
Server and checked (tests/tsql_conformance.py); a violation fails the test phase
(setup, call or teardown) that executed it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from flask import Flask

from app import create_app
from config import TestingConfig

pytest_plugins = [
    "tests.servers.postgres",
    "tests.servers.ldap",
    "tests.tsql_conformance",  # the listener on every Engine + its report hooks
    "pytester",  # runs a small test session inside a test (tests/sql)
]

REQUIRED_TIERS = {
    t.strip()
    for t in os.environ.get("TABLEFRONT_REQUIRE_TIERS", "").split(",")
    if t.strip()
}


_tier_runs: dict[str, int] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not REQUIRED_TIERS:
        return
    tiers = REQUIRED_TIERS & {m.name for m in item.iter_markers()}
    if report.when == "call" and report.passed:
        for tier in tiers:
            _tier_runs[tier] = _tier_runs.get(tier, 0) + 1
    if report.skipped and tiers:
        reason = (
            report.longrepr[-1]
            if isinstance(report.longrepr, tuple)
            else report.longrepr
        )
        report.outcome = "failed"
        report.longrepr = (
            f"tier {', '.join(sorted(tiers))} is required (TABLEFRONT_REQUIRE_TIERS) "
            f"but was skipped: {reason}"
        )


def pytest_sessionfinish(session, exitstatus):
    """A required tier with no passing test at all (none collected) fails the run."""
    if not REQUIRED_TIERS or session.config.option.collectonly:
        return
    if session.config.args_source != pytest.Config.ArgsSource.TESTPATHS:
        return  # a partial run (pytest tests/unit) need not cover every tier
    missing = sorted(t for t in REQUIRED_TIERS if not _tier_runs.get(t))
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(
                f"Required tiers with no passing test: {', '.join(missing)}", red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def test_environ(tmp_path) -> dict[str, str]:
    """Environment for a testing app with its own log folder and database folder."""
    return {
        "TABLEFRONT_ENV": "testing",
        "TABLEFRONT_LOG_DIR": str(tmp_path / "logs"),
        "TABLEFRONT_EMBEDDED_DB_DIR": str(tmp_path / "db"),
        "TABLEFRONT_IMPORT_DIR": str(tmp_path / "imports"),
    }


@pytest.fixture
def make_app(test_environ) -> Callable[..., Flask]:
    """Build a testing app; keyword arguments override environment settings."""

    def make(**settings: str) -> Flask:
        return create_app(TestingConfig({**test_environ, **settings}))

    return make


@pytest.fixture
def app(make_app) -> Flask:
    return make_app()


@pytest.fixture
def client(app):
    """A test client; pass ``environ_base={'REMOTE_USER': ...}`` to sign in."""
    return app.test_client()


@pytest.fixture
def user_client(app):
    """A test client signed in as CONTOSO\\jdoe, as IIS would pass it."""
    c = app.test_client()
    c.environ_base.update({"REMOTE_USER": "CONTOSO\\jdoe", "AUTH_TYPE": "Negotiate"})
    return c


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
