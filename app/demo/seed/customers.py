"""sales.customers: companies buying from the demo company, most with an account rep."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from app.demo.seed.draws import (
    REFERENCE_DATE,
    moment_on,
    phone_number,
    random_days,
)
from app.demo.seed.names import FIRST_NAMES, LAST_NAMES, distinct_name

if TYPE_CHECKING:
    from app.demo.seed.company import Company

SALES_DEPARTMENTS = {"SALES", "INSIDE", "KEYACC", "CHAN"}
COMPANY_WORDS = [
    "Northwind",
    "Fabrikam",
    "Tailspin",
    "Woodgrove",
    "Litware",
    "Proseware",
    "Adventure",
    "Alpine",
    "Blue Yonder",
    "Coho",
    "Consolidated",
    "Fourth Coffee",
    "Graphic Design",
    "Humongous",
    "Lucerne",
    "Margie",
    "Relecloud",
    "Southridge",
    "Trey",
    "Wingtip",
    "Wide World",
    "Datum",
    "Bellows",
    "Contoso Pharma",
    "Vanarsdel",
]
COMPANY_SUFFIXES = [
    "Inc.",
    "Ltd",
    "LLC",
    "Group",
    "Holdings",
    "Partners",
    "GmbH",
    "Trading",
    "Industries",
    "Systems",
    "Logistics",
    "Foods",
]

CUSTOMER_CITIES = [
    ("Seattle", "US"),
    ("Portland", "US"),
    ("Boston", "US"),
    ("Austin", "US"),
    ("Phoenix", "US"),
    ("Miami", "US"),
    ("Toronto", "CA"),
    ("Vancouver", "CA"),
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Berlin", "DE"),
    ("Munich", "DE"),
    ("Lyon", "FR"),
    ("Rotterdam", "NL"),
    ("Krakow", "PL"),
    ("Milan", "IT"),
    ("Barcelona", "ES"),
    ("Oslo", "NO"),
    ("Singapore", "SG"),
    ("Melbourne", "AU"),
    ("Osaka", "JP"),
    ("Pune", "IN"),
    ("Cape Town", "ZA"),
    ("Monterrey", "MX"),
]


def customer_rows(company: Company) -> Iterator[dict]:
    """sales.customers with distinct names; remembers each one's rep for orders."""
    rng = company.rng("sales.customers")
    company.sales_reps = [
        p.employee_id
        for p in company.employees
        if p.department_code in SALES_DEPARTMENTS
    ] or [company.employees[0].employee_id]
    names: set[str] = set()
    for number in range(1, company.count("sales.customers") + 1):
        name = distinct_name(rng, names, COMPANY_WORDS, COMPANY_SUFFIXES, (2, 99))
        city, country = rng.choice(CUSTOMER_CITIES)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rep = rng.choice(company.sales_reps) if rng.random() < 0.85 else None
        company.customer_reps.append(rep)
        slug = "".join(ch for ch in name.split()[0].lower() if ch.isalpha())
        yield {
            "customer_id": number,
            "customer_number": f"C{number:07d}",
            "name": name,
            "contact_name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}@{slug}.example",
            "phone": phone_number(rng),
            "city": city,
            "country_code": country,
            "credit_limit": Decimal(rng.choice([0, 5, 10, 25, 50, 100, 250]) * 1000),
            "account_manager_id": rep,
            "is_active": rng.random() < 0.93,
            "created_at": moment_on(REFERENCE_DATE - random_days(rng, 30, 4000), rng),
        }
