"""The OData feed over sql/awkward (issue 17: non-identifier column names)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.ownschema.readme_site import ROOT


def test_awkward_feed_spaced_columns_are_served_and_queryable(awkward_site):
    """GIVEN sql/awkward through the README's commands WHEN a pytest subprocess
    reads $metadata and queries [Order Date] and [Weight kg] through the feed
    THEN every check passes."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(Path(__file__).with_name("awkward_feed.py")),
        ],
        cwd=ROOT,
        env={**awkward_site, "TABLEFRONT_REQUIRE_TIERS": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert re.search(r"\b3 passed", output), output[-2000:]
