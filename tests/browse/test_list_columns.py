"""The Columns menu: a person's choice of list columns, remembered per table."""

from __future__ import annotations

import json

from app.browse.column_choice import COOKIE
from tests.html import soup

ITEMS = "/t/shop/items"
JSON = {"Accept": "application/json"}


def _headers(response) -> list[str]:
    return [
        a["data-testid"].removeprefix("sort-")
        for a in soup(response).select('[data-testid="results-table"] thead a')
    ]


def _menu(response) -> dict[str, bool]:
    return {
        box["value"]: box.has_attr("checked")
        for box in soup(response).select('[data-testid="column-choice"]')
    }


def _choose(client, *names: str, table: str = ITEMS):
    query = "&".join(["cols_set=1", *(f"cols={n}" for n in names)])
    return client.get(f"{table}?{query}")


def test_list_columns_menu_lists_visible_columns_with_defaults_checked(shop_client):
    """GIVEN items, whose secret column the settings hide
    WHEN the list is shown
    THEN the Columns menu offers every other column, the shown ones checked."""
    menu = _menu(shop_client.get(ITEMS))
    assert "secret" not in menu
    assert {"item_id", "sku", "name", "price", "notes"} <= set(menu)
    assert all(menu.values())


def test_list_columns_choice_shows_only_the_chosen_columns(shop_client):
    """GIVEN the Columns menu
    WHEN name and price are chosen
    THEN the answer goes back to the list, which shows just those two columns."""
    sent = _choose(shop_client, "name", "price")
    assert sent.status_code == 303
    assert sent.headers["Location"] == ITEMS
    page = shop_client.get(ITEMS)
    assert _headers(page) == ["name", "price"]
    assert _menu(page)["sku"] is False


def test_list_columns_choice_is_remembered_per_table(shop_client):
    """GIVEN a choice of name and price on items
    WHEN items and categories are opened later
    THEN items keeps the choice (a cookie on its own path), categories does not."""
    _choose(shop_client, "name", "price")
    cookie = shop_client.get_cookie(COOKIE, path=ITEMS)
    assert cookie is not None and cookie.path == ITEMS
    assert _headers(shop_client.get(ITEMS + "?sort=-price")) == ["name", "price"]
    assert len(_headers(shop_client.get("/t/shop/categories"))) > 2


def test_list_columns_reset_goes_back_to_the_default(shop_client):
    """GIVEN a choice of two columns
    WHEN "Default columns" is pressed
    THEN the cookie is gone and every default column shows again."""
    _choose(shop_client, "name", "price")
    shop_client.get(ITEMS + "?cols_reset=1")
    assert shop_client.get_cookie(COOKIE, path=ITEMS) is None
    assert len(_headers(shop_client.get(ITEMS))) > 2


def test_list_columns_crafted_settings_hidden_name_is_never_shown(shop_client):
    """GIVEN a crafted choice naming secret (hidden by the settings) and name
    WHEN the list is shown
    THEN only name is shown and secret appears nowhere."""
    _choose(shop_client, "secret", "name")
    page = shop_client.get(ITEMS)
    assert _headers(page) == ["name"]
    assert "secret" not in page.get_data(as_text=True).lower()


def test_list_columns_cookie_of_another_person_is_ignored(shop_app, shop_client):
    """GIVEN jdoe's cookie choosing two columns, sent by another person
    WHEN that person opens the list
    THEN they see the default columns."""
    _choose(shop_client, "name", "price")
    value = shop_client.get_cookie(COOKIE, path=ITEMS).value
    other = shop_app.test_client()
    other.environ_base["REMOTE_USER"] = "CONTOSO\\asmith"
    other.set_cookie(COOKIE, value, path=ITEMS)
    assert len(_headers(other.get(ITEMS))) > 2


def test_list_columns_tampered_cookie_is_ignored(shop_client):
    """GIVEN a column cookie that was edited (its signature no longer matches)
    WHEN the list is shown
    THEN it is the default list, not an error."""
    shop_client.set_cookie(COOKIE, "eyJjIjpbIm5hbWUiXX0.forged", path=ITEMS)
    page = shop_client.get(ITEMS)
    assert page.status_code == 200
    assert len(_headers(page)) > 2


def test_list_columns_hidden_by_access_never_in_menu_or_via_a_crafted_choice(
    shop_client, monkeypatch
):
    """GIVEN access that hides price from the caller
    WHEN the caller crafts a choice of price and name, and reads HTML and JSON
    THEN price is in neither the menu nor the table nor the JSON."""
    from app.access import TableAccess

    def access(_identity, table):
        hidden = frozenset({"price"}) if table.name == "items" else frozenset()
        return TableAccess(table.fullname, frozenset({"read", "export"}), hidden)

    monkeypatch.setattr("app.data.scope.table_access", access)
    monkeypatch.setattr("app.data.scope.require", lambda i, t, _a: access(i, t))
    _choose(shop_client, "price", "name")
    page = shop_client.get(ITEMS)
    assert _headers(page) == ["name"]
    assert "price" not in _menu(page)
    assert "price" not in page.get_data(as_text=True).lower()
    data = shop_client.get(ITEMS + "?cols_set=1&cols=price&cols=name", headers=JSON)
    view = data.get_json()
    assert [h["name"] for h in view["results"]["headers"]] == ["name"]
    assert "price" not in json.dumps(view).lower()
