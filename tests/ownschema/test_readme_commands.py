"""The README's "Try it on your own database" commands, run as written."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup

from tests.ownschema.readme_site import ROOT, SITE_VARS, readme_steps


def test_readme_commands_are_four_after_the_environment():
    """GIVEN the README section WHEN its bash blocks are read
    THEN they set the site's folders and hold at most four commands, ending in run."""
    steps = readme_steps()
    assert set(SITE_VARS) <= set(steps.variables)
    assert steps.variables["TABLEFRONT_ENV"] == "development"
    assert len(steps.commands) <= 4
    assert steps.commands[-1].endswith("flask --app app run")


def test_readme_commands_build_models_settings_and_database(awkward_site):
    """GIVEN empty scratch folders WHEN the README's first commands run as written
    THEN each exits 0 and leaves models, both settings files and a database."""
    models = Path(awkward_site["TABLEFRONT_MODELS_DIR"])
    settings = Path(awkward_site["TABLEFRONT_SETTINGS_DIR"])
    assert {"__init__.py", "dbo.py", "inventory.py", "legacy.py"} <= {
        p.name for p in models.iterdir()
    }
    assert (settings / "tables.toml").is_file()
    assert (settings / "access.toml").is_file()
    assert list(Path(awkward_site["TABLEFRONT_EMBEDDED_DB_DIR"]).glob("*.db"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_readme_run_command_serves_every_table_to_the_admin(awkward_site):
    """GIVEN the site the README's commands built
    WHEN its last command (flask run) starts the app
    THEN the home page lists the awkward tables and a spaced, mixed-case one opens."""
    port = _free_port()
    command = readme_steps().commands[-1]
    env = {**awkward_site, "FLASK_RUN_PORT": str(port)}
    server = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline:
            try:
                status, home = _get(base + "/")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        links = {
            a.get("href") for a in BeautifulSoup(home, "html.parser").find_all("a")
        }
        assert {"/t/dbo/Order", "/t/Inventory/Product", "/t/Legacy/EventLog"} <= links
        status, _page = _get(base + "/t/dbo/Order%20Line")
        assert status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        server.stdout.close()
