"""The benchmark database: 1,000,000 people and 200 categories in schema ``bench``.

Embedded style: the tables live in ``<dir>/bench.db``, ATTACHed as schema ``bench``
beside an empty ``main.db``, exactly as app/embedded.py does for the demo schemas.
Built once (deterministic data) and cached; a marker file records the row count.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import sqlite3
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA = "bench"
PEOPLE = "people"
CATEGORIES = "categories"
CATEGORY_COUNT = 200

FIRST_NAMES = [
    "Alex",
    "Amara",
    "Ana",
    "Andrea",
    "Ben",
    "Carla",
    "Chen",
    "Chloe",
    "Daniel",
    "David",
    "Dana",
    "Elena",
    "Emma",
    "Ethan",
    "Fatima",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Isaac",
    "James",
    "Jana",
    "Jin",
    "Jonas",
    "Kai",
    "Karen",
    "Lars",
    "Laura",
    "Leo",
    "Linh",
    "Lucia",
    "Maria",
    "Mark",
    "Maya",
    "Mia",
    "Noah",
    "Nora",
    "Olga",
    "Omar",
    "Paul",
    "Priya",
    "Rafael",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tom",
    "Uma",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Abbott",
    "Adams",
    "Ahmed",
    "Alvarez",
    "Anderson",
    "Bailey",
    "Baker",
    "Barnes",
    "Bell",
    "Bennett",
    "Brooks",
    "Brown",
    "Bryant",
    "Butler",
    "Campbell",
    "Carter",
    "Castillo",
    "Chen",
    "Clark",
    "Coleman",
    "Collins",
    "Cook",
    "Cooper",
    "Cruz",
    "Davis",
    "Diaz",
    "Edwards",
    "Evans",
    "Fernandez",
    "Fisher",
    "Flores",
    "Foster",
    "Garcia",
    "Gill",
    "Gomez",
    "Gonzalez",
    "Gray",
    "Green",
    "Griffin",
    "Hall",
    "Hamilton",
    "Harris",
    "Hayes",
    "Henderson",
    "Hernandez",
    "Hill",
    "Howard",
    "Hughes",
    "Jackson",
    "James",
    "Jenkins",
    "Johnson",
    "Jones",
    "Kaur",
    "Kelly",
    "Kern",
    "Khan",
    "Kim",
    "King",
    "Kowalski",
    "Lee",
    "Lewis",
    "Long",
    "Lopez",
    "Marshall",
    "Martin",
    "Martinez",
    "Miller",
    "Mitchell",
    "Moore",
    "Morales",
    "Morgan",
    "Morris",
    "Murphy",
    "Myers",
    "Nguyen",
    "Nelson",
    "Novak",
    "Okafor",
    "Ortiz",
    "Parker",
    "Patel",
    "Perez",
    "Perry",
    "Peterson",
    "Phillips",
    "Powell",
    "Price",
    "Ramirez",
    "Reed",
    "Reyes",
    "Richardson",
    "Rivera",
    "Roberts",
    "Robinson",
    "Rodriguez",
    "Rogers",
    "Ross",
    "Russell",
    "Sanchez",
    "Sanders",
    "Scott",
    "Shah",
    "Silva",
    "Simmons",
    "Smith",
    "Stewart",
    "Sullivan",
    "Taylor",
    "Thomas",
    "Thompson",
    "Torres",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]

DDL = [
    f"""CREATE TABLE {SCHEMA}.{CATEGORIES} (
        category_id INTEGER NOT NULL PRIMARY KEY,
        code VARCHAR(12) NOT NULL UNIQUE,
        name VARCHAR(80) NOT NULL
    )""",
    f"""CREATE TABLE {SCHEMA}.{PEOPLE} (
        person_id INTEGER NOT NULL PRIMARY KEY,
        first_name VARCHAR(50) NOT NULL,
        last_name VARCHAR(50) NOT NULL,
        email VARCHAR(120) NOT NULL,
        category_id INTEGER NOT NULL REFERENCES {CATEGORIES} (category_id),
        amount NUMERIC(12, 2) NOT NULL,
        joined_on DATE NOT NULL,
        is_active BOOLEAN NOT NULL
    )""",
    f"CREATE INDEX {SCHEMA}.ix_people_last_name ON {PEOPLE} (last_name, person_id)",
    f"CREATE INDEX {SCHEMA}.ix_people_category ON {PEOPLE} (category_id, person_id)",
]


def _people(rows: int) -> Iterator[tuple]:
    rng = random.Random(20261101)
    start = dt.date(2005, 1, 1)
    for person_id in range(1, rows + 1):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        yield (
            person_id,
            first,
            last,
            f"{first}.{last}{person_id}@contoso.example".lower(),
            rng.randint(1, CATEGORY_COUNT),
            str(Decimal(rng.randint(100, 50_000_000)) / 100),
            (start + dt.timedelta(days=rng.randint(0, 7300))).isoformat(),
            1 if rng.random() < 0.85 else 0,
        )


def _count(db_dir: Path) -> int:
    try:
        with sqlite3.connect(db_dir / f"{SCHEMA}.db") as con:
            return con.execute(f"SELECT count(*) FROM {PEOPLE}").fetchone()[0]
    except sqlite3.Error:
        return -1


def build(db_dir: Path, rows: int) -> Path:
    """Create ``db_dir/bench.db`` (and an empty main.db) unless already built."""
    db_dir.mkdir(parents=True, exist_ok=True)
    path = db_dir / f"{SCHEMA}.db"
    marker = db_dir / f"{SCHEMA}.rows"
    if path.exists() and marker.exists() and marker.read_text() == str(rows):
        if _count(db_dir) == rows:
            return path
        log.warning("%s lost its rows (something rebuilt the folder): rebuilding", path)
    for stale in (path, marker, db_dir / "main.db"):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    sqlite3.connect(db_dir / "main.db").close()
    con = sqlite3.connect(db_dir / "main.db")
    con.execute("ATTACH DATABASE ? AS " + SCHEMA, (str(path),))
    con.execute(f"PRAGMA {SCHEMA}.journal_mode=OFF")
    con.execute(f"PRAGMA {SCHEMA}.synchronous=OFF")
    for statement in DDL[:2]:
        con.execute(statement)
    con.executemany(
        f"INSERT INTO {SCHEMA}.{CATEGORIES} VALUES (?, ?, ?)",
        (
            (i, f"CAT-{i:03d}", f"Category {i:03d} {LAST_NAMES[i % len(LAST_NAMES)]}")
            for i in range(1, CATEGORY_COUNT + 1)
        ),
    )
    con.executemany(
        f"INSERT INTO {SCHEMA}.{PEOPLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        _people(rows),
    )
    for statement in DDL[2:]:
        con.execute(statement)
    con.commit()
    con.execute(f"PRAGMA {SCHEMA}.journal_mode=WAL")
    con.execute(f"ANALYZE {SCHEMA}")
    con.close()
    marker.write_text(str(rows))
    log.info("built %s (%d rows) in %.1fs", path, rows, time.perf_counter() - started)
    return path
