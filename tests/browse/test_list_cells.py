"""List and detail cells: NULL as a muted dash, truncated text, the keyless badge."""

from __future__ import annotations

from tests.html import by_testid, soup


def _null_parts(cell) -> tuple[str, str]:
    dash = cell.select_one(".tf-dash")
    hidden = cell.select_one(".visually-hidden")
    return (
        (dash.get_text(), dash.get("aria-hidden")),
        hidden.get_text(),
    )


def test_list_null_cell_is_a_hidden_dash_with_the_word_empty(shop_client):
    """GIVEN item 1 whose notes are NULL
    WHEN the list is shown
    THEN the cell shows an aria-hidden dash and says "empty" to screen readers,
    never "NULL"."""
    cell = soup(shop_client.get("/t/shop/items")).select(
        '[data-testid="cell"][data-column="notes"]'
    )[0]
    assert _null_parts(cell) == (("–", "true"), "empty")
    assert "NULL" not in cell.get_text()


def test_detail_null_field_is_a_hidden_dash_with_the_word_empty(shop_client):
    """GIVEN item 1 whose notes are NULL
    WHEN its detail page is shown
    THEN the field shows the same dash and hidden word."""
    doc = soup(shop_client.get("/t/shop/items/1"))
    field = doc.select_one('[data-testid="field"][data-column="notes"] dd')
    assert _null_parts(field) == (("–", "true"), "empty")


def test_list_null_json_is_empty_text(shop_client):
    """GIVEN item 1 whose notes are NULL
    WHEN the list is read as JSON
    THEN the cell's text is empty (no "NULL" word) and its class says tf-null."""
    data = shop_client.get("/t/shop/items", headers={"Accept": "application/json"})
    cells = data.get_json()["results"]["rows"][0]["cells"]
    notes = next(c for c in cells if c["column"] == "notes")
    assert (notes["text"], notes["css"]) == ("", "tf-null")


def test_list_keyless_table_is_labelled_read_only_not_view(shop_client):
    """GIVEN shop.events, a table without a primary key (not a view)
    WHEN its list is shown
    THEN the badge says "read-only: no primary key"."""
    badge = by_testid(soup(shop_client.get("/t/shop/events")), "table-badge")
    assert badge.get_text() == "read-only: no primary key"


def test_list_view_is_still_labelled_view(shop_app, shop_client):
    """GIVEN shop.events marked as a view (as generated models mark views)
    WHEN its list is shown
    THEN the badge says "view"."""
    shop_app.shop.table("events").info["is_view"] = True
    try:
        badge = by_testid(soup(shop_client.get("/t/shop/events")), "table-badge")
    finally:
        del shop_app.shop.table("events").info["is_view"]
    assert badge.get_text() == "view"


def test_list_keyed_table_has_no_badge(shop_client):
    """GIVEN shop.items with a primary key
    WHEN its list is shown
    THEN there is no badge."""
    assert (
        soup(shop_client.get("/t/shop/items")).select('[data-testid="table-badge"]')
        == []
    )
