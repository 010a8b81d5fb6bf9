"""Access benchmark: the same list-page query with and without access rules.

One command, from the repository root (a few seconds):

    .venv/bin/python tests/benchmarks/bench_access.py [--tickets 40000] [--runs 2000]

An in-memory SQLite database with ``hr`` and ``ops`` ATTACHed holds hr.employees
(2,000 people, unique login) and ops.tickets (40,000 rows, opened_by indexed as a
foreign key would be). Each sample is what a list page does per request: work out the
caller's access (roles from groups, grants matched, row filter compiled: nothing
cached, the worst case) and run a 50-row keyset page. Measured in one run, interleaved:

  none      no access rules at all (the page query only)
  admin     an unfiltered grant (policy cost only)
  employee  own tickets: opened_by = caller.employee_id (scalar subquery)
  manager   own OR reports' tickets (scalar subquery OR IN (SELECT ...))

The issue's target: permission checks add under 1 ms to the page's p50.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.access.groups import StaticGroups  # noqa: E402
from app.access.policy import AccessPolicy  # noqa: E402
from app.access.settings import load_settings  # noqa: E402
from app.identity import Identity  # noqa: E402

SETTINGS = r"""
[roles.employee]
users = ["*"]
[[roles.employee.grants]]
tables = ["ops.tickets"]
actions = ["read", "create"]
rows = [{ column = "opened_by", equals = "caller.employee_id" }]

[roles.manager]
groups = ["CONTOSO\\Managers"]
[[roles.manager.grants]]
tables = ["ops.tickets"]
actions = ["read", "update"]
[[roles.manager.grants.rows]]
column = "opened_by"
in.table = "hr.employees"
in.column = "employee_id"
in.where = [{ column = "manager_id", equals = "caller.employee_id" }]

[roles.admin]
groups = ["CONTOSO\\Admins"]
admin = true
[[roles.admin.grants]]
tables = ["*.*"]
actions = ["*"]

[static_groups]
"CONTOSO\\Managers" = ["CONTOSO\\user0007"]
"CONTOSO\\Admins" = ["CONTOSO\\user0001"]
"""


def build(tickets: int, people: int = 2000):
    """The database and metadata: people in 20 teams, tickets spread over them."""
    md = MetaData()
    emp = Table(
        "employees",
        md,
        Column("employee_id", Integer, primary_key=True),
        Column("login", String(100), unique=True, nullable=False),
        Column("manager_id", Integer, ForeignKey("hr.employees.employee_id")),
        schema="hr",
    )
    tix = Table(
        "tickets",
        md,
        Column("ticket_id", Integer, primary_key=True),
        Column("opened_by", Integer, ForeignKey("hr.employees.employee_id")),
        Column("title", String(100)),
        Index("ix_tickets_opened_by", "opened_by"),
        schema="ops",
    )
    Index("ix_employees_manager", emp.c.manager_id)
    engine = create_engine("sqlite://")

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection, _record) -> None:
        dbapi_connection.execute("ATTACH DATABASE ':memory:' AS hr")
        dbapi_connection.execute("ATTACH DATABASE ':memory:' AS ops")

    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(emp),
            [
                {
                    "employee_id": i,
                    "login": f"CONTOSO\\user{i:04d}",
                    # user0007 manages 100 people (every 20th)
                    "manager_id": 7 if i % 20 == 0 else None,
                }
                for i in range(1, people + 1)
            ],
        )
        conn.execute(
            insert(tix),
            [
                {"ticket_id": t, "opened_by": 1 + t % people, "title": f"ticket {t}"}
                for t in range(1, tickets + 1)
            ],
        )
    return engine, md


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    engine, md = build(args.tickets)
    tickets = md.tables["ops.tickets"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "access.toml"
        path.write_text(SETTINGS)
        settings = load_settings(path, md)
    policy = AccessPolicy(settings, StaticGroups(settings.static_groups), md)
    callers = {
        "admin": Identity("CONTOSO", "user0001"),
        "employee": Identity("CONTOSO", "user0042"),
        "manager": Identity("CONTOSO", "user0007"),
    }
    page = select(tickets).order_by(tickets.c.ticket_id).limit(50)
    samples: dict[str, list[float]] = {k: [] for k in ("none", *callers)}
    rows_seen: dict[str, int] = {}
    with engine.connect() as conn:

        def run_none() -> int:
            return len(conn.execute(page.where(tickets.c.ticket_id > 0)).all())

        def run_with(ident: Identity) -> int:
            roles = policy.roles_for(ident, policy.groups_for(ident))
            access = policy.table_access(ident, tickets, roles)
            query = page.where(tickets.c.ticket_id > 0)
            if access.row_filter is not None:
                query = query.where(access.row_filter)
            return len(conn.execute(query).all())

        for _ in range(50):  # warm up caches (statement cache, pages)
            run_none()
            for ident in callers.values():
                run_with(ident)
        for _ in range(args.runs):
            for name in samples:
                started = time.perf_counter()
                count = run_none() if name == "none" else run_with(callers[name])
                samples[name].append((time.perf_counter() - started) * 1000)
                rows_seen[name] = count
    base = statistics.median(samples["none"])
    print(f"ops.tickets {args.tickets:,} rows, {args.runs} runs each, 50-row pages")
    print(f"{'caller':<10}{'rows':>6}{'p50 ms':>10}{'p99 ms':>10}{'+p50 ms':>10}")
    worst = 0.0
    for name, values in samples.items():
        values.sort()
        p50 = statistics.median(values)
        p99 = values[int(len(values) * 0.99) - 1]
        worst = max(worst, p50 - base)
        print(
            f"{name:<10}{rows_seen[name]:>6}{p50:>10.3f}{p99:>10.3f}{p50 - base:>10.3f}"
        )
    verdict = "PASS" if worst < 1.0 else "FAIL"
    print(f"{verdict}: access adds at most {worst:.3f} ms to p50 (target < 1 ms)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
