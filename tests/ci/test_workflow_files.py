"""CI workflow files are valid GitHub Actions workflows (checked offline) and the
live SQL Server workflow runs the tier it is for."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LIVE = ROOT / ".github" / "workflows" / "mssql-live.yml"


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema's built-in GitHub workflow schema (from .venv, offline)."""
    tool = Path(sys.executable).with_name("check-jsonschema")
    command = str(tool) if tool.exists() else shutil.which("check-jsonschema")
    if command is None:
        pytest.fail("check-jsonschema is not installed (requirements-dev.txt)")
    return subprocess.run(
        [command, "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflow_file_matches_the_github_workflow_schema(path):
    """GIVEN a workflow file under .github/workflows
    WHEN check-jsonschema validates it against vendor.github-workflows
    THEN it passes."""
    result = _check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    runs-on: ubuntu-24.04\n", ""),  # a job with no runner
        ("      - uses: actions/checkout@v4\n", "      - uses: 42\n"),
        ("    timeout-minutes: 40\n", "    timeout-minutes: forty\n"),
    ],
    ids=["no-runs-on", "uses-not-a-string", "timeout-not-a-number"],
)
def test_workflow_schema_check_rejects_a_broken_copy(tmp_path, old, new):
    """GIVEN a copy of mssql-live.yml broken in one place
    WHEN check-jsonschema validates it
    THEN it fails (the validation above can fail)."""
    text = LIVE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.yml"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    assert _check_jsonschema(broken).returncode != 0


def test_mssql_live_workflow_runs_the_tier_against_sql_server_2022():
    """GIVEN mssql-live.yml
    WHEN its job is read
    THEN it starts SQL Server 2022, installs ODBC Driver 18 from Microsoft's
    repository, sets TABLEFRONT_TEST_MSSQL_URL and runs the mssql_live marker
    with the tier required."""
    job = _load(LIVE)["jobs"]["live"]
    assert job["runs-on"].startswith("ubuntu")
    service = job["services"]["mssql"]
    assert service["image"] == "mcr.microsoft.com/mssql/server:2022-latest"
    assert service["env"]["ACCEPT_EULA"] == "Y"
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert "packages.microsoft.com" in scripts and "msodbcsql18" in scripts
    assert "TABLEFRONT_TEST_MSSQL_URL=mssql+pyodbc://" in scripts
    assert "ODBC+Driver+18+for+SQL+Server" in scripts
    last = job["steps"][-1]
    assert "-m mssql_live" in last["run"]
    assert last["env"]["TABLEFRONT_REQUIRE_TIERS"] == "mssql_live"
