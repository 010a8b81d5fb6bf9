"""Benchmark: generate models for 300 tables across 5 schemas (SQLite-ATTACH).

Run: .venv/bin/python -m tests.benchmarks.bench_codegen
Builds main.db plus five schema files of 60 tables each (8-12 columns, a foreign key
to the previous table and one across schemas), then times `flask tablefront models
generate --url ... --out ...` end to end (reflection, generation, change report,
writing) and a second `--check` run. Target: under 30 s.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from flask import Flask

from app.cli import tablefront_cli
from app.codegen import commands  # noqa: F401  (registers `models generate`)

SCHEMAS = ["hr", "ops", "sales", "finance", "legal"]
TABLES_PER_SCHEMA = 60
TARGET_SECONDS = 30.0
TYPES = ["VARCHAR(100)", "INTEGER", "NUMERIC(12, 2)", "DATETIME", "BOOLEAN", "DATE"]


def build_database(folder: Path) -> Path:
    """Write main.db and one file per schema; return main.db's path."""
    main = folder / "main.db"
    sqlite3.connect(main).close()
    for schema in SCHEMAS:
        statements = []
        for t in range(TABLES_PER_SCHEMA):
            columns = [f"{schema}_t{t:03d}_id INTEGER NOT NULL PRIMARY KEY"]
            for c in range(8 + t % 5):
                null = "NOT NULL" if c % 3 == 0 else ""
                columns.append(f"col_{c:02d} {TYPES[(t + c) % len(TYPES)]} {null}")
            if t:
                prev = f"t{t - 1:03d}"
                columns.append(
                    f"{prev}_id INTEGER REFERENCES {prev} ({schema}_{prev}_id)"
                )
            statements.append(f"CREATE TABLE t{t:03d} ({', '.join(columns)});")
        with sqlite3.connect(folder / f"{schema}.db") as conn:
            conn.executescript("\n".join(statements))
    return main


def main() -> None:
    """Build the database, time generate and --check, print the figures."""
    app = Flask("bench")
    app.cli.add_command(tablefront_cli)
    runner = app.test_cli_runner()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = build_database(folder)
        args = ["tablefront", "models", "generate", "--url", f"sqlite:///{db}"]
        args += ["--out", str(folder / "generated")]
        started = time.perf_counter()
        result = runner.invoke(args=args)
        generate_s = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        started = time.perf_counter()
        check = runner.invoke(args=[*args, "--check"])
        check_s = time.perf_counter() - started
        assert check.exit_code == 0, check.output
        size = sum(p.stat().st_size for p in (folder / "generated").glob("*.py"))
    tables = len(SCHEMAS) * TABLES_PER_SCHEMA
    verdict = "OK" if generate_s < TARGET_SECONDS else "TOO SLOW"
    print(
        f"generate: {tables} tables in {len(SCHEMAS)} schemas: {generate_s:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s) {verdict}; output {size / 1024:.0f} KiB"
    )
    print(f"check (no changes): {check_s:.2f} s")


if __name__ == "__main__":
    main()
