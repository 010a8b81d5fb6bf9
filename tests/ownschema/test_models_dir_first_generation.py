"""TABLEFRONT_MODELS_DIR before the first generation: only `models generate` runs."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.ownschema.readme_site import ROOT


def flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The real `flask` CLI in a fresh process (models load once per process)."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def site(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TABLEFRONT_")}
    return {
        **env,
        "TABLEFRONT_ENV": "development",
        "TABLEFRONT_MODELS_DIR": str(tmp_path / "models"),
        "TABLEFRONT_SETTINGS_DIR": str(tmp_path / "settings"),
        "TABLEFRONT_EMBEDDED_DB_DIR": str(tmp_path / "db"),
        "TABLEFRONT_LOG_DIR": str(tmp_path / "logs"),
    }


def test_models_generate_into_a_missing_models_dir_writes_the_package(tmp_path):
    """GIVEN TABLEFRONT_MODELS_DIR naming a folder that does not exist yet
    WHEN `models generate --from-ddl sql/awkward` runs without --out
    THEN it exits 0 and the folder holds the package and one module per schema."""
    done = flask(
        "tablefront",
        "models",
        "generate",
        "--from-ddl",
        "sql/awkward",
        env=site(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    written = {p.name for p in (tmp_path / "models").iterdir()}
    assert {"__init__.py", "dbo.py", "inventory.py", "legacy.py"} <= written


def test_other_commands_on_a_missing_models_dir_are_refused_clearly(tmp_path):
    """GIVEN TABLEFRONT_MODELS_DIR naming a folder without models
    WHEN any other command (settings init) runs
    THEN it fails with the message saying to generate the models there first."""
    done = flask(
        "tablefront",
        "settings",
        "init",
        "--admin-group",
        "CONTOSO\\G",
        env=site(tmp_path),
    )
    assert done.returncode != 0
    assert "holds no __init__.py: generate the models there" in done.stderr
    assert not (tmp_path / "settings").exists()
