"""The list page's fragments built in Python (pager, filter fields, header cells,
state links, fixed URLs): same URLs as before, every user value escaped."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from app.browse.markup import filter_fields_maker, pager_items, table_head
from app.browse.params import StateLinks, state_pairs, with_query
from app.data import OP_LABELS, FilterSpec, ListQuery
from tests.html import by_testid, soup

HOSTILE = "\"'><script>x</script>&"


def _column(name: str, label: str, kind: str = "text", fk=None):
    return SimpleNamespace(name=name, label=label, kind=kind, fk=fk)


@pytest.mark.parametrize(
    "query",
    [
        ListQuery(),
        ListQuery(sort="-name", size=25),
        ListQuery(
            q="a&b=c d",
            search_mode="contains",
            filters=(FilterSpec("price", "gte", "1.5"), FilterSpec("name", "empty")),
            sort="name",
            size=10,
            page="tok/en+=",
        ),
    ],
)
def test_state_links_match_state_pairs(query):
    """GIVEN a list request with search, filters, sort, size and page in any mix
    WHEN links to another sort, another page, the export (no size) and the exact
    count are made with StateLinks
    THEN each is the URL with_query(state_pairs(...)) gives."""
    link = StateLinks("/t/shop/items", query)
    assert link() == with_query("/t/shop/items", state_pairs(query))
    assert link(sort="-price") == with_query(
        "/t/shop/items", state_pairs(query, sort="-price")
    )
    assert link(page="last") == with_query(
        "/t/shop/items", state_pairs(query, page="last")
    )
    assert link(size=False) == with_query(
        "/t/shop/items", state_pairs(query, size=False)
    )
    assert link(page=query.page, extra="count=exact") == with_query(
        "/t/shop/items", [*state_pairs(query, page=query.page), ("count", "exact")]
    )


def test_filter_fields_escape_value_and_labels_and_narrow_operators():
    """GIVEN a filter row whose value and column label hold markup
    WHEN its fields are built
    THEN the value box and the label show the text (nothing injected), the chosen
    column and operator are selected, and only that column's operators are offered."""
    columns = [(_column("price", HOSTILE, "decimal"), ("eq", "gte", "lte"))]
    html = str(filter_fields_maker(columns, OP_LABELS)("price", "gte", HOSTILE))
    doc = BeautifulSoup(html, "html.parser")
    assert doc.find("script") is None
    assert doc.select_one('[data-testid="filter-value"]')["value"] == HOSTILE
    chosen = doc.select_one('[data-testid="filter-column"] option[selected]')
    assert (chosen["value"], chosen.get_text()) == ("price", HOSTILE)
    ops = [o["value"] for o in doc.select('[data-testid="filter-op"] option')]
    assert ops == ["eq", "gte", "lte"]
    assert doc.select_one('[data-testid="filter-op"] option[selected]')["value"] == (
        "gte"
    )


def test_table_head_escapes_labels_and_marks_the_sorted_column():
    """GIVEN a column labelled with markup, sorted descending, and a plain column
    WHEN the header cells are built
    THEN labels are text, the sorted one carries ▼ and its link, numbers align right."""
    columns = [_column("a", HOSTILE, "int"), _column("b", "Bee")]
    html = str(table_head(columns, False, {"a": "/t/x?sort=a&q=<"}, "-a"))
    doc = BeautifulSoup(html, "html.parser")
    assert doc.find("script") is None
    first, second = doc.find_all("th")
    assert first["class"] == ["tf-num"]
    link = first.select_one('[data-testid="sort-a"]')
    assert link["href"] == "/t/x?sort=a&q=<"
    assert link.get_text() == HOSTILE + " ▼"
    assert second.get_text() == "Bee" and second.find("a") is None


def test_pager_items_link_only_where_there_is_a_page():
    """GIVEN a first page with a next page
    WHEN the compact pager is built
    THEN first/previous are disabled and next/last are links with their titles."""
    doc = BeautifulSoup(
        str(pager_items({"next": "/t/x?page=a&b", "last": "/t/x?page=last"}, True)),
        "html.parser",
    )
    assert doc.select_one('[data-testid="top-page-first"]').name == "span"
    assert doc.select_one('[data-testid="top-page-prev"]')["aria-disabled"] == "true"
    link = doc.select_one('[data-testid="top-page-next"]')
    assert (link["href"], link["title"]) == ("/t/x?page=a&b", "Next ›")


def test_fixed_urls_follow_the_script_root(shop_app):
    """GIVEN the app mounted at two different roots (IIS virtual directories)
    WHEN the same list page is requested under each
    THEN stylesheets and links name each request's own root."""
    urls = []
    for root in ("/tf", ""):
        client = shop_app.test_client()
        client.environ_base.update({"REMOTE_USER": "CONTOSO\\jdoe"})
        doc = soup(client.get("/t/shop/items", base_url=f"http://localhost{root}/"))
        sheets = [link["href"] for link in doc.select('link[rel="stylesheet"]')]
        crumb = by_testid(doc, "crumb-home")["href"]
        form = by_testid(doc, "filter-form")["action"]
        urls.append((sheets[0], crumb, form))
    assert urls[0] == (
        "/tf/static/vendor/bootstrap/bootstrap.min.css",
        "/tf/",
        "/tf/t/shop/items",
    )
    assert urls[1] == (
        "/static/vendor/bootstrap/bootstrap.min.css",
        "/",
        "/t/shop/items",
    )


def test_breadcrumbs_escape_labels_and_link_the_table_on_a_row(shop_app):
    """GIVEN a table label and a row title holding markup
    WHEN the breadcrumbs of its list and of a row are built
    THEN both are text, the list ends on the table, the row's links back to it."""
    from app.browse.markup import breadcrumbs

    info = SimpleNamespace(schema="shop", name="items", label=HOSTILE)
    with shop_app.test_request_context():
        listed = BeautifulSoup(str(breadcrumbs(info)), "html.parser")
        row = BeautifulSoup(str(breadcrumbs(info, HOSTILE)), "html.parser")
    assert listed.find("script") is None and row.find("script") is None
    assert listed.select_one('[data-testid="crumb-table"]').get_text() == HOSTILE
    assert listed.select_one('[data-testid="crumb-schema"]')["href"] == "/#schema-shop"
    link = row.select_one('a[data-testid="crumb-table"]')
    assert (link["href"], link.get_text()) == ("/t/shop/items", HOSTILE)
    assert row.select_one('[data-testid="crumb-row"]').get_text() == HOSTILE


def test_sort_and_export_links_follow_each_requests_state(shop_client):
    """GIVEN the items list searched for one text, then for another
    WHEN each page is shown
    THEN its sort and export links carry its own search (no links of the other)."""
    for q in ("Apple", "Drill", "Apple"):
        doc = soup(shop_client.get(f"/t/shop/items?q={q}"))
        sort = doc.select_one('[data-testid="sort-name"]')["href"]
        export = by_testid(doc, "export-csv")["href"]
        assert sort == f"/t/shop/items?q={q}&sort=name"
        assert export == f"/t/shop/items/-/export.csv?q={q}"


def test_list_glyphs_are_character_references(shop_client):
    """GIVEN the items list, whose data is ASCII
    WHEN it is served
    THEN the page bytes are ASCII (glyphs as character references) and the page
    still reads ✓/✗, the pager arrows and the sort mark as text."""
    response = shop_client.get("/t/shop/items?sort=-name")
    response.get_data().decode("ascii")  # raises on any non-ASCII byte
    doc = soup(response)
    cells = {c.get_text() for c in doc.select('[data-column="in_stock"]')}
    assert cells == {"✓", "✗"}
    assert by_testid(doc, "page-next").get_text() == "Next ›"
    assert by_testid(doc, "top-page-last")["title"] == "Last »"
    assert doc.select_one('[data-testid="sort-name"]').get_text() == "Name ▼"
    assert doc.title.get_text().endswith(" · Tablefront")


def test_list_results_escape_every_value_it_is_given():
    """GIVEN a list state whose sort, notice, filter value, links and count bar
    hold markup, and no rows
    WHEN the results part is built
    THEN each value reads back as text and no element is made of any of them."""
    from app.browse.markup import list_results
    from app.browse.params import FilterRow
    from app.data.counts import RowCount

    page = SimpleNamespace(
        notices=[HOSTILE],
        count=RowCount(10_000, capped=True),
        is_first=False,
        is_last=False,
        rows=[],
        scope=SimpleNamespace(row_filter=None),
    )
    query = ListQuery(sort=HOSTILE, q=HOSTILE)
    fields = filter_fields_maker([(_column("name", HOSTILE), ["eq"])], OP_LABELS)
    html = list_results(
        page=page,
        query=query,
        filter_rows=[(FilterRow("name", "eq", HOSTILE, True), "/t/x?" + HOSTILE)],
        filter_fields=fields,
        op_labels_json=Markup("{}"),
        links={"exact_count": "/t/x?count=exact&" + HOSTILE},
        pager_top=pager_items({"next": "/t/x?" + HOSTILE}, compact=True),
        pager_bottom=pager_items({"next": "/t/x?" + HOSTILE}, compact=False),
        export_links={"csv": "/e.csv?" + HOSTILE, "xlsx": "/e.xlsx?" + HOSTILE},
        table=Markup(""),
        base="/t/x?" + HOSTILE,
        page_size_options=Markup('<option value="10">10</option>'),
    )
    doc = BeautifulSoup(str(html), "html.parser")
    assert doc.find("script") is None
    assert doc.select_one('input[name="sort"]')["value"] == HOSTILE
    assert doc.select_one('[data-testid="notice"]').get_text() == HOSTILE
    assert doc.select_one('[data-testid="filter-value"]')["value"] == HOSTILE
    assert doc.select_one('[data-testid="filter-remove"]')["href"] == "/t/x?" + HOSTILE
    assert doc.select_one('[data-testid="count-exact"]')["href"].endswith(HOSTILE)
    assert doc.select_one('[data-testid="export-xlsx"]')["href"] == "/e.xlsx?" + HOSTILE
    assert doc.select_one('[data-testid="clear-all"]')["href"] == "/t/x?" + HOSTILE
    assert doc.select_one('[data-testid="page-size"]')["hx-get"] == "/t/x?" + HOSTILE
    assert doc.select_one('[data-testid="row-count"]').get_text().strip() == (
        "10,000+ rows"
    )
