"""A page shape's statement is built once: keyset bounds are bound parameters, so
later pages reuse it; with filters the bounds still apply to the filtered rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.data import FilterSpec, ListQuery, list_page
from app.data.listing import plan_list
from app.data.scope import open_scope
from app.extensions import db
from app.identity import Identity

JDOE = Identity("CONTOSO", "jdoe")


@pytest.fixture
def ctx(shop_app):
    with shop_app.test_request_context():
        yield shop_app.shop


def test_next_pages_reuse_one_statement_with_their_own_bounds(ctx):
    """GIVEN pages 2 and 3 of the items sorted by name (tokens of one shape)
    WHEN both are planned
    THEN they share one statement and differ only in its bound values."""
    query = ListQuery(sort="name", size=5)
    page1 = list_page(JDOE, ctx.catalog, "shop.items", query)
    page2 = list_page(
        JDOE,
        ctx.catalog,
        "shop.items",
        ListQuery(sort="name", size=5, page=page1.next_token),
    )
    scope = open_scope(JDOE, ctx.catalog, "shop.items")
    plans = [
        plan_list(scope, ListQuery(sort="name", size=5, page=t), "sqlite", labels=True)
        for t in (page1.next_token, page2.next_token)
    ]
    assert plans[0].statement is plans[1].statement
    assert plans[0].params != plans[1].params
    assert set(plans[0].params) == {"tf_k0", "tf_k1"}


def test_filtered_keyset_walk_visits_every_matching_row_once(ctx):
    """GIVEN a price filter and a descending sort on a nullable column
    WHEN every page is followed with next tokens
    THEN the rows are exactly the matching rows, in the database's order."""
    filters = (FilterSpec("price", "gte", "5"),)
    query = ListQuery(sort="-price", size=4, filters=filters)
    ids, page = [], list_page(JDOE, ctx.catalog, "shop.items", query)
    ids += [r[0] for r in page.rows]
    while page.next_token:
        next_query = ListQuery(
            sort="-price", size=4, filters=filters, page=page.next_token
        )
        page = list_page(JDOE, ctx.catalog, "shop.items", next_query)
        ids += [r[0] for r in page.rows]
    items = ctx.table("items")
    expected = db.session.execute(
        select(items.c.item_id)
        .where(items.c.price >= 5)
        .order_by(items.c.price.desc(), items.c.item_id.desc())
    ).scalars()
    assert ids == list(expected)


def test_page_sees_rows_the_request_wrote_and_has_not_committed(ctx):
    """GIVEN an item inserted through the request's session, not yet committed
    WHEN the items list is read in the same request
    THEN the page (and its count) include it: the list reads through that session."""
    items = ctx.table("items")
    before = list_page(JDOE, ctx.catalog, "shop.items", ListQuery(size=100))
    db.session.execute(
        items.insert().values(item_id=999, sku="SKU-NEW", name="New", in_stock=True)
    )
    after = list_page(JDOE, ctx.catalog, "shop.items", ListQuery(size=100))
    db.session.rollback()
    assert 999 not in [r[0] for r in before.rows]
    assert 999 in [r[0] for r in after.rows]
    assert after.count.value == before.count.value + 1


def test_page_outside_a_session_transaction_leaves_no_session(shop_app):
    """GIVEN a request that has not touched the ORM session
    WHEN a list page is read
    THEN it is read without creating one (its own connection, closed afterwards)."""
    with shop_app.test_request_context():
        page = list_page(JDOE, shop_app.shop.catalog, "shop.items", ListQuery())
        assert page.rows and page.count.value == 45
        assert not db.session.registry.has()
