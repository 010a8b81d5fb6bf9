"""`dev init --sample-from URL --rows N`: real rows copied, foreign keys kept whole.

The "live server" is a second SQLite file holding the shop of test_sample_rows."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from app.dev.copy_rows import copy_rows
from app.dev.sample_rows import fill_sample_rows
from tests.ownschema.test_sample_rows import shop


@pytest.fixture
def live(tmp_path) -> str:
    """The URL of a "live" shop database with 40 rows per table."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    md = shop()
    engine = create_engine(url)
    with engine.begin() as conn:
        md.create_all(conn)
        fill_sample_rows(conn, md.tables.values(), 40, seed=3)
    engine.dispose()
    return url


@pytest.fixture
def copied(live):
    """The shop copied from ``live`` into an empty database, 5 rows per table."""
    md = shop()
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        md.create_all(conn)
        report = copy_rows(conn, md.tables.values(), live, 5)
    return engine, md, report


def rows_of(engine, table) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(select(table).order_by(*table.primary_key.columns)).all()


def test_copy_rows_takes_at_most_n_rows_per_table(copied):
    """GIVEN a live shop of 40 rows per table WHEN 5 rows per table are copied
    THEN no table has more than 5, and the key-only parents have exactly 5."""
    engine, md, report = copied
    assert report.rows["Region"] == 5
    assert all(0 <= n <= 5 for n in report.rows.values())
    assert len(rows_of(engine, md.tables["Region"])) == 5


def test_copy_rows_copies_values_as_they_are(copied, live):
    """GIVEN the copy WHEN its regions are compared with the live ones
    THEN they are the first 5 live regions, value for value."""
    engine, md, _ = copied
    region = md.tables["Region"]
    assert rows_of(engine, region) == rows_of(create_engine(live), region)[:5]


def test_copy_rows_leaves_no_orphan(copied):
    """GIVEN the copy WHEN SQLite checks every foreign key THEN none is broken."""
    engine, _md, _ = copied
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_copy_rows_drops_children_of_parents_not_copied_and_says_so(copied, live):
    """GIVEN orders whose region (NOT NULL) is mostly outside the 5 copied
    WHEN they are copied THEN those orders are left out and the report says why."""
    engine, md, report = copied
    order = md.tables["Order"]
    live_orders = rows_of(create_engine(live), order)[:5]
    kept_regions = {r.RegionID for r in rows_of(engine, md.tables["Region"])}
    expected = [o for o in live_orders if o.RegionID in kept_regions]
    assert rows_of(engine, order) == expected
    if len(expected) < 5:
        assert "rows dropped: their RegionID -> Region row" in report.short["Order"]


def test_copy_rows_empties_a_nullable_reference_to_a_row_not_copied(copied, live):
    """GIVEN products whose parent product (nullable) may not be among the copied
    WHEN they are copied THEN such a parent is set empty, the row kept, and said."""
    engine, md, report = copied
    product = md.tables["Product"]
    live_products = rows_of(create_engine(live), product)[:5]
    codes = {p.ProductCode for p in live_products}
    outside = [p for p in live_products if p.ParentCode and p.ParentCode not in codes]
    assert outside, "the live sample needs a product whose parent is not copied"
    kept = {p.ProductCode: p.ParentCode for p in rows_of(engine, product)}
    assert set(kept) == codes
    assert all(kept[p.ProductCode] is None for p in outside)
    assert "set empty" in report.short["Product"]


def test_dev_init_sample_from_a_url_that_cannot_be_used_says_so(make_app):
    """GIVEN a URL of no known dialect WHEN dev init --sample-from runs
    THEN it exits 1 with a clear message, not a traceback."""
    app = make_app()
    result = app.test_cli_runner().invoke(
        args=["tablefront", "dev", "init", "--force", "--sample-from", "nosuch://x"]
    )
    assert result.exit_code == 1
    assert "cannot use --sample-from 'nosuch://x'" in result.output
    assert "Traceback" not in result.output
