"""The demo company: the order its tables are generated in and what they share.

Parents come first, and each table's generator leaves in ``Company`` what its child
tables draw from (department ids, sites, employees, assets, products, ...).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING

from app.demo.seed.assets import asset_event_rows, asset_rows, asset_type_rows
from app.demo.seed.customers import customer_rows
from app.demo.seed.hr import (
    department_rows,
    employee_skill_rows,
    leave_request_rows,
    skill_rows,
)
from app.demo.seed.orders import order_line_rows, order_rows, product_rows
from app.demo.seed.people import employee_rows
from app.demo.seed.sites import maintenance_window_rows, site_rows
from app.demo.seed.tickets import ticket_rows
from app.demo.seed.volumes import BATCH_SIZE, row_count, table_stream

if TYPE_CHECKING:
    from app.demo.seed.people import Person


class Company:
    """Each table from its own random stream; remembers what child tables need."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.departments: list[tuple[int, str, str]] = []  # (id, code, division)
        self.site_ids: list[int] = []
        self.site_names: list[str] = []
        self.asset_types: list[tuple[int, str, int]] = []  # (id, name, cost)
        self.skill_ids: list[int] = []
        self.employees: list[Person] = []
        self.assets_by_owner: dict[int, list[tuple[int, str]]] = {}
        self.asset_purchases: list[tuple[int, dt.date]] = []
        self.products: list[tuple[int, Decimal, bool]] = []
        self.sales_reps: list[int] = []
        self.customer_reps: list[int | None] = []
        self.order_lines_plan: list[tuple[int, int]] = []

    def count(self, table: str) -> int:
        """Rows ``table`` gets at this company's scale."""
        return row_count(table, self.scale)

    @staticmethod
    def rng(table: str) -> random.Random:
        """The table's own random stream."""
        return table_stream(table)


# Parents before children: a generator reads what the ones before it left in Company.
TABLES: list[tuple[str, Callable[[Company], Iterator[dict]]]] = [
    ("hr.departments", department_rows),
    ("ops.sites", site_rows),
    ("ops.maintenance_windows", maintenance_window_rows),
    ("ops.asset_types", asset_type_rows),
    ("hr.skills", skill_rows),
    ("hr.employees", employee_rows),
    ("hr.employee_skills", employee_skill_rows),
    ("hr.leave_requests", leave_request_rows),
    ("ops.assets", asset_rows),
    ("ops.tickets", ticket_rows),
    ("ops.asset_events", asset_event_rows),
    ("sales.customers", customer_rows),
    ("sales.products", product_rows),
    ("sales.orders", order_rows),
    ("sales.order_lines", order_line_rows),
]


def seed_rows(scale: float = 1.0) -> Iterator[tuple[str, list[dict]]]:
    """Yield ("schema.table", rows) batches of at most BATCH_SIZE, parents first."""
    company = Company(scale)
    for table, generate in TABLES:
        rows = generate(company)
        while batch := list(islice(rows, BATCH_SIZE)):
            yield table, batch


def seed_counts(scale: float = 1.0) -> dict[str, int]:
    """Rows per table that ``seed_rows(scale)`` yields (generates, inserts nothing)."""
    counts: dict[str, int] = {}
    for table, rows in seed_rows(scale):
        counts[table] = counts.get(table, 0) + len(rows)
    return counts
