"""axe-core in the browser tier: inject the locally installed copy, run it, report.

axe-core comes from the npm registry, pinned in tests/e2e/package.json and
package-lock.json, and is installed by tests/run.sh (``npm ci --prefix tests/e2e``)
into tests/e2e/node_modules/ (git-ignored). It is injected from that file, so the
page under test never loads anything from outside the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
# Results for violations only: passes and incompletes make a big page slow to check.
RUN_AXE = """
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "),
      summary: (n.failureSummary || "").split("\\n").slice(0, 3).join(" "),
    })),
  }));
}
"""


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page, with where and how to fix it."""

    rule: str
    impact: str
    help: str
    help_url: str
    nodes: tuple[tuple[str, str], ...]  # (CSS target, axe's failure summary)

    def describe(self, limit: int = 5) -> str:
        """The rule, its help, and the first few elements with what is wrong."""
        lines = [f"  [{self.rule}] {self.impact}: {self.help} ({self.help_url})"]
        for target, summary in self.nodes[:limit]:
            lines.append(f"      at {target}: {summary}")
        if len(self.nodes) > limit:
            lines.append(f"      ... and {len(self.nodes) - limit} more elements")
        return "\n".join(lines)


def axe_path() -> Path:
    """The installed axe.min.js; skips (a failure where the tier is required)."""
    if not AXE_JS.is_file():
        pytest.skip(
            f"axe-core is not installed at {AXE_JS}: run "
            "`npm ci --prefix tests/e2e` (tests/run.sh does)"
        )
    return AXE_JS


def serious_violations(page, script: Path) -> list[Violation]:
    """Run axe on the page as it is now; keep serious and critical violations."""
    page.add_script_tag(path=str(script))
    found = page.evaluate(RUN_AXE)
    return [
        Violation(
            rule=v["id"],
            impact=v["impact"] or "",
            help=v["help"],
            help_url=v["helpUrl"],
            nodes=tuple((n["target"], n["summary"]) for n in v["nodes"]),
        )
        for v in found
        if v["impact"] in FAILING_IMPACTS
    ]
