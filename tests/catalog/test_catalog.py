"""The catalog: defaults from table metadata, overrides and validation of settings."""

from __future__ import annotations

import pytest

from app.catalog import SettingsError, build_catalog
from tests.browse.shop import SETTINGS_TOML, make_metadata


def _catalog(tmp_path, settings: str | None):
    path = None
    if settings is not None:
        path = tmp_path / "tables.toml"
        path.write_text(settings, encoding="utf-8")
    return build_catalog(make_metadata().tables.values(), path)


def test_catalog_without_settings_derives_sensible_defaults(tmp_path):
    """GIVEN tables and no settings file
    WHEN the catalog is built
    THEN label column, search columns, tie-breakers and kinds come from metadata."""
    catalog = _catalog(tmp_path, None)
    items = catalog.get("shop.items")
    assert items.label_columns == ("name",)
    assert set(items.searchable) == {"sku", "name"}  # indexed/unique text columns
    assert items.order_key == ("item_id",)
    kinds = {c.name: c.kind for c in items.columns.values()}
    assert kinds["in_stock"] == "bool" and kinds["price"] == "decimal"
    assert kinds["blob"] == "binary" and kinds["notes"] == "longtext"
    assert kinds["guid"] == "guid" and kinds["updated_at"] == "datetime"
    assert catalog.get("shop.categories").label_columns == ("name",)
    assert catalog.get("shop.item_tags").order_key == ("item_id", "tag")


def test_catalog_table_without_key_orders_by_every_plain_column(tmp_path):
    """GIVEN a table with no primary key
    WHEN the catalog is built
    THEN it is view-like and its tie-breaker is all of its orderable columns."""
    events = _catalog(tmp_path, None).get("shop.events")
    assert events.is_view_like
    assert events.order_key == ("at", "item_id", "user", "message")


def test_catalog_settings_override_labels_hidden_search_and_sort(tmp_path):
    """GIVEN the shop settings file
    WHEN the catalog is built
    THEN labels, hidden columns, search, sort and page size follow it."""
    items = _catalog(tmp_path, SETTINGS_TOML).get("shop.items")
    assert items.label == "Items"
    assert items.columns["secret"].hidden
    assert items.searchable == ("name", "sku")
    assert items.page_size == 10
    assert items.columns["added_on"].label == "Added on"


def test_catalog_references_list_tables_pointing_here(tmp_path):
    """GIVEN items pointing at categories
    WHEN the catalog is built
    THEN categories knows items refer to it through category_id."""
    refs = _catalog(tmp_path, None).get("shop.categories").referenced_by
    assert [(r.child_key, r.child_columns) for r in refs] == [
        ("shop.items", ("category_id",))
    ]


@pytest.mark.parametrize(
    ("settings", "line", "message"),
    [
        ('# c\n\n[tables."shop.nope"]\nlabel = "X"\n', 3, "unknown table 'shop.nope'"),
        (
            '[tables."shop.items"]\nlabel = "I"\nhidden = ["sekret"]\n',
            3,
            "unknown column 'sekret'",
        ),
        (
            '[tables."shop.items"]\n\n[tables."shop.items".columns]\nnope = "N"\n',
            4,
            "unknown column 'nope'",
        ),
        ('[tables."shop.items"]\npage_size = "ten"\n', 2, "wrong type"),
        ('[tables."shop.items"]\ncolour = "red"\n', 2, "unknown setting 'colour'"),
        ('[tables."shop.items"]\nsearch = ["price"]\n', 2, "not a text column"),
        ('[tables."shop.items"\n', 1, "not valid TOML"),
        (
            '[tables."shop.items"]\nlabel = "I"\nlist_columns = ["nope"]\n',
            3,
            "unknown column 'nope' in list_columns",
        ),
        (
            '[tables."shop.items"]\nhidden = ["secret"]\nlist_columns = ["secret"]\n',
            2,
            "list column 'secret' of 'shop.items' is also hidden",
        ),
        ('[tables."shop.items"]\nlist_columns = []\n', 2, "at least one column"),
        ('[tables."shop.items"]\nlist_columns = "name"\n', 2, "wrong type"),
    ],
)
def test_catalog_bad_settings_name_file_and_line(tmp_path, settings, line, message):
    """GIVEN a settings file with one mistake
    WHEN the catalog is built
    THEN SettingsError names the file, the line and the mistake."""
    with pytest.raises(SettingsError) as caught:
        _catalog(tmp_path, settings)
    text = str(caught.value)
    assert f"tables.toml:{line}:" in text
    assert message in text


def test_catalog_bundled_settings_match_the_generated_models():
    """GIVEN the bundled app/settings/tables.toml and the generated models
    WHEN the app's catalog is built
    THEN it validates and excludes the app-owned tablefront schema."""
    from app import models  # noqa: F401
    from app.catalog import DEFAULT_SETTINGS, catalog_from_metadata
    from app.extensions import db

    catalog = catalog_from_metadata(db.metadata, DEFAULT_SETTINGS)
    assert not any(k.startswith("tablefront.") for k in catalog.tables)
    if "hr.employees" in catalog.tables:
        assert catalog.get("hr.employees").label_columns == ("first_name", "last_name")
