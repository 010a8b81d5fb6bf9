"""Filters by kind: yes/no selects, date pickers, foreign keys by label, chips."""

from __future__ import annotations

from tests.html import by_testid, soup

ITEMS = "/t/shop/items"


def _value_field(doc):
    """The value field of the first applied filter row."""
    return doc.select('[data-testid="filter-row"] [data-testid="filter-value"]')[0]


def _chips(doc) -> list[str]:
    return [c.get_text() for c in doc.select('[data-testid="chip-text"]')]


def test_list_yes_no_filter_is_a_select_of_any_yes_no(shop_client):
    """GIVEN a filter on in_stock (yes/no) equal to yes
    WHEN the list is shown
    THEN its value is a select offering Any, Yes, No with Yes chosen."""
    doc = soup(shop_client.get(ITEMS + "?fc=in_stock&fo=eq&fv=yes"))
    field = _value_field(doc)
    assert field.name == "select"
    options = [(o["value"], o.get_text()) for o in field.select("option")]
    assert options == [("", "Any"), ("yes", "Yes"), ("no", "No")]
    assert field.select_one("option[selected]")["value"] == "yes"


def test_list_yes_no_filter_any_applies_no_filter(shop_client):
    """GIVEN the yes/no select left on Any (an empty value)
    WHEN the form is sent
    THEN every item is listed and no chip is shown."""
    doc = soup(shop_client.get(ITEMS + "?fc=in_stock&fo=eq&fv="))
    assert by_testid(doc, "row-count").get_text(strip=True) == "45 rows"
    assert _chips(doc) == []


def test_list_date_filter_is_a_date_picker(shop_client):
    """GIVEN a filter on added_on (a date) from 2024-01-01
    WHEN the list is shown
    THEN its value field is an <input type="date"> holding the day."""
    field = _value_field(
        soup(shop_client.get(ITEMS + "?fc=added_on&fo=gte&fv=2024-01-01"))
    )
    assert (field.name, field.get("type"), field["value"]) == (
        "input",
        "date",
        "2024-01-01",
    )


def test_list_datetime_filter_with_a_time_keeps_its_text(shop_client):
    """GIVEN a filter on updated_at with a time of day (not a plain day)
    WHEN the list is shown
    THEN the value stays in a text field as typed (a date picker would lose it)."""
    doc = soup(shop_client.get(ITEMS + "?fc=updated_at&fo=gte&fv=2024-01-01+10%3A00"))
    field = _value_field(doc)
    assert field.get("type") is None
    assert field["value"] == "2024-01-01 10:00"


def test_list_fk_filter_value_uses_the_label_lookup(shop_client):
    """GIVEN a filter on category_id (a foreign key to categories)
    WHEN the list is shown
    THEN its value field looks labels up through the filter lookup, with a datalist."""
    doc = soup(shop_client.get(ITEMS + "?fc=category_id&fo=eq&fv=2"))
    field = _value_field(doc)
    assert field["data-lookup"] == "/t/shop/items/-/filter-lookup/category_id"
    assert doc.select_one(f"datalist#{field['list']}") is not None


def test_list_fk_filter_chip_names_the_row_not_its_key(shop_client):
    """GIVEN a filter category_id equals 2 (Garden)
    WHEN the list is shown
    THEN the chip reads "Category is Garden", not "equals 2"."""
    doc = soup(shop_client.get(ITEMS + "?fc=category_id&fo=eq&fv=2"))
    label = doc.select_one('option[value="category_id"]').get_text()
    assert _chips(doc) == [f"{label} is Garden"]


def test_list_fk_filter_chip_names_the_row_when_no_row_matches(shop_client):
    """GIVEN category_id equals 2 (Garden) and a price no item reaches
    WHEN the list is shown (an empty page: no row brings Garden's label)
    THEN the chip still reads "Category is Garden"."""
    doc = soup(
        shop_client.get(ITEMS + "?fc=category_id&fo=eq&fv=2&fc=price&fo=gte&fv=999999")
    )
    assert by_testid(doc, "row-count").get_text(strip=True) == "0 rows"
    label = doc.select_one('option[value="category_id"]').get_text()
    assert _chips(doc)[0] == f"{label} is Garden"


def test_list_filter_chips_say_each_filter_in_words(shop_client):
    """GIVEN a yes/no filter and a price range
    WHEN the list is shown
    THEN each applied filter has a chip in words, with a link that removes it."""
    doc = soup(shop_client.get(ITEMS + "?fc=in_stock&fo=eq&fv=1&fc=price&fo=gte&fv=5"))
    assert _chips(doc) == ["In stock is yes", "Price from 5"]
    remove = doc.select('[data-testid="chip-remove"]')[0]["href"]
    after = soup(shop_client.get(remove))
    assert _chips(after) == ["Price from 5"]


def test_list_filter_chips_in_json(shop_client):
    """GIVEN the FK filter category_id equals 2
    WHEN the list is read as JSON
    THEN the chip's words are in the view."""
    data = shop_client.get(
        ITEMS + "?fc=category_id&fo=eq&fv=2", headers={"Accept": "application/json"}
    ).get_json()
    assert [c["text"] for c in data["chips"]][0].endswith(" is Garden")


def test_filter_lookup_finds_rows_by_label(shop_client):
    """GIVEN the categories Books, Garden, ...
    WHEN the category filter lookup is asked for "gar"
    THEN it answers Garden's key with its label."""
    doc = soup(shop_client.get(ITEMS + "/-/filter-lookup/category_id?q=gar"))
    assert [(o["value"], o.get_text()) for o in doc.select("option")] == [
        ("2", "Garden (2)")
    ]


def test_filter_lookup_of_a_column_that_is_no_foreign_key_is_404(shop_client):
    """GIVEN items.name, a plain column
    WHEN its filter lookup is asked for
    THEN it is a 404 (nothing to look up)."""
    assert shop_client.get(ITEMS + "/-/filter-lookup/name?q=a").status_code == 404


def test_filter_lookup_of_a_column_hidden_by_access_is_404(shop_client, monkeypatch):
    """GIVEN access that hides items.category_id from the caller
    WHEN its filter lookup is asked for
    THEN it is a 404 and no category is answered."""
    from app.access import TableAccess

    def access(_identity, table):
        hidden = frozenset({"category_id"}) if table.name == "items" else frozenset()
        return TableAccess(table.fullname, frozenset({"read"}), hidden)

    monkeypatch.setattr("app.data.scope.table_access", access)
    monkeypatch.setattr("app.data.scope.require", lambda i, t, _a: access(i, t))
    response = shop_client.get(ITEMS + "/-/filter-lookup/category_id?q=gar")
    assert response.status_code == 404
    assert "Garden" not in response.get_data(as_text=True)
