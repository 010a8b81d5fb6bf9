"""ops.sites: the company's offices, warehouses and service centers; and the
maintenance windows an old facilities tool books for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from app.demo.seed.draws import REFERENCE_DATE, moment_on, random_days

if TYPE_CHECKING:
    from app.demo.seed.company import Company


def _table(text_block: str) -> list[tuple[str, ...]]:
    # One row a line, cells split on "|": far shorter than formatted tuples.
    return [
        tuple(cell.strip() for cell in line.split("|"))
        for line in text_block.strip().splitlines()
    ]


# code | name | city | country | time zone | latitude | longitude
SITES = _table(
    """
SEA | Seattle Headquarters | Seattle | US | America/Los_Angeles | 47.606 | -122.332
NYC | New York Office | New York | US | America/New_York | 40.713 | -74.006
CHI | Chicago Office | Chicago | US | America/Chicago | 41.878 | -87.630
DAL | Dallas Distribution Center | Dallas | US | America/Chicago | 32.777 | -96.797
ATL | Atlanta Office | Atlanta | US | America/New_York | 33.749 | -84.388
DEN | Denver Service Center | Denver | US | America/Denver | 39.739 | -104.990
TOR | Toronto Office | Toronto | CA | America/Toronto | 43.653 | -79.383
MEX | Mexico City Office | Mexico City | MX | America/Mexico_City | 19.433 | -99.133
LON | London Office | London | GB | Europe/London | 51.507 | -0.128
DUB | Dublin Office | Dublin | IE | Europe/Dublin | 53.350 | -6.260
AMS | Amsterdam Office | Amsterdam | NL | Europe/Amsterdam | 52.368 | 4.904
FRA | Frankfurt Office | Frankfurt | DE | Europe/Berlin | 50.110 | 8.682
PAR | Paris Office | Paris | FR | Europe/Paris | 48.857 | 2.352
MAD | Madrid Office | Madrid | ES | Europe/Madrid | 40.417 | -3.704
WAW | Warsaw Office | Warsaw | PL | Europe/Warsaw | 52.230 | 21.012
STO | Stockholm Office | Stockholm | SE | Europe/Stockholm | 59.329 | 18.069
ZRH | Zurich Office | Zurich | CH | Europe/Zurich | 47.377 | 8.542
DXB | Dubai Office | Dubai | AE | Asia/Dubai | 25.205 | 55.271
BLR | Bangalore Development Center | Bangalore | IN | Asia/Kolkata | 12.972 | 77.595
SIN | Singapore Office | Singapore | SG | Asia/Singapore | 1.352 | 103.820
TYO | Tokyo Office | Tokyo | JP | Asia/Tokyo | 35.677 | 139.650
SYD | Sydney Office | Sydney | AU | Australia/Sydney | -33.869 | 151.209
SAO | Sao Paulo Office | Sao Paulo | BR | America/Sao_Paulo | -23.551 | -46.633
JNB | Johannesburg Office | Johannesburg | ZA | Africa/Johannesburg | -26.204 | 28.047
MEM | Memphis Warehouse | Memphis | US | America/Chicago | 35.150 | -90.049
"""
)
STREETS = [
    "Main Street",
    "Market Street",
    "Harbor Way",
    "Industrial Park Road",
    "Commerce Drive",
    "Station Road",
    "Lake Avenue",
    "Innovation Boulevard",
]


def site_rows(company: Company) -> Iterator[dict]:
    """ops.sites: the first sites of ``SITES``, as many as scaled."""
    rng = company.rng("ops.sites")
    for number, site in enumerate(SITES[: company.count("ops.sites")], 1):
        code, name, city, country, zone, lat, lon = site
        company.site_ids.append(number)
        company.site_names.append(city)
        yield {
            "site_id": number,
            "code": code,
            "name": name,
            "address_line": f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
            "city": city,
            "country_code": country,
            "time_zone": zone,
            "latitude": Decimal(lat),
            "longitude": Decimal(lon),
            "opened_on": dt.date(1998, 3, 1) + random_days(rng, 0, 8000),
            "is_active": True,
        }


WINDOW_TITLES = [
    "Generator test",
    "HVAC service",
    "Network switch upgrade",
    "Fire alarm inspection",
    "UPS battery swap",
    "Badge reader firmware",
]


def _datetime_ticks(moment: dt.datetime, rng) -> dt.datetime:
    """``moment`` plus milliseconds SQL Server DATETIME can hold (1/300 s: .xx0/3/7)."""
    ticks = rng.randint(0, 299)
    return moment + dt.timedelta(milliseconds=round(ticks * 1000 / 300))


def maintenance_window_rows(company: Company) -> Iterator[dict]:
    """ops.maintenance_windows: numbered by the old tool itself (assigned keys)."""
    rng = company.rng("ops.maintenance_windows")
    for number in range(1, company.count("ops.maintenance_windows") + 1):
        day = REFERENCE_DATE + random_days(rng, -400, 60)
        starts = _datetime_ticks(moment_on(day, rng), rng)
        ends = (
            _datetime_ticks(starts + dt.timedelta(hours=rng.randint(1, 8)), rng)
            if rng.random() < 0.8
            else None
        )
        remind = (
            (starts - dt.timedelta(days=1)).replace(second=0, microsecond=0)
            if rng.random() < 0.6
            else None
        )
        yield {
            "window_no": 1000 + number * 10,
            "site_id": rng.choice(company.site_ids),
            "title": rng.choice(WINDOW_TITLES),
            "starts_at": starts,
            "ends_at": ends,
            "remind_at": remind,
        }
