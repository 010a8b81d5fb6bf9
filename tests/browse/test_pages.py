"""Browse pages over HTTP: list, search, filters, paging, detail, export, bad input."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from tests.html import by_testid, soup, text_of


def _rows(response):
    return soup(response).select('[data-testid="results-table"] [data-testid="row"]')


def _column(response, name: str) -> list[str]:
    return [
        cell.get_text()
        for cell in soup(response).select(
            f'[data-testid="results-table"] [data-testid="cell"][data-column="{name}"]'
        )
    ]


def test_home_lists_tables_by_schema_with_counts(shop_client):
    """GIVEN the shop tables
    WHEN the home page is opened
    THEN each table is listed under its schema with its row count."""
    doc = soup(shop_client.get("/"))
    schema = doc.select_one('[data-testid="schema"][data-schema="shop"]')
    links = {a["data-table"]: a for a in schema.select('[data-testid="table-link"]')}
    assert set(links) == {
        "shop.items",
        "shop.categories",
        "shop.item_tags",
        "shop.events",
    }
    count = links["shop.items"].select_one('[data-testid="table-count"]').get_text()
    assert count == "45"


def test_list_page_shows_first_page_with_formatted_cells(shop_client):
    """GIVEN items with booleans, money, NULLs and binary
    WHEN the list page is opened
    THEN 10 rows show, formatted by type, and the hidden column is absent."""
    response = shop_client.get("/t/shop/items")
    assert response.status_code == 200
    assert len(_rows(response)) == 10
    assert _column(response, "in_stock")[:3] == ["✓", "✓", "✗"]
    assert _column(response, "price")[0] == "0.75"
    assert _column(response, "blob")[1] == "binary, 2 bytes"
    assert _column(response, "secret") == []
    assert text_of(response, "row-count") == "45 rows"
    header = soup(response).select_one('[data-testid="results-table"] thead')
    assert "Secret" not in header.get_text()


def test_list_null_and_empty_text_render_differently(shop_client):
    """GIVEN notes NULL on row 1 and empty on row 5
    WHEN the list is shown
    THEN the NULL cell and the empty cell carry different markers."""
    cells = soup(shop_client.get("/t/shop/items")).select(
        '[data-testid="cell"][data-column="notes"]'
    )
    assert "tf-null" in cells[0]["class"]
    assert "tf-empty" in cells[4]["class"]


def test_list_fk_cells_show_label_and_link_to_row(shop_client):
    """GIVEN items pointing at categories
    WHEN the list is shown
    THEN the FK cell shows the category name linking to its detail page."""
    link = soup(shop_client.get("/t/shop/items")).select_one(
        '[data-column="category_id"] [data-testid="fk-link"]'
    )
    assert link.get_text() == "Garden"
    assert link["href"] == "/t/shop/categories/2"


def test_list_next_and_previous_links_walk_pages(shop_client):
    """GIVEN the first page
    WHEN next is followed twice then previous once
    THEN the pages continue and come back exactly."""
    first = shop_client.get("/t/shop/items")
    second = shop_client.get(by_testid(first, "page-next")["href"])
    third = shop_client.get(by_testid(second, "page-next")["href"])
    back = shop_client.get(by_testid(third, "page-prev")["href"])
    assert _column(second, "sku")[0] == "SKU-00011"
    assert _column(third, "sku")[0] == "SKU-00021"
    assert _column(back, "sku") == _column(second, "sku")


def test_list_sort_link_orders_by_column_and_toggles(shop_client):
    """GIVEN the list
    WHEN the price header is clicked twice
    THEN rows sort by price ascending, then descending."""
    first = shop_client.get("/t/shop/items")
    asc = shop_client.get(by_testid(first, "sort-price")["href"])
    desc = shop_client.get(by_testid(asc, "sort-price")["href"])
    assert _column(asc, "price")[0] == "–empty"  # NULL sorts first
    assert _column(desc, "price")[0] == "33.75"


def test_list_search_and_filter_form_reach_rows(shop_client):
    """GIVEN a prefix search and a boolean filter in the URL
    WHEN the list is opened
    THEN only matching rows show and the form keeps the values."""
    response = shop_client.get(
        "/t/shop/items?q=basket&fc=in_stock&fo=eq&fv=yes&size=100"
    )
    names = _column(response, "name")
    assert names and all(n.startswith("Basket") for n in names)
    assert set(_column(response, "in_stock")) == {"✓"}
    assert by_testid(response, "search-box")["value"] == "basket"


def test_list_htmx_request_gets_the_partial_only(shop_client):
    """GIVEN an htmx request
    WHEN the list is fetched
    THEN the response is the results partial, not a full page."""
    response = shop_client.get("/t/shop/items?q=apple", headers={"HX-Request": "true"})
    doc = soup(response)
    assert doc.select_one("html") is None
    assert doc.select('[data-testid="row"]')
    assert "HX-Request" in [v.strip() for v in response.headers["Vary"].split(",")]


def test_list_htmx_bad_input_shows_problem_in_place(shop_client):
    """GIVEN an htmx request with a wrong-typed filter
    WHEN the list is fetched
    THEN the problem (status 400 in a header: htmx swaps only 2xx) is retargeted
    at the problem box."""
    response = shop_client.get(
        "/t/shop/items?fc=price&fo=gte&fv=lots", headers={"HX-Request": "true"}
    )
    assert response.headers["X-Tablefront-Status"] == "400"
    assert response.headers["HX-Retarget"] == "#list-problem"
    assert "lots" in text_of(response, "list-problem-message")


def test_list_empty_result_shows_empty_state(shop_client):
    """GIVEN a search that matches nothing
    WHEN the list is opened
    THEN the empty state offers to clear filters."""
    response = shop_client.get("/t/shop/items?q=zzz")
    assert "No rows match" in text_of(response, "empty-state")
    assert by_testid(response, "clear-all")["href"] == "/t/shop/items"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/t/shop/nope", 404),
        ("/t/tablefront/audit_log", 404),
        ("/t/shop/items?sort=nope", 400),
        ("/t/shop/items?sort=secret", 400),
        ("/t/shop/items?fc=price&fo=gte&fv=abc", 400),
        ("/t/shop/items?fc=added_on&fo=lte&fv=yesterday", 400),
        ("/t/shop/items?page=forged.token", 400),
        ("/t/shop/items?size=100000", 400),
        ("/t/shop/items?size=-1", 400),
        ("/t/shop/items?mode=regex&q=a", 400),
        ("/t/shop/items/999", 404),
        ("/t/shop/items/abc", 404),
        ("/t/shop/items/1,2", 404),
        ("/t/shop/events/1", 404),
        ("/t/shop/items/-/export.pdf", 404),
        ("/t/shop/items/-/export.csv?sort=secret", 400),
    ],
)
def test_bad_input_is_a_4xx_page_never_a_500(shop_client, url, status):
    """GIVEN an unknown table, column, value, token, size or key
    WHEN the page is requested
    THEN the status is 400/404 with an explanation."""
    response = shop_client.get(url)
    assert response.status_code == status
    assert soup(response).select_one("h1").get_text().strip()


def test_detail_shows_fields_fk_link_related_and_breadcrumbs(shop_client):
    """GIVEN item 1 with two tags
    WHEN its detail page is opened
    THEN fields, the category link, its tags and the breadcrumbs show."""
    response = shop_client.get("/t/shop/items/1")
    doc = soup(response)
    assert text_of(doc, "row-title") == "anchor 001"
    fields = {f["data-column"]: f for f in doc.select('[data-testid="field"]')}
    assert "secret" not in fields
    assert fields["category_id"].select_one("a")["href"] == "/t/shop/categories/2"
    related = doc.select_one('[data-testid="related"][data-table="shop.item_tags"]')
    tags = related.select('[data-column="tag"]')
    assert sorted(t.get_text() for t in tags) == ["a,b/c", "new"]
    crumbs = text_of(doc, "breadcrumbs")
    assert crumbs == "Home shop Items anchor 001"


def test_detail_composite_key_with_separator_characters_round_trips(shop_client):
    """GIVEN a tag 'a,b/c' in a composite key
    WHEN the row link from the list is followed
    THEN the detail page shows exactly that row."""
    listing = shop_client.get("/t/shop/item_tags?size=100")
    links = [a["href"] for a in soup(listing).select('[data-testid="row-link"]')]
    target = next(h for h in links if h.endswith("a~2Cb~2Fc"))
    response = shop_client.get(target)
    values = [
        v.get_text() for v in soup(response).select('[data-testid="field-value"]')
    ]
    assert values[-1] == "a,b/c"


def test_export_csv_has_bom_header_filters_and_no_hidden_column(shop_client):
    """GIVEN a filtered, sorted list
    WHEN it is exported as CSV
    THEN the file starts with a BOM, has labels as header, the filtered rows in
    order, and no hidden column."""
    response = shop_client.get(
        "/t/shop/items/-/export.csv?fc=in_stock&fo=eq&fv=no&sort=-item_id"
    )
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Item id", "Sku", "Name"]
    assert "Secret" not in rows[0]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(45, 0, -1) if n % 3 == 0]
    assert "attachment" in response.headers["Content-Disposition"]


def test_export_xlsx_is_a_workbook(shop_client):
    """GIVEN the list
    WHEN it is exported as XLSX
    THEN the response is a zip with a worksheet."""
    response = shop_client.get("/t/shop/items/-/export.xlsx")
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    assert "xl/worksheets/sheet1.xml" in names


def test_export_above_threshold_asks_for_confirmation(shop_app, shop_client):
    """GIVEN a confirmation threshold of 20 rows
    WHEN 45 rows are exported
    THEN a confirmation page links to the confirmed download."""
    shop_app.config["EXPORT_CONFIRM_ROWS"] = 20
    response = shop_client.get("/t/shop/items/-/export.csv")
    link = by_testid(response, "export-confirm-go")["href"]
    assert text_of(response, "export-rows") == "45"
    confirmed = shop_client.get(link)
    assert confirmed.mimetype == "text/csv"


def test_export_respects_max_rows(shop_app, shop_client):
    """GIVEN an export limit of 5 rows
    WHEN the list is exported (confirmed)
    THEN exactly 5 data rows are written."""
    shop_app.config["EXPORT_MAX_ROWS"] = 5
    shop_app.config["EXPORT_CONFIRM_ROWS"] = 1000
    body = shop_client.get("/t/shop/items/-/export.csv").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(body)))) == 6


def test_hidden_column_from_access_is_unknown_everywhere(
    shop_app, shop_client, monkeypatch
):
    """GIVEN access that hides price and gives no export
    WHEN the list, a sort on price, and export are requested
    THEN price is absent, sorting by it is a 400, export links are absent and
    export is refused."""
    from app.access import TableAccess
    from app.errors import AppError

    def access(_identity, table):
        return TableAccess(table.fullname, frozenset({"read"}), frozenset({"price"}))

    def require(identity, table, action):
        result = access(identity, table)
        if not result.allows(action):
            raise AppError(403)
        return result

    monkeypatch.setattr("app.data.scope.table_access", access)
    monkeypatch.setattr("app.data.scope.require", require)
    listing = shop_client.get("/t/shop/items")
    assert _column(listing, "price") == []
    assert soup(listing).select('[data-testid="export-csv"]') == []
    sorted_ = shop_client.get("/t/shop/items?sort=price")
    assert sorted_.status_code == 400
    assert "price" in sorted_.get_data(as_text=True)
    assert shop_client.get("/t/shop/items/-/export.csv").status_code == 403


def test_table_without_read_is_a_404_and_missing_from_home(shop_client, monkeypatch):
    """GIVEN access denying every action on items
    WHEN the list page and home are opened
    THEN the list is 404 and home does not mention it."""
    from app.access import TableAccess
    from app.errors import AppError

    def access(_identity, table):
        if table.name == "items":
            return TableAccess(table.fullname)
        return TableAccess(table.fullname, frozenset({"read"}))

    def require(identity, table, action):
        result = access(identity, table)
        if not result.allows("read"):
            raise AppError(404)
        return result

    monkeypatch.setattr("app.data.scope.table_access", access)
    monkeypatch.setattr("app.data.scope.require", require)
    assert shop_client.get("/t/shop/items").status_code == 404
    home = soup(shop_client.get("/"))
    tables = [a["data-table"] for a in home.select('[data-testid="table-link"]')]
    assert "shop.items" not in tables and "shop.categories" in tables
