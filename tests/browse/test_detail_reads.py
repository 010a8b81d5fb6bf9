"""The detail page's reads and the escaping of its cells."""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask import get_template_attribute
from sqlalchemy import event

from app.extensions import db
from app.pages.table import TableCell
from tests.html import soup

HOSTILE = "\"'><script>x</script>&"


def test_cell_macro_hostile_values_are_escaped(shop_app):
    """GIVEN a table cell whose column, text, classes, title and link hold markup
    WHEN the results table's cell macro prints it
    THEN every value is escaped and comes back unchanged through a parser."""
    with shop_app.test_request_context():
        cell = get_template_attribute("browse/_macros.html", "cell")
        html = str(
            cell(TableCell(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, "fk-link"))
        )
    assert "<script>" not in html
    td = BeautifulSoup(html, "html.parser").td
    assert td["data-column"] == HOSTILE
    assert td["class"] == HOSTILE.split()
    assert td["title"] == HOSTILE
    assert td.select_one('[data-testid="fk-link"]')["href"] == HOSTILE
    assert td.get_text() == HOSTILE


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
