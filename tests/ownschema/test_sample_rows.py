"""Sample rows for any models: deterministic, consistent, within every constraint."""

from __future__ import annotations

import decimal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Unicode,
    UniqueConstraint,
    create_engine,
    func,
    select,
)
from sqlalchemy.dialects import mssql

import app.embedded  # noqa: F401  (SQLite DDL for SQL Server models)
from app.dev.sample_rows import check_bounds, fill_sample_rows

ROOT = Path(__file__).resolve().parents[2]


def shop() -> MetaData:
    """Regions (assigned keys), products (self reference), orders and lines."""
    md = MetaData()
    Table(
        "Region",
        md,
        Column("RegionID", Integer, primary_key=True, autoincrement=False),
        Column("Name", Unicode(30), nullable=False, unique=True),
        Column("CountryCode", String(2), nullable=False),
        CheckConstraint("CountryCode IN ('GB', 'FR', 'DE')", name="CK_country"),
    )
    Table(
        "Product",
        md,
        Column("ProductCode", mssql.CHAR(8), primary_key=True),
        Column("ParentCode", mssql.CHAR(8), ForeignKey("Product.ProductCode")),
        Column("Weight", Numeric(8, 3)),
        CheckConstraint("[Weight] > 0", name="CK_weight"),
    )
    Table(
        "Order",
        md,
        Column("OrderID", Integer, Identity(), primary_key=True),
        Column("RegionID", Integer, ForeignKey("Region.RegionID"), nullable=False),
        Column("Email", String(60), nullable=False),
        Column("Placed", Date, nullable=False),
        Column("Shipped", Date),
        Column("Priority", mssql.TINYINT, nullable=False),
        CheckConstraint("Priority BETWEEN 1 AND 4", name="CK_priority"),
        CheckConstraint("Shipped IS NULL OR Shipped >= Placed", name="CK_dates"),
    )
    Table(
        "Order Line",
        md,
        Column("OrderID", Integer, primary_key=True, autoincrement=False),
        Column("LineNo", SmallInteger, primary_key=True, autoincrement=False),
        Column("ProductCode", mssql.CHAR(8), nullable=False),
        Column("Qty", SmallInteger, nullable=False),
        ForeignKeyConstraint(["OrderID"], ["Order.OrderID"]),
        ForeignKeyConstraint(["ProductCode"], ["Product.ProductCode"]),
        UniqueConstraint("OrderID", "ProductCode"),
        CheckConstraint("Qty >= 1 AND Qty <= 99", name="CK_qty"),
    )
    return md


def filled(rows: int = 40, seed: int = 1):
    """A fresh SQLite database of the shop, filled; (engine, metadata, report)."""
    md = shop()
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        md.create_all(conn)
        report = fill_sample_rows(conn, md.tables.values(), rows, seed)
    return engine, md, report


def dump(engine, md) -> dict[str, list[tuple]]:
    """Every row of every table, in key order."""
    with engine.connect() as conn:
        return {
            name: conn.execute(select(t).order_by(*t.primary_key.columns)).all()
            for name, t in md.tables.items()
        }


def test_sample_rows_fill_every_table_with_the_rows_asked_for():
    """GIVEN four related tables WHEN 40 rows each are asked for
    THEN each gets 40 and nothing is reported short."""
    _engine, _md, report = filled()
    assert report.short == {}
    assert report.rows == dict.fromkeys(
        ["Region", "Product", "Order", "Order Line"], 40
    )


def test_sample_rows_are_the_same_for_the_same_seed():
    """GIVEN the same models and seed WHEN filled twice THEN the rows are identical,
    and another seed gives other rows."""
    first, second, other = filled(seed=1), filled(seed=1), filled(seed=2)
    assert dump(*first[:2]) == dump(*second[:2])
    assert dump(*first[:2]) != dump(*other[:2])


def test_sample_rows_foreign_keys_point_at_rows_that_exist():
    """GIVEN the filled shop WHEN each foreign key is joined to its parent
    THEN no child row is orphaned, and some products have a parent product."""
    engine, md, _ = filled()
    with engine.connect() as conn:
        orphans = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        product = md.tables["Product"]
        with_parent = conn.scalar(
            select(func.count()).where(product.c.ParentCode.is_not(None))
        )
    assert orphans == []
    assert with_parent > 0


def test_sample_rows_respect_checks_uniques_and_types():
    """GIVEN CHECK IN/BETWEEN/comparison, UNIQUE and CHAR(8) columns
    WHEN filled THEN every value is inside what the constraints allow."""
    engine, md, _ = filled()
    rows = dump(engine, md)
    assert {r.CountryCode for r in rows["Region"]} <= {"GB", "FR", "DE"}
    assert len({r.Name for r in rows["Region"]}) == 40
    assert all(1 <= r.Priority <= 4 for r in rows["Order"])
    assert all(1 <= r.Qty <= 99 for r in rows["Order Line"])
    assert all(len(r.ProductCode) == 8 for r in rows["Product"])
    assert all(
        r.Weight is None or decimal.Decimal(r.Weight) > 0 for r in rows["Product"]
    )
    assert all("@" in r.Email for r in rows["Order"])


def test_check_bounds_reads_simple_checks():
    """GIVEN the shop's CHECK constraints WHEN read THEN IN lists, BETWEEN and
    comparisons become bounds and the cross-column check is left alone."""
    md = shop()
    order = check_bounds(md.tables["Order"])
    assert (order["Priority"].low, order["Priority"].high) == (1, 4)
    assert "Shipped" not in order
    region = check_bounds(md.tables["Region"])
    assert region["CountryCode"].choices == ("GB", "FR", "DE")
    weight = check_bounds(md.tables["Product"])["Weight"]
    assert (weight.low, weight.low_inclusive) == (0, False)


def test_sample_rows_report_a_table_whose_parent_is_empty():
    """GIVEN orders but zero regions asked for WHEN filled
    THEN the orders are reported short, naming the empty parent."""
    md = shop()
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        md.create_all(conn)
        fill_sample_rows(conn, [md.tables["Region"]], 0)
        report = fill_sample_rows(conn, [md.tables["Order"]], 5)
    assert report.rows["Order"] == 0
    assert "Region has no rows" in report.short["Order"]


@pytest.mark.parametrize("rows", [1, 7])
def test_sample_rows_small_counts_work(rows):
    """GIVEN a small row count WHEN filled THEN every table has that many rows."""
    _engine, _md, report = filled(rows=rows)
    assert set(report.rows.values()) == {rows}


def test_sample_rows_are_the_same_in_another_process():
    """GIVEN two fresh processes with different hash seeds
    WHEN each fills the shop with the same seed THEN they write identical rows."""
    script = (
        "from tests.ownschema.test_sample_rows import dump, filled;"
        "print(repr(sorted(dump(*filled()[:2]).items())))"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert "Order Line" in outputs[0]
