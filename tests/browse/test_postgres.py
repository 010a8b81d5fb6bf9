"""The same list, detail and export behaviour on PostgreSQL (marker ``postgres``)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browse.shop import ACCESS_TOML, install_shop
from tests.html import by_testid, soup, text_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_client(make_app, tmp_path, pg_database):
    """A client on an app whose database is a fresh PostgreSQL database with shop."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    url = pg_database.render_as_string(hide_password=False)
    app = make_app(TABLEFRONT_ACCESS_FILE=str(access), TABLEFRONT_DATABASE_URL=url)
    install_shop(app, tmp_path)
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": "CONTOSO\\jdoe"})
    return client


def _column(response, name: str) -> list[str]:
    return [
        c.get_text()
        for c in soup(response).select(f'[data-testid="cell"][data-column="{name}"]')
    ]


def test_postgres_list_pages_sort_search_and_filter(pg_client):
    """GIVEN the shop tables on PostgreSQL
    WHEN the list is paged, sorted by a nullable column, searched and filtered
    THEN the results match the SQLite behaviour (NULL first ascending)."""
    first = pg_client.get("/t/shop/items")
    assert text_of(first, "row-count") == "45 rows"
    second = pg_client.get(by_testid(first, "page-next")["href"])
    assert _column(second, "sku")[0] == "SKU-00011"
    by_price = pg_client.get("/t/shop/items?sort=price&size=100")
    assert _column(by_price, "price")[:3] == ["–empty"] * 3
    found = pg_client.get("/t/shop/items?q=ANCHOR&fc=in_stock&fo=eq&fv=yes&size=100")
    names = _column(found, "name")
    assert names and all(n.startswith("anchor") for n in names)
    literal = pg_client.get("/t/shop/items?q=100%25")
    assert _column(literal, "name") == ["100% cotton_towel [blue]"]


def test_postgres_keyset_walk_by_nullable_column_visits_every_row(pg_client):
    """GIVEN pages of 7 sorted by price descending (with NULLs)
    WHEN every next link is followed
    THEN all 45 rows appear exactly once."""
    seen, response = [], pg_client.get("/t/shop/items?sort=-price&size=7")
    while True:
        seen += _column(response, "sku")
        nxt = soup(response).select_one('a[data-testid="page-next"]')
        if nxt is None:
            break
        response = pg_client.get(nxt["href"])
    assert sorted(seen) == [f"SKU-{n:05d}" for n in range(1, 46)]


def test_postgres_detail_and_related_rows(pg_client):
    """GIVEN item 1 on PostgreSQL
    WHEN its detail page is opened
    THEN the title, FK link and related tags show."""
    doc = soup(pg_client.get("/t/shop/items/1"))
    assert text_of(doc, "row-title") == "anchor 001"
    tags = doc.select('[data-table="shop.item_tags"] [data-column="tag"]')
    assert sorted(t.get_text() for t in tags) == ["a,b/c", "new"]


def test_postgres_export_csv_streams_filtered_rows(pg_client):
    """GIVEN a filtered list on PostgreSQL
    WHEN it is exported as CSV
    THEN the filtered rows are written after a BOM and header."""
    body = pg_client.get("/t/shop/items/-/export.csv?fc=price&fo=gte&fv=30").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["40", "41", "42", "43", "44", "45"]
