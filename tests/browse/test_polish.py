"""List/detail/home presentation: list columns, row links, compact GUIDs, pagers,
filters that wait for Apply, narrowed operators, related lists, favicon."""

from __future__ import annotations

import struct

import pytest

from tests.browse.shop import ACCESS_TOML, SETTINGS_TOML, install_shop
from tests.html import by_testid, soup

LIST_SETTINGS = SETTINGS_TOML.replace(
    "page_size = 10\n", 'page_size = 10\nlist_columns = ["name", "price", "guid"]\n'
)


@pytest.fixture
def listed_client(make_app, tmp_path):
    """A client on the shop whose items list shows only name, price and guid."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    app = make_app(TABLEFRONT_ACCESS_FILE=str(access))
    install_shop(app, tmp_path, settings=LIST_SETTINGS)
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": "CONTOSO\\jdoe"})
    return client


def _header_columns(doc) -> list[str]:
    table = doc.select_one('[data-testid="results-table"]')
    return [th["title"] for th in table.select("thead th[scope=col]")]


def test_list_columns_setting_picks_and_orders_list_columns(listed_client):
    """GIVEN list_columns = name, price, guid for items
    WHEN the list is opened
    THEN exactly those columns show, in that order."""
    doc = soup(listed_client.get("/t/shop/items"))
    assert _header_columns(doc) == ["name", "price", "guid"]


def test_list_columns_setting_leaves_detail_with_every_field(listed_client):
    """GIVEN list_columns limiting the items list
    WHEN an item's detail page is opened
    THEN unlisted columns (notes, sku) are still shown there."""
    doc = soup(listed_client.get("/t/shop/items/1"))
    fields = {f["data-column"] for f in doc.select('[data-testid="field"]')}
    assert {"notes", "sku", "name"} <= fields


def test_list_filter_offers_unlisted_columns(listed_client):
    """GIVEN list_columns without sku
    WHEN the list is opened
    THEN sku can still be chosen in the filter column menu."""
    new = by_testid(listed_client.get("/t/shop/items"), "filter-new")
    options = [o["value"] for o in new.select('[data-testid="filter-column"] option')]
    assert "sku" in options


def test_list_first_cell_is_the_row_link(shop_client):
    """GIVEN the items list (first column item_id)
    WHEN it is shown
    THEN each row's first cell holds the link to the row's page, showing its value."""
    rows = soup(shop_client.get("/t/shop/items")).select('[data-testid="row"]')
    first = rows[0].find("td")
    link = first.select_one('a[data-testid="row-link"]')
    assert first["data-column"] == "item_id"
    assert (link["href"], link.get_text()) == ("/t/shop/items/1", "1")


def test_list_fk_first_column_gets_an_open_cell(shop_client):
    """GIVEN item_tags, whose first column is a foreign key
    WHEN its list is shown
    THEN a separate leading cell carries the row link and the FK cell its own link."""
    row = soup(shop_client.get("/t/shop/item_tags")).select_one('[data-testid="row"]')
    cells = row.find_all("td", recursive=False)
    assert cells[0].select_one('[data-testid="row-link"]').get_text() == "Open"
    assert cells[1].select_one('[data-testid="fk-link"]') is not None


def test_list_guid_is_compact_with_full_value_in_title(listed_client):
    """GIVEN items with GUIDs
    WHEN the list is shown
    THEN a GUID cell shows its first 8 characters and the whole GUID as tooltip."""
    doc = soup(listed_client.get("/t/shop/items"))
    cell = doc.select('[data-testid="cell"][data-column="guid"]')[1]
    assert len(cell["title"]) == 36 and cell["title"].startswith(cell.get_text()[:8])
    assert cell.get_text() == cell["title"][:8] + "…"


def test_detail_guid_is_shown_in_full(shop_client):
    """GIVEN an item with a GUID
    WHEN its detail page is opened
    THEN the whole GUID is shown."""
    doc = soup(shop_client.get("/t/shop/items/2"))
    value = doc.select_one('[data-testid="field"][data-column="guid"] dd').get_text()
    assert len(value) == 36


def test_list_cells_escape_markup_in_values(shop_app, shop_client):
    """GIVEN an item whose name holds markup
    WHEN the list is shown
    THEN the name is text in its cell, no element is created from it."""
    from app.extensions import db

    items = shop_app.shop.table("items")
    with shop_app.app_context():
        db.session.execute(
            items.update()
            .where(items.c.item_id == 2)
            .values(name='<b id="x">&"quoted"</b>')
        )
        db.session.commit()
    doc = soup(shop_client.get("/t/shop/items"))
    cell = doc.select('[data-testid="cell"][data-column="name"]')[1]
    assert cell.get_text() == '<b id="x">&"quoted"</b>'
    assert doc.select("#x") == []


def test_list_top_pager_shows_beside_the_count_when_there_are_more_pages(shop_client):
    """GIVEN 45 items at 10 per page
    WHEN page 1 is shown
    THEN a compact pager sits in the count bar with the same next link as below."""
    doc = soup(shop_client.get("/t/shop/items"))
    bar = by_testid(doc, "count-bar")
    top_next = bar.select_one('[data-testid="top-page-next"]')
    assert top_next["href"] == by_testid(doc, "page-next")["href"]


def test_list_top_pager_is_absent_on_a_single_page(shop_client):
    """GIVEN 5 categories (one page)
    WHEN their list is shown
    THEN there is no top pager."""
    doc = soup(shop_client.get("/t/shop/categories"))
    assert doc.select('[data-testid="top-pager"]') == []


def test_list_filter_fields_send_nothing_until_apply(shop_client):
    """GIVEN the list's filter form
    WHEN it is rendered
    THEN no filter input carries an htmx trigger and the form fires only on submit."""
    doc = soup(shop_client.get("/t/shop/items"))
    form = by_testid(doc, "filter-form")
    filters = by_testid(doc, "filters")
    triggering = [
        el.get("name")
        for el in filters.select("select, input")
        if el.has_attr("hx-get") or el.has_attr("hx-trigger")
    ]
    assert (form["hx-trigger"], triggering) == ("submit", [])


def test_list_filter_row_operators_are_narrowed_to_the_column(shop_client):
    """GIVEN a filter row on a boolean column
    WHEN the list is shown
    THEN its operator menu offers only what applies to booleans."""
    doc = soup(shop_client.get("/t/shop/items?fc=in_stock&fo=eq&fv=yes"))
    row = by_testid(doc, "filter-row")
    ops = [o["value"] for o in row.select('[data-testid="filter-op"] option')]
    assert ops == ["eq"]


def test_list_filter_column_options_carry_their_operators(shop_client):
    """GIVEN the new-filter row
    WHEN the list is shown
    THEN each column option names its operators for the browser to narrow to."""
    new = by_testid(shop_client.get("/t/shop/items"), "filter-new")
    option = new.select_one('[data-testid="filter-column"] option[value="price"]')
    assert option["data-ops"].split() == ["eq", "gte", "lte", "empty", "notempty"]


def test_list_wrong_operator_for_column_is_still_a_400(shop_client):
    """GIVEN a hand-made URL pairing a boolean column with "contains"
    WHEN it is requested
    THEN the server refuses it (the browser-side narrowing is no safeguard)."""
    response = shop_client.get("/t/shop/items?fc=in_stock&fo=contains&fv=x")
    assert response.status_code == 400


def test_list_page_loads_the_filters_script_from_static(shop_client):
    """GIVEN the list page
    WHEN it is rendered
    THEN it loads static/js/filters.js, which is served."""
    doc = soup(shop_client.get("/t/shop/items"))
    sources = [s["src"] for s in doc.select("script[src]")]
    assert "/static/js/filters.js" in sources
    assert shop_client.get("/static/js/filters.js").status_code == 200


def test_detail_related_list_drops_the_column_pointing_back(shop_client):
    """GIVEN item 1 with tags
    WHEN its page is opened
    THEN the tags list does not repeat item_id (it is this row)."""
    doc = soup(shop_client.get("/t/shop/items/1"))
    related = doc.select_one('[data-testid="related"][data-table="shop.item_tags"]')
    columns = {c["data-column"] for c in related.select('[data-testid="cell"]')}
    assert columns == {"tag"}


def test_detail_empty_related_list_is_one_line(shop_app, shop_client):
    """GIVEN an item without tags
    WHEN its page is opened
    THEN its tags show as one "No ..." line, not a table."""
    doc = soup(shop_client.get("/t/shop/items/3"))
    related = doc.select_one('[data-testid="related"][data-table="shop.item_tags"]')
    assert related.name == "li"
    assert (
        related.select_one('[data-testid="related-empty"]').get_text().startswith("No ")
    )
    assert related.select("table") == []


def test_home_schema_header_names_schema_and_table_count(shop_client):
    """GIVEN the shop schema with four tables
    WHEN the home page is shown
    THEN its header shows the schema name and "4 tables"."""
    doc = soup(shop_client.get("/"))
    card = doc.select_one('[data-testid="schema"][data-schema="shop"]')
    name = card.select_one('[data-testid="schema-name"]').get_text()
    count = card.select_one('[data-testid="schema-table-count"]').get_text()
    links = card.select('[data-testid="table-link"]')
    assert (name, count) == ("shop", f"{len(links)} tables")


def test_favicon_is_linked_and_a_valid_icon(shop_client):
    """GIVEN any page
    WHEN it is rendered
    THEN it links a favicon that is served as a valid 16x16 ICO file."""
    doc = soup(shop_client.get("/"))
    href = doc.select_one('link[rel="icon"]')["href"]
    data = shop_client.get(href).get_data()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    width, height, _c, _r, _planes, _bpp, size, offset = struct.unpack(
        "<BBBBHHII", data[6:22]
    )
    assert (reserved, kind, count, width, height) == (0, 1, 1, 16, 16)
    assert offset + size == len(data)
