"""The list page's reads: page 1 is one statement (rows, joined labels, count)."""

from __future__ import annotations

from sqlalchemy import event

from app.extensions import db
from tests.html import soup


def _selects(app, client, url):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return response, [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def _count_text(response) -> str:
    return soup(response).select_one('[data-testid="row-count"]').get_text(" ", True)


def test_list_first_page_is_one_select_with_its_count(shop_app, shop_client):
    """GIVEN the shop's items (45 rows)
    WHEN page 1 of the list is opened
    THEN one SELECT reads the rows and the count, and the count shows 45."""
    response, selects = _selects(shop_app, shop_client, "/t/shop/items")
    assert response.status_code == 200
    assert len(selects) == 1, selects
    assert "45" in _count_text(response)


def test_list_filtered_first_page_counts_only_matching_rows(shop_app, shop_client):
    """GIVEN a search that matches no item
    WHEN page 1 is opened
    THEN the count read with the page is 0."""
    response, _ = _selects(shop_app, shop_client, "/t/shop/items?q=zzzz-none")
    assert response.status_code == 200
    assert _count_text(response).startswith("0")
