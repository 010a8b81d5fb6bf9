"""The list's access notices and column choice never reveal a hidden column."""

from __future__ import annotations

import json

from tests.html import by_testid, text_of

JSON = {"Accept": "application/json"}


def test_list_row_filter_on_hidden_column_is_not_named(shop_client, monkeypatch):
    """GIVEN access that hides price and notes and filters rows on price
    WHEN the items list is shown as HTML and as JSON
    THEN the general sentence and "2 columns" are said, and price never appears."""
    from app.access import TableAccess
    from app.access.rowfilters import parse_conditions

    rule = parse_conditions([{"column": "price", "op": "<", "value": 10}])

    def access(_identity, table):
        if table.name != "items":
            return TableAccess(table.fullname, frozenset({"read"}))
        return TableAccess(
            table.fullname,
            frozenset({"read"}),
            frozenset({"price", "notes"}),
            table.c.price < 10,
            read_rules=(rule,),
        )

    monkeypatch.setattr("app.data.scope.table_access", access)
    monkeypatch.setattr("app.data.scope.require", lambda i, t, _a: access(i, t))
    page = shop_client.get("/t/shop/items")
    assert text_of(page, "row-notice") == "Showing only the rows your access allows."
    assert text_of(page, "hidden-notice") == "2 columns are hidden by your access."
    assert "price" not in page.get_data(as_text=True).lower()
    data = shop_client.get("/t/shop/items", headers=JSON).get_json()
    assert "price" not in json.dumps(data).lower()
    assert by_testid(page, "access-notices")
