"""The detail page's reads and the escaping of its cells."""

from __future__ import annotations

from sqlalchemy import event

from app.extensions import db
from tests.html import soup

HOSTILE = "\"'><script>x</script>&"


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


def test_detail_of_a_row_nothing_points_at_is_one_select(shop_app, shop_client):
    """GIVEN an item tag (no table points at item tags; its item FK targets a table
    without a row filter, by its primary key)
    WHEN its detail page is opened
    THEN one SELECT reads the row and the item's label, and the link shows."""
    response, selects = _selects(shop_app, shop_client, "/t/shop/item_tags/1,new")
    assert response.status_code == 200
    assert len(selects) == 1, selects
    link = soup(response).select_one('[data-testid="fk-link"]')
    assert link["href"] == "/t/shop/items/1"
    assert link.get_text() == "anchor 001"


def test_detail_related_lists_still_read_when_rows_point_here(shop_client):
    """GIVEN item 1, which two item tags point at
    WHEN its detail page is opened
    THEN the related list shows both tags (the key they match was read)."""
    doc = soup(shop_client.get("/t/shop/items/1"))
    related = doc.select_one('[data-testid="related"][data-table="shop.item_tags"]')
    assert len(related.select('[data-column="tag"]')) == 2
