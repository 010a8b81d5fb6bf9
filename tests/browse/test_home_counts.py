"""Home page counts: one statement per table, errors isolated, unfiltered ones kept
for a while."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import column, event, insert, text

from app.access import TableAccess
from app.catalog import get_catalog
from app.data.scope import Scope
from app.data.summaries import count_cache, count_key
from app.extensions import db
from tests.html import soup

ODBC = "[Microsoft][ODBC Driver 18 for SQL Server]"


class PyodbcStyleError(sqlite3.OperationalError):
    """A DBAPI error the embedded engine wraps, with pyodbc's (SQLSTATE, text)."""


DENIED = (
    "42000",
    f"[42000] {ODBC}[SQL Server]The SELECT permission was denied on the object "
    "'events', database 'Shop', schema 'shop'. (229) (SQLExecDirectW)",
)
TIMEOUT = ("HYT00", f"[HYT00] {ODBC}Query timeout expired (0) (SQLExecDirectW)")


def _counts(response) -> dict[str, str]:
    """table key -> the count shown on its home-page link."""
    found = {}
    for link in soup(response).select('[data-testid="table-link"]'):
        badge = link.select_one(
            '[data-testid="table-count"], [data-testid="table-count-unavailable"]'
        )
        found[link["data-table"]] = badge.get_text(strip=True)
    return found


def _statements(app) -> list[str]:
    seen: list[str] = []

    def before(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
    return seen


def _refuse(app, table: str, args: tuple[str, str]) -> None:
    def before(conn, cursor, statement, *rest) -> None:
        if f"shop.{table}" in statement:
            raise PyodbcStyleError(*args)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)


def test_home_counts_each_table_with_its_own_statement(shop_app, shop_client):
    """GIVEN the four shop tables
    WHEN the home page is opened
    THEN each count is its own statement (one failing cannot take the others)."""
    seen = _statements(shop_app)
    shop_client.get("/")
    counts = [s for s in seen if "count(*)" in s.lower()]
    assert len(counts) == 4
    assert all(s.lower().count("count(*)") == 1 for s in counts)


def test_home_broken_table_shows_count_unavailable_and_the_rest(shop_app, shop_client):
    """GIVEN shop.item_tags dropped behind the catalog's back (a broken view)
    WHEN the home page is opened
    THEN it answers 200, item_tags says "count unavailable", the others count."""
    with shop_app.app_context():
        db.session.execute(text("DROP TABLE shop.item_tags"))
        db.session.commit()
    response = shop_client.get("/")
    assert response.status_code == 200
    counts = _counts(response)
    assert counts["shop.item_tags"] == "count unavailable"
    assert counts["shop.items"] == "45"


@pytest.mark.parametrize("args", [DENIED, TIMEOUT], ids=["denied-229", "HYT00"])
def test_home_refused_or_timed_out_count_leaves_other_counts(
    shop_app, shop_client, args
):
    """GIVEN the count of shop.events refused (Msg 229) or timed out (HYT00)
    WHEN the home page is opened
    THEN events says "count unavailable" and items still shows 45."""
    _refuse(shop_app, "events", args)
    counts = _counts(shop_client.get("/"))
    assert counts["shop.events"] == "count unavailable"
    assert counts["shop.items"] == "45"


def test_home_counts_are_kept_until_the_ttl_passes(shop_app, shop_client):
    """GIVEN the home page was shown, then an item is added
    WHEN it is shown again before and after the counts' TTL
    THEN the kept count (45) shows first, the new count (46) after expiry."""
    now = [1000.0]
    with shop_app.app_context():
        cache = count_cache()
    cache.clock = lambda: now[0]
    assert _counts(shop_client.get("/"))["shop.items"] == "45"
    with shop_app.app_context():
        items = shop_app.shop.table("items")
        db.session.execute(
            insert(items).values(item_id=999, sku="SKU-NEW", name="new", in_stock=True)
        )
        db.session.commit()
    now[0] += cache.ttl - 1
    assert _counts(shop_client.get("/"))["shop.items"] == "45"
    now[0] += 2
    assert _counts(shop_client.get("/"))["shop.items"] == "46"


def test_count_key_unfiltered_callers_share_the_table_key(shop_app):
    """GIVEN two callers who read shop.items without a row filter (separate access
    objects, different actions)
    WHEN their count keys are made
    THEN both are the table and cap alone (one kept count, not one per caller)."""
    with shop_app.app_context():
        catalog = get_catalog()
        info = catalog.get("shop.items")
        keys = {
            count_key(
                Scope(
                    info, TableAccess("shop.items", frozenset(actions)), None, catalog
                ),
                100,
            )
            for actions in ({"read"}, {"read", "export"})
        }
    assert keys == {("shop.items", 100)}


def test_count_key_row_filtered_caller_is_never_kept(shop_app):
    """GIVEN a caller whose access to shop.items has a row filter
    WHEN the count key is made
    THEN there is none: a count under the caller's rights is never cached."""
    with shop_app.app_context():
        catalog = get_catalog()
        access = TableAccess(
            "shop.items", frozenset({"read"}), row_filter=column("x") == 1
        )
        scope = Scope(catalog.get("shop.items"), access, None, catalog)
        assert count_key(scope, 100) is None
