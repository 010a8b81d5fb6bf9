"""requirements.txt resolved for the IIS server (win32), with its platform markers.

The markers are evaluated by ``packaging`` (pip's own marker engine) for a Windows
and a Linux interpreter, offline. ``TABLEFRONT_TEST_PIP_RESOLVE=1`` also asks pip to
resolve the Windows-only pins as win_amd64 wheels (needs the package index).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from tests.iis.iis_files import REPO

REQUIREMENTS = REPO / "requirements.txt"
WINDOWS = {
    **default_environment(),
    "sys_platform": "win32",
    "platform_system": "Windows",
    "os_name": "nt",
}
LINUX = {
    **default_environment(),
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
}


def _requirements() -> list[Requirement]:
    lines = REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    entries = [line.split(" #", 1)[0].strip() for line in lines]
    return [Requirement(e) for e in entries if e and not e.startswith("#")]


def _installed_on(environment: dict[str, str]) -> dict[str, str]:
    """Package name -> pinned version, for the requirements whose marker holds."""
    return {
        r.name.lower(): str(r.specifier)
        for r in _requirements()
        if r.marker is None or r.marker.evaluate(environment)
    }


def test_requirements_every_entry_is_pinned_exactly():
    """GIVEN requirements.txt WHEN parsed THEN every entry pins one version."""
    loose = [str(r) for r in _requirements() if not str(r.specifier).startswith("==")]
    assert loose == []


@pytest.mark.parametrize("package", ["winkerberos", "cryptography", "ldap3"])
def test_requirements_windows_server_gets_kerberos_and_tls_packages(package):
    """GIVEN requirements.txt WHEN resolved for win32 THEN ldap3's Kerberos binding
    (winkerberos) and ldaps:// channel binding (cryptography) are installed."""
    assert package in _installed_on(WINDOWS)


def test_requirements_linux_development_skips_windows_only_packages():
    """GIVEN requirements.txt WHEN resolved for Linux THEN winkerberos (Windows SSPI)
    is left out, so a development venv installs without it."""
    assert "winkerberos" not in _installed_on(LINUX)
    assert "flask" in _installed_on(LINUX)


@pytest.mark.skipif(
    os.environ.get("TABLEFRONT_TEST_PIP_RESOLVE") != "1",
    reason="set TABLEFRONT_TEST_PIP_RESOLVE=1 to resolve with pip (needs the index)",
)
def test_requirements_windows_only_pins_resolve_as_win_amd64_wheels(tmp_path):
    """GIVEN the win32-only pins WHEN pip resolves them for win_amd64, binary only
    THEN it succeeds (each has a Windows wheel)."""
    pins = [
        str(r).split(";")[0]
        for r in _requirements()
        if r.marker is not None and not r.marker.evaluate(LINUX)
    ]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
        + ["--platform", "win_amd64", "--python-version", "3.12"]
        + ["--only-binary=:all:", "--target", str(tmp_path), *pins],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
