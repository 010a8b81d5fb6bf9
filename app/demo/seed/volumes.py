"""Rows per demo table, and the fixed seed every table's random stream starts from."""

from __future__ import annotations

import random

SEED = 20260630
BATCH_SIZE = 1000

# Row counts at scale 1.0 (lookups shrink with scale but keep a floor).
VOLUMES = {
    "hr.departments": 40,
    "ops.sites": 25,
    "ops.maintenance_windows": 300,
    "ops.asset_types": 12,
    "hr.skills": 60,
    "hr.employees": 3000,
    "hr.employee_skills": 9000,
    "hr.leave_requests": 6000,
    "ops.assets": 8000,
    "ops.tickets": 40000,
    "ops.asset_events": 20000,
    "sales.customers": 1500,
    "sales.products": 400,
    "sales.orders": 12000,
    "sales.order_lines": 36000,
}
FLOORS = {
    "hr.departments": 8,
    "ops.sites": 3,
    "ops.asset_types": 12,
    "hr.skills": 10,
    "hr.employees": 60,
}


def row_count(table: str, scale: float) -> int:
    """Rows ``table`` gets at ``scale``: its volume scaled, never below its floor."""
    return max(FLOORS.get(table, 1), round(VOLUMES[table] * scale))


def table_stream(table: str) -> random.Random:
    """The table's own random stream: the same draws on every run."""
    return random.Random(f"{SEED}:{table}")


def fair_share(wanted: int, made: int, parents_left: int) -> int:
    """Child rows still wanted, spread evenly over the parents not yet given theirs."""
    return round((wanted - made) / parents_left)
