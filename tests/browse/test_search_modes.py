"""Search modes: word starts by default, a per-table setting, the contains offer."""

from __future__ import annotations

import pytest

from app.catalog import SettingsError
from app.data.listing import list_page
from app.data.query import ListQuery
from app.identity import Identity
from tests.browse.shop import ACCESS_TOML, SETTINGS_TOML, install_shop
from tests.html import soup
from tests.mssql import compile_mssql

JDOE = Identity("CONTOSO", "jdoe")
PREFIX_SETTINGS = SETTINGS_TOML.replace(
    'search = ["name", "sku"]\n', 'search = ["name", "sku"]\nsearch_mode = "prefix"\n'
)


def _names(client, **args) -> list[str]:
    page = soup(client.get("/t/shop/items", query_string=args))
    rows = page.select('[data-testid="results"] tbody tr')
    return [tr.select("td")[2].get_text(strip=True) for tr in rows]


@pytest.fixture
def prefix_client(make_app, tmp_path):
    """The shop whose items table is set to search_mode = "prefix"."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    app = make_app(TABLEFRONT_ACCESS_FILE=str(access))
    app.shop = install_shop(app, tmp_path, settings=PREFIX_SETTINGS)
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": "CONTOSO\\jdoe"})
    return client


@pytest.mark.parametrize("text", ["cotton", "COTTON", "100%"])
def test_search_default_mode_matches_a_word_start(shop_client, text):
    """GIVEN item 7 named "100% cotton_towel [blue]" and no search_mode setting
    WHEN the list is searched for a word of it (any case) or its start
    THEN item 7 is found."""
    assert _names(shop_client, q=text) == ["100% cotton_towel [blue]"]


def test_search_words_mode_does_not_match_inside_a_word(shop_client):
    """GIVEN item 7 named "100% cotton_towel [blue]"
    WHEN the list is searched for "otton" (inside a word)
    THEN nothing is found."""
    assert _names(shop_client, q="otton") == []


def test_search_prefix_setting_matches_only_the_field_start(prefix_client):
    """GIVEN items set to search_mode = "prefix"
    WHEN searched for "cotton" (a later word), then for "100%"
    THEN the first finds nothing, the second item 7."""
    assert _names(prefix_client, q="cotton") == []
    assert _names(prefix_client, q="100%") == ["100% cotton_towel [blue]"]


def test_search_mode_in_url_overrides_the_table_setting(prefix_client):
    """GIVEN items set to search_mode = "prefix"
    WHEN searched for "cotton" with mode=words
    THEN item 7 is found."""
    assert _names(prefix_client, q="cotton", mode="words") == [
        "100% cotton_towel [blue]"
    ]


def test_list_page_without_matches_gives_contains_count(shop_app):
    """GIVEN a words search for "otton" that finds nothing, and one item containing it
    WHEN the data layer reads the page
    THEN it reports the contains count: 1 row, not capped."""
    with shop_app.test_request_context():
        page = list_page(
            JDOE, shop_app.shop.catalog, "shop.items", ListQuery(q="otton")
        )
        assert page.rows == []
        assert (page.search_mode, page.contains_count.value) == ("words", 1)


def test_list_page_with_matches_skips_contains_count(shop_app):
    """GIVEN a search for "cotton" that finds item 7
    WHEN the data layer reads the page
    THEN no contains count is read (None)."""
    with shop_app.test_request_context():
        page = list_page(
            JDOE, shop_app.shop.catalog, "shop.items", ListQuery(q="cotton")
        )
        assert page.contains_count is None


def test_list_without_matches_links_search_anywhere_with_count(shop_client):
    """GIVEN a search for "otton" that finds nothing but is contained in item 7
    WHEN the list page is shown
    THEN it offers "1 row contain ... search anywhere", linking mode=contains."""
    page = soup(shop_client.get("/t/shop/items?q=otton"))
    link = page.select_one('[data-testid="search-anywhere"]')
    assert link.get_text(" ", strip=True).startswith("1 row")
    assert "mode=contains" in link["href"] and "q=otton" in link["href"]
    assert _names(shop_client, q="otton", mode="contains") == [
        "100% cotton_towel [blue]"
    ]


def test_settings_unknown_search_mode_names_file_and_line(app, tmp_path):
    """GIVEN tables.toml with search_mode = "fuzzy"
    WHEN the catalog is built
    THEN SettingsError names the line and the allowed modes."""
    from app.catalog import build_catalog
    from tests.browse.shop import make_metadata

    path = tmp_path / "tables.toml"
    path.write_text(
        SETTINGS_TOML.replace("sort = ", 'search_mode = "fuzzy"\nsort = ', 1)
    )
    with pytest.raises(SettingsError) as caught:
        build_catalog(make_metadata().tables.values(), path)
    message = str(caught.value)
    assert ":7:" in message and "'prefix', 'words', 'contains'" in message


def test_words_search_compiles_to_index_prefix_or_word_like(shop_app):
    """GIVEN a words search for "wil"
    WHEN its condition is compiled for SQL Server
    THEN it is a prefix LIKE (seekable) OR a LIKE on a word start, escaped."""
    from app.data.query import search_clause
    from app.data.scope import open_scope

    with shop_app.test_request_context():
        scope = open_scope(JDOE, shop_app.shop.catalog, "shop.items")
        clause = search_clause(scope, ListQuery(q="w_l"), "mssql", [])
    sql = compile_mssql(clause, literal_binds=True)
    assert "shop.items.name LIKE 'w~_l%' ESCAPE '~'" in sql
    assert "shop.items.name LIKE '% w~_l%' ESCAPE '~'" in sql
