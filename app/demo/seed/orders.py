"""sales.products, sales.orders and sales.order_lines over the last three years."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from app.demo.seed.customers import CUSTOMER_CITIES
from app.demo.seed.draws import REFERENCE_DATE, moment_on, random_days, state_by_age
from app.demo.seed.names import distinct_name
from app.demo.seed.volumes import fair_share

if TYPE_CHECKING:
    from app.demo.seed.company import Company

PRODUCT_CATEGORIES = {
    "Office Furniture": (
        [
            "Ergonomic Chair",
            "Standing Desk",
            "Filing Cabinet",
            "Conference Table",
            "Bookshelf",
        ],
        120,
        1400,
    ),
    "Computer Accessories": (
        [
            "Wireless Mouse",
            "Mechanical Keyboard",
            "USB-C Hub",
            "Webcam",
            "Headset",
            "Laptop Stand",
        ],
        15,
        250,
    ),
    "Networking": (
        [
            "Wireless Access Point",
            "Managed Switch",
            "Firewall Appliance",
            "Patch Panel",
            "Fiber Transceiver",
        ],
        40,
        4200,
    ),
    "Printing": (
        ["Toner Cartridge", "Laser Printer", "Label Printer", "Paper Ream Case"],
        20,
        1600,
    ),
    "Software": (
        [
            "Backup Suite Licence",
            "Endpoint Protection Licence",
            "Project Planner Licence",
            "Design Suite Licence",
        ],
        50,
        900,
    ),
    "Services": (
        [
            "Installation Service",
            "Extended Warranty",
            "Onsite Support Day",
            "Training Workshop",
        ],
        150,
        2500,
    ),
}
PRODUCT_LINES = ["Pro", "Plus", "Max", "Lite", "Elite", "Compact", "Ultra", "One"]


# Orders older than 45 days are invoiced or cancelled; newer ones in any state.
SETTLED_ORDER_STATES = {"invoiced": 95, "cancelled": 5}
ORDER_STATES = {
    "new": 20,
    "confirmed": 25,
    "shipped": 30,
    "invoiced": 20,
    "cancelled": 5,
}


def product_rows(company: Company) -> Iterator[dict]:
    """sales.products with distinct names, the categories taken in turn."""
    rng = company.rng("sales.products")
    names: set[str] = set()
    categories = list(PRODUCT_CATEGORIES)
    for number in range(1, company.count("sales.products") + 1):
        category = categories[number % len(categories)]
        nouns, low, high = PRODUCT_CATEGORIES[category]
        name = distinct_name(rng, names, nouns, PRODUCT_LINES, (100, 999))
        price = Decimal(rng.randint(low * 100, high * 100)) / 100
        discontinued = rng.random() < 0.08
        company.products.append((number, price, discontinued))
        yield {
            "product_id": number,
            "sku": f"SKU-{10000 + number}",
            "name": name,
            "category": category,
            "list_price": price,
            "unit_cost": (price * Decimal(rng.randint(45, 80)) / 100).quantize(
                Decimal("0.01")
            ),
            "is_discontinued": discontinued,
            "introduced_on": REFERENCE_DATE - random_days(rng, 60, 3600),
        }


def order_rows(company: Company) -> Iterator[dict]:
    """Orders; their lines follow as a separate table once every order is out."""
    rng = company.rng("sales.orders")
    total = company.count("sales.orders")
    for number in range(1, total + 1):
        customer = rng.randrange(len(company.customer_reps))
        rep = company.customer_reps[customer] or rng.choice(company.sales_reps)
        ordered = REFERENCE_DATE - dt.timedelta(
            days=int((total - number) * 1095 / total)
        )
        age = (REFERENCE_DATE - ordered).days
        status = state_by_age(rng, age, 45, SETTLED_ORDER_STATES, ORDER_STATES)
        shipped = (
            ordered + random_days(rng, 1, 10)
            if status in {"shipped", "invoiced"}
            else None
        )
        if shipped and shipped > REFERENCE_DATE:
            shipped = REFERENCE_DATE
        company.order_lines_plan.append((number, rng.choice([1, 2, 3, 4, 5])))
        yield {
            "order_id": number,
            "order_number": f"SO-{ordered.year}-{number:06d}",
            "customer_id": customer + 1,
            "sales_rep_id": rep if rng.random() < 0.95 else None,
            "order_date": ordered,
            "required_date": ordered + random_days(rng, 5, 30),
            "shipped_date": shipped,
            "status": status,
            "currency_code": rng.choices(["USD", "EUR", "GBP"], [80, 15, 5])[0],
            "ship_city": rng.choice(CUSTOMER_CITIES)[0],
            "notes": rng.choice([None] * 9 + ["Deliver to loading dock B."]),
            "modified_at": moment_on(shipped or ordered, rng),
        }


def order_line_rows(company: Company) -> Iterator[dict]:
    """sales.order_lines: one to five distinct products an order, as many as wanted."""
    rng = company.rng("sales.order_lines")
    wanted = company.count("sales.order_lines")
    plan = company.order_lines_plan
    made = 0
    available = [p for p in company.products if not p[2]] or company.products
    for index, (order_id, planned) in enumerate(plan):
        left = len(plan) - index
        k = max(1, min(5, fair_share(wanted, made, left) + planned - 3))
        k = min(k, len(available))
        for line_no, (product_id, price, _) in enumerate(rng.sample(available, k), 1):
            made += 1
            yield {
                "order_id": order_id,
                "line_no": line_no,
                "product_id": product_id,
                "quantity": rng.choices(
                    [1, 2, 3, 5, 10, 20, 50], [40, 20, 12, 10, 10, 5, 3]
                )[0],
                "unit_price": price,
                "discount_pct": Decimal(rng.choice([0, 0, 0, 5, 10, 15])),
            }
