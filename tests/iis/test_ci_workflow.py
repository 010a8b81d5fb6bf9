"""The Windows runner workflow: valid for GitHub, manual, and it proves a re-run."""

from __future__ import annotations

import subprocess
import sys

from ruamel.yaml import YAML

from tests.iis.iis_files import REPO

WORKFLOW = REPO / ".github" / "workflows" / "iis-install.yml"


def _workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


def _runs() -> list[str]:
    return [step.get("run", "") for step in _workflow()["jobs"]["iis"]["steps"]]


def test_ci_workflow_validates_against_github_schema():
    """GIVEN the workflow file WHEN check-jsonschema validates it with the built-in
    GitHub workflow schema (offline) THEN it passes."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema"]
        + ["--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_workflow_runs_only_when_started_by_hand():
    """GIVEN the triggers WHEN read THEN workflow_dispatch only (the user enables
    more), on a Windows runner with Windows PowerShell."""
    workflow = _workflow()
    assert set(workflow["on"]) == {"workflow_dispatch"}
    job = workflow["jobs"]["iis"]
    assert job["runs-on"].startswith("windows-")
    assert {s.get("shell") for s in job["steps"] if "run" in s} == {"powershell"}


def test_ci_workflow_installs_twice_then_checks_readiness():
    """GIVEN the steps WHEN read THEN setup.ps1 runs twice, the second run must say
    "Nothing changed", and /health/ready is asked through IIS afterwards."""
    runs = _runs()
    setups = [i for i, run in enumerate(runs) if ".\\setup.ps1" in run]
    assert len(setups) == 2
    assert "-notmatch 'Nothing changed'" in runs[setups[1]]
    ready = next(i for i, run in enumerate(runs) if "/health/ready" in run)
    assert ready > setups[1]
    assert "-UseDefaultCredentials" in runs[ready]
