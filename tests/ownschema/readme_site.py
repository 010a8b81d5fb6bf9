"""The README's "Try it on your own database" commands, read from README.md and run
as written in fresh processes, with the site's folders in a scratch directory."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "### Try it on your own database"
SITE_VARS = (
    "TABLEFRONT_MODELS_DIR",
    "TABLEFRONT_SETTINGS_DIR",
    "TABLEFRONT_EMBEDDED_DB_DIR",
)


@dataclass(frozen=True)
class ReadmeSteps:
    """The section's environment line and its commands, as written."""

    variables: dict[str, str]
    commands: list[str]


def readme_steps(readme: Path = ROOT / "README.md") -> ReadmeSteps:
    """The fenced bash blocks of the section: the ``export`` line, then commands."""
    text = readme.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n#", start + len(SECTION))
    blocks = re.findall(r"```bash\n(.*?)```", text[start:end], re.S)
    lines = [ln.strip() for b in blocks for ln in b.splitlines() if ln.strip()]
    exports = [ln for ln in lines if ln.startswith("export ")]
    assert len(exports) == 1, exports
    variables = dict(w.split("=", 1) for w in shlex.split(exports[0])[1:])
    commands = [ln for ln in lines if not ln.startswith(("export ", "#"))]
    return ReadmeSteps(variables, commands)


def site_environ(base: Path, steps: ReadmeSteps) -> dict[str, str]:
    """The README's variables with the site folders moved under ``base``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TABLEFRONT_") or k == "TABLEFRONT_WALK_DEPTH"
    }
    env.update(steps.variables)
    for name in SITE_VARS:
        env[name] = str(base / Path(steps.variables[name]).name)
    env["TABLEFRONT_LOG_DIR"] = str(base / "logs")
    return env


def run_step(command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """One README command, through bash, from the repository root."""
    return subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def build_site(base: Path) -> dict[str, str]:
    """Run every README command but the last (``flask run``); the site's environment."""
    steps = readme_steps()
    env = site_environ(base, steps)
    for command in steps.commands[:-1]:
        done = run_step(command, env)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return env
