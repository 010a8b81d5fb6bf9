"""Cold start: fresh interpreter -> import -> create_app() -> first response.

IIS starts a FastCGI process per instance and recycles it; each new process pays this
before answering. Measured in one run, alternating, for:

- ``tablefront``: ``app.create_app()`` (development config, embedded demo database
  built beforehand, so the timed start takes the fast path: one file check, no
  reflection, no counting), first request ``GET /health/ready`` (touches the DB);
- ``minimal``: a one-route Flask app.

Run:  .venv/bin/python tests/benchmarks/bench_cold_start.py [--runs 10]
Prints each median and the ratio against the 1.3x target (issue 3).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_RATIO = 1.3

TABLEFRONT = """
import time
t0 = time.perf_counter()
from app import create_app
app = create_app()
status = app.test_client().get("/health/ready").status_code
assert status == 200, status
print(time.perf_counter() - t0)
"""

MINIMAL = """
import time
t0 = time.perf_counter()
from flask import Flask
app = Flask(__name__)
@app.get("/")
def index():
    return "ok"
status = app.test_client().get("/").status_code
assert status == 200, status
print(time.perf_counter() - t0)
"""


def run_once(code: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds spawn->exit, in-process seconds import->first response)."""
    import time

    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    return wall, float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tf-cold-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TABLEFRONT_ENV": "development",
        "TABLEFRONT_EMBEDDED_DB_DIR": str(work / "db"),
        "TABLEFRONT_LOG_DIR": str(work / "logs"),
        "PYTHONDONTWRITEBYTECODE": "",
    }
    print("building the demo database once (not timed) ...", flush=True)
    run_once(TABLEFRONT, env)  # first start builds + seeds; also warms .pyc files
    run_once(MINIMAL, env)
    results: dict[str, list[tuple[float, float]]] = {"tablefront": [], "minimal": []}
    for _ in range(args.runs):
        results["tablefront"].append(run_once(TABLEFRONT, env))
        results["minimal"].append(run_once(MINIMAL, env))
    medians = {}
    for name, samples in results.items():
        wall = statistics.median(s[0] for s in samples)
        inner = statistics.median(s[1] for s in samples)
        medians[name] = wall
        print(
            f"{name:>10}: median wall {wall * 1000:7.1f} ms "
            f"(import->first response {inner * 1000:7.1f} ms), n={len(samples)}"
        )
    ratio = medians["tablefront"] / medians["minimal"]
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"ratio tablefront/minimal: {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)"
    )


if __name__ == "__main__":
    main()
