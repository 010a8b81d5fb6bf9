"""The every-table walk (issue 13 item 5) over the demo and over sql/awkward."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.functional.demo_world import ADMIN, build_demo_app
from tests.ownschema.readme_site import ROOT
from tests.ownschema.walk import walk_every_table


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    return build_demo_app(tmp_path_factory.mktemp("walk"), TABLEFRONT_TEST_CSRF="0")


def test_every_table_walk_demo_admin_finds_no_problem(demo_app):
    """GIVEN the demo database and its admin
    WHEN every page and action of every table is walked
    THEN no request fails, nothing is logged as an error and every value reads back."""
    walk = walk_every_table(demo_app, ADMIN)
    assert len(walk.tables) >= 10
    assert walk.problems == [], "\n".join(walk.problems)


def test_every_table_walk_awkward_admin_finds_no_problem(awkward_site, tmp_path):
    """GIVEN sql/awkward through the README's commands (models, settings, sample rows)
    WHEN a pytest subprocess walks every table as the admin, with the T-SQL
    conformance check on
    THEN it passes, every table walked, and no statement breaks SQL Server's rules."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "--show-capture=no",
            str(Path(__file__).with_name("awkward_walk.py")),
        ],
        cwd=ROOT,
        env={**awkward_site, "TABLEFRONT_REQUIRE_TIERS": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    walked = re.search(r"walked (\d+) tables", output)
    assert walked and int(walked.group(1)) >= 9, output[-2000:]
    checked = re.search(r"(\d+) statements checked, (\d+) violations", output)
    assert checked, output[-2000:]
    assert int(checked.group(1)) > 500 and checked.group(2) == "0"
