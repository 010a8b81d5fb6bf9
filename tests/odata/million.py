"""A 1,000,000-row ``hr.employee_skills`` (composite key) over the bypass world's
tables, built once with INSERT ... SELECT from recursive CTEs and cached under
instance/ keyed by a version string and the models' and seed's text."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from tests.access.bypass_world import seed_template

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1_000_000
EMPLOYEES = 1_000  # employee_skills = every (employee, skill) pair of 1,000 x 1,000
VERSION = "1"
_INPUTS = ("app/models/generated/hr.py", "tests/access/bypass_world.py", __file__)

_EMPLOYEES = """
WITH RECURSIVE n(i) AS (SELECT 6 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT INTO employees (employee_id, employee_guid, login, first_name, last_name,
    email, job_title, department_id, hire_date, is_active, modified_at, row_version)
SELECT i, printf('%032x', i), 'CONTOSO\\bulk' || i, 'Bulk', 'Person' || i,
    'bulk' || i || '@contoso.example', 'Clerk', 1 + i % 3, '2021-01-01', 1,
    '2030-01-02 00:00:00.000000', randomblob(8)
FROM n
"""
_SKILLS = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
INSERT OR IGNORE INTO skills (skill_id, name, category)
SELECT i, 'Skill ' || i, 'Bulk' FROM n
"""
_PAIRS = """
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :last)
INSERT INTO employee_skills (employee_id, skill_id, level, certified, assessed_on)
SELECT 1 + i / :count, 1 + i % :count, 1 + i % 5, i % 2,
    date('2020-01-01', '+' || (i % 1000) || ' days')
FROM n
"""


def _key() -> str:
    digest = hashlib.sha256(VERSION.encode())
    for name in _INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def million_template() -> Path:
    """The db folder of the seeded world plus the 1M rows (built on first use)."""
    cache = ROOT / "instance" / f"odata-million-{_key()}"
    done = cache / "db"
    if done.is_dir():
        return done
    building = cache.with_name(cache.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    db_dir = seed_template(building)
    with sqlite3.connect(db_dir / "hr.db") as connection:
        connection.execute("DELETE FROM employee_skills")
        connection.execute(_EMPLOYEES, {"count": EMPLOYEES})
        connection.execute(_SKILLS, {"count": EMPLOYEES})
        connection.execute(_PAIRS, {"last": ROWS - 1, "count": EMPLOYEES})
    connection.close()
    cache.mkdir(parents=True, exist_ok=True)
    building.replace(cache / "build")
    (cache / "build" / "db").replace(done)
    shutil.rmtree(cache / "build", ignore_errors=True)
    return done
