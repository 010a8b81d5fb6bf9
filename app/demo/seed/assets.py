"""ops.asset_types, ops.assets and ops.asset_events: the company's equipment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from app.demo.seed.draws import (
    LAST_MOMENT,
    REFERENCE_DATE,
    random_days,
    serial_number,
)
from app.demo.seed.volumes import fair_share

if TYPE_CHECKING:
    from app.demo.seed.company import Company

# (name, depreciation months, is IT equipment, typical cost, [(maker, model)])
ASSET_TYPES = [
    (
        "Laptop",
        36,
        True,
        1400,
        [
            ("Dell", "Latitude 7450"),
            ("Lenovo", "ThinkPad T14"),
            ("HP", "EliteBook 840"),
        ],
    ),
    (
        "Desktop",
        48,
        True,
        1100,
        [
            ("Dell", "OptiPlex 7010"),
            ("HP", "EliteDesk 800"),
            ("Lenovo", "ThinkCentre M90"),
        ],
    ),
    (
        "Monitor",
        60,
        True,
        280,
        [("Dell", "P2723DE"), ("LG", "27UP850"), ("Samsung", "ViewFinity S8")],
    ),
    (
        "Mobile Phone",
        24,
        True,
        900,
        [("Apple", "iPhone 15"), ("Samsung", "Galaxy S24"), ("Google", "Pixel 8")],
    ),
    (
        "Tablet",
        36,
        True,
        750,
        [
            ("Apple", "iPad Air"),
            ("Microsoft", "Surface Pro 10"),
            ("Samsung", "Galaxy Tab S9"),
        ],
    ),
    (
        "Docking Station",
        48,
        True,
        250,
        [("Dell", "WD22TB4"), ("Lenovo", "ThinkPad Universal Dock")],
    ),
    (
        "Printer",
        60,
        True,
        650,
        [
            ("HP", "LaserJet Pro 4101"),
            ("Brother", "MFC-L8900"),
            ("Canon", "imageRUNNER 1643"),
        ],
    ),
    (
        "Network Switch",
        60,
        True,
        2400,
        [("Cisco", "Catalyst 9200"), ("Aruba", "CX 6100")],
    ),
    ("Server", 60, True, 9500, [("Dell", "PowerEdge R760"), ("HPE", "ProLiant DL380")]),
    ("Projector", 60, True, 900, [("Epson", "PowerLite 1795F"), ("BenQ", "MW560")]),
    ("Forklift", 120, False, 28000, [("Toyota", "8FGCU25"), ("Hyster", "H50FT")]),
    (
        "Company Vehicle",
        96,
        False,
        34000,
        [("Ford", "Transit Connect"), ("Toyota", "RAV4 Hybrid")],
    ),
]
ASSET_TYPE_WEIGHTS = [30, 8, 25, 14, 5, 8, 3, 1, 1, 2, 1, 2]
ASSET_NOTES = [
    "Screen replaced under warranty",
    "Loaner unit",
    "Battery replaced",
    "Reimaged for new starter",
]
EVENT_TYPES = ["assigned", "returned", "repaired", "moved", "audited", "audited"]


def asset_type_rows(company: Company) -> Iterator[dict]:
    """ops.asset_types: every type of ``ASSET_TYPES``."""
    for number, (name, months, is_it, cost, _models) in enumerate(ASSET_TYPES, 1):
        company.asset_types.append((number, name, cost))
        yield {
            "asset_type_id": number,
            "name": name,
            "depreciation_months": months,
            "is_it_equipment": is_it,
        }


def asset_rows(company: Company) -> Iterator[dict]:
    """ops.assets: most in use by an active employee, the rest in stock or retired."""
    rng = company.rng("ops.assets")
    active = [p for p in company.employees if p.is_active]
    for number in range(1, company.count("ops.assets") + 1):
        type_index = rng.choices(range(len(ASSET_TYPES)), ASSET_TYPE_WEIGHTS)[0]
        type_id, type_name, cost = company.asset_types[type_index]
        maker, model = rng.choice(ASSET_TYPES[type_index][4])
        purchased = REFERENCE_DATE - random_days(rng, 10, 2500)
        status = rng.choices(
            ["in_use", "in_stock", "repair", "retired", "lost"], [70, 12, 4, 13, 1]
        )[0]
        owner = rng.choice(active) if status in {"in_use", "repair"} else None
        site_id = owner.site_id if owner else rng.choice(company.site_ids)
        if owner:
            company.assets_by_owner.setdefault(owner.employee_id, []).append(
                (number, type_name)
            )
        company.asset_purchases.append((number, purchased))
        price = Decimal(cost) * Decimal(rng.randint(85, 120)) / 100
        yield {
            "asset_id": number,
            "asset_tag": f"CT-{number:06d}",
            "asset_type_id": type_id,
            "manufacturer": maker,
            "model": model,
            "serial_number": serial_number(rng) if rng.random() < 0.9 else None,
            "site_id": site_id,
            "assigned_to": owner.employee_id if owner else None,
            "purchase_date": purchased,
            "purchase_cost": price.quantize(Decimal("0.01")),
            "warranty_expires": rng.choice(
                [None, purchased + dt.timedelta(days=365 * rng.choice([1, 3, 5]))]
            ),
            "status": status,
            "notes": rng.choice([None] * 8 + ASSET_NOTES),
        }


def asset_event_rows(company: Company) -> Iterator[dict]:
    """ops.asset_events: each asset's history, from "received" on its purchase day."""
    rng = company.rng("ops.asset_events")
    it_logins = [
        p.login for p in company.employees if p.department_code in {"IT", "ITSUP"}
    ] or [company.employees[0].login]
    wanted = company.count("ops.asset_events")
    made = 0
    purchases = company.asset_purchases
    for index, (asset_id, purchased) in enumerate(purchases):
        left = len(purchases) - index
        k = max(1, fair_share(wanted, made, left) + rng.randint(-1, 1))
        if made + k > wanted or (index == len(purchases) - 1):
            k = max(0, wanted - made)
        when = dt.datetime.combine(purchased, dt.time(9))
        for step in range(k):
            kind = "received" if step == 0 else rng.choice(EVENT_TYPES)
            step_by = dt.timedelta(
                days=rng.randint(0, 120), minutes=rng.randint(1, 480)
            )
            when = min(when + step_by, LAST_MOMENT)
            made += 1
            yield {
                "asset_id": asset_id,
                "event_at": when,
                "event_type": kind,
                "user": rng.choice(it_logins) if rng.random() < 0.9 else None,
                "details": rng.choice([None, f"{kind.capitalize()} by service desk"]),
            }
