"""Cold start: fresh interpreter -> import -> create_app() -> first response.

IIS starts a FastCGI process per instance and recycles it; each new process pays this
before answering. Measured in one run, alternating, for:

- ``tablefront``: ``app.create_app()`` (development config, embedded demo database
  built beforehand, so the timed start takes the fast path: one file check, no
  reflection, no counting), first request ``GET /health/ready`` (touches the DB);
- ``minimal``: a one-route Flask app (the issue's baseline);
- ``minimal+sqla``: a one-route Flask + Flask-SQLAlchemy app with one model whose
  route runs ``SELECT 1`` on SQLite (the floor for any app on SQLAlchemy).

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


MINIMAL_SQLALCHEMY = """
import time
t0 = time.perf_counter()
import os
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text
db = SQLAlchemy()
class Item(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50))
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
    os.environ["TABLEFRONT_EMBEDDED_DB_DIR"], "minimal.db"
)
db.init_app(app)
@app.get("/")
def index():
    return str(db.session.execute(text("SELECT 1")).scalar())
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
    (work / "db").mkdir(parents=True, exist_ok=True)
    # The first start builds + seeds the demo; every first run also warms .pyc files.
    contenders = {
        "tablefront": TABLEFRONT,
        "minimal": MINIMAL,
        "minimal+sqla": MINIMAL_SQLALCHEMY,
    }
    for code in contenders.values():
        run_once(code, env)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    for _ in range(args.runs):
        for name, code in contenders.items():
            results[name].append(run_once(code, env))
    medians = {}
    for name, samples in results.items():
        wall = statistics.median(s[0] for s in samples)
        inner = statistics.median(s[1] for s in samples)
        medians[name] = wall
        print(
            f"{name:>12}: median wall {wall * 1000:7.1f} ms "
            f"(import->first response {inner * 1000:7.1f} ms), n={len(samples)}"
        )
    for baseline in ("minimal", "minimal+sqla"):
        ratio = medians["tablefront"] / medians[baseline]
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        print(
            f"ratio tablefront/{baseline}: {ratio:.2f}x "
            f"({verdict} the {TARGET_RATIO}x target)"
        )


if __name__ == "__main__":
    main()
