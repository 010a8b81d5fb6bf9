"""A small "existing" database for browse tests: schema ``shop`` in its own MetaData.

Kept off ``db.metadata`` so other tests never see it: the fixtures install a catalog
built from it and ATTACH its SQLite file as schema ``shop`` on every connection.
Tables: categories (lookup), items (every column kind, FK, unique + indexed text),
item_tags (composite PK), events (no primary key, a column named ``user``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
    event,
    insert,
)

from app.catalog import Catalog, build_catalog, set_catalog
from app.extensions import db

SCHEMA = "shop"

ACCESS_TOML = """
version = 1
[roles.everyone]
users = ["*"]
[[roles.everyone.grants]]
tables = ["*.*"]
actions = ["read", "export"]
"""

SETTINGS_TOML = """
[tables."shop.items"]
label = "Items"
description = "Things we sell."
hidden = ["secret"]
search = ["name", "sku"]
sort = "item_id"
page_size = 10

[tables."shop.items".columns]
added_on = "Added on"

[tables."shop.categories"]
label = "Categories"
label_column = "name"
"""

CATEGORY_NAMES = ["Books", "Garden", "Kitchen", "Toys", "Tools"]


def make_metadata() -> MetaData:
    """The shop tables on a fresh MetaData."""
    md = MetaData()
    Table(
        "categories",
        md,
        Column("category_id", Integer, primary_key=True),
        Column("code", String(10), nullable=False, unique=True),
        Column("name", String(100), nullable=False),
        schema=SCHEMA,
    )
    Table(
        "items",
        md,
        Column("item_id", Integer, primary_key=True),
        Column("sku", String(20), nullable=False, unique=True),
        Column("name", String(100), nullable=False),
        Column("category_id", Integer, ForeignKey("shop.categories.category_id")),
        Column("price", Numeric(12, 2)),
        Column("in_stock", Boolean, nullable=False),
        Column("added_on", Date),
        Column("updated_at", DateTime),
        Column("guid", Uuid),
        Column("blob", LargeBinary),
        Column("notes", Text),
        Column("secret", String(50)),
        Index("ix_items_name", "name"),
        schema=SCHEMA,
    )
    Table(
        "item_tags",
        md,
        Column("item_id", Integer, ForeignKey("shop.items.item_id")),
        Column("tag", String(20)),
        PrimaryKeyConstraint("item_id", "tag"),
        schema=SCHEMA,
    )
    Table(
        "events",
        md,
        Column("at", DateTime, nullable=False),
        Column("item_id", Integer),
        Column("user", String(20)),
        Column("message", String(200)),
        schema=SCHEMA,
    )
    return md


@dataclass
class Shop:
    """The installed test database: its metadata, catalog and tables."""

    metadata: MetaData
    catalog: Catalog

    def table(self, name: str) -> Table:
        return self.metadata.tables[f"{SCHEMA}.{name}"]


def item_rows(count: int) -> Iterator[dict]:
    """Realistic items: names, prices, some NULLs and empty strings."""
    words = [
        "Apple",
        "anchor",
        "Basket",
        "Candle",
        "Drill",
        "Easel",
        "Funnel",
        "Grater",
    ]
    for n in range(1, count + 1):
        word = words[n % len(words)]
        yield {
            "item_id": n,
            "sku": f"SKU-{n:05d}",
            "name": f"{word} {n:03d}" if n != 7 else "100% cotton_towel [blue]",
            "category_id": (n % len(CATEGORY_NAMES)) + 1 if n % 11 else None,
            "price": decimal.Decimal(n * 3) / 4 if n % 13 else None,
            "in_stock": n % 3 != 0,
            "added_on": dt.date(2024, 1, 1) + dt.timedelta(days=n),
            "updated_at": dt.datetime(2024, 6, 1, 9, 30) + dt.timedelta(hours=n),
            "guid": uuid.UUID(int=n),
            "blob": bytes(range(n % 16)),
            "notes": "" if n % 5 == 0 else ("Long note " * 20 if n == 2 else None),
            "secret": f"s3cret-{n}",
        }


def install_shop(
    app: Flask, directory: Path, items: int = 45, settings: str = SETTINGS_TOML
) -> Shop:
    """Create and fill the shop schema in the app's database; install its catalog."""
    md = make_metadata()
    settings_file = directory / "tables.toml"
    settings_file.write_text(settings, encoding="utf-8")
    catalog = build_catalog(md.tables.values(), settings_file)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            shop_file = str(directory / "shop.db")

            @event.listens_for(engine, "connect")
            def _attach(dbapi_connection, _record) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute(f'ATTACH DATABASE ? AS "{SCHEMA}"', (shop_file,))
                cursor.close()

            engine.dispose()
        else:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                insert(md.tables["shop.categories"]),
                [
                    {"category_id": i, "code": name[:3].upper(), "name": name}
                    for i, name in enumerate(CATEGORY_NAMES, start=1)
                ],
            )
            conn.execute(insert(md.tables["shop.items"]), list(item_rows(items)))
            conn.execute(
                insert(md.tables["shop.item_tags"]),
                [{"item_id": 1, "tag": "new"}, {"item_id": 1, "tag": "a,b/c"}]
                + [{"item_id": 2, "tag": "sale"}],
            )
            conn.execute(
                insert(md.tables["shop.events"]),
                [
                    {
                        "at": dt.datetime(2024, 1, 1, 8) + dt.timedelta(minutes=i),
                        "item_id": i % 4,
                        "user": "amorgan",
                        "message": f"event {i}",
                    }
                    for i in range(30)
                ],
            )
    set_catalog(app, catalog)
    return Shop(md, catalog)
