"""Keyset paging, tokens, filters and counts on real rows (embedded SQLite)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.data import FilterSpec, ListQuery, get_row, list_page
from app.errors import AppError
from app.extensions import db
from app.identity import Identity

JDOE = Identity("CONTOSO", "jdoe")


@pytest.fixture
def ctx(shop_app):
    with shop_app.test_request_context():
        yield shop_app.shop


def _walk(catalog, key, query: ListQuery) -> list[tuple]:
    """Every row of every page, following next tokens from the first page."""
    rows, page = [], list_page(JDOE, catalog, key, query)
    rows += page.rows
    while page.next_token:
        page = list_page(
            JDOE, catalog, key, ListQuery(**{**query.__dict__, "page": page.next_token})
        )
        rows += page.rows
    return rows


def _expected(shop, column: str, descending: bool) -> list:
    table = shop.table("items")
    col = table.c[column]
    order = (
        [col.desc(), table.c.item_id.desc()] if descending else [col, table.c.item_id]
    )
    return [r[0] for r in db.session.execute(select(table.c.item_id).order_by(*order))]


@pytest.mark.parametrize("sort", ["item_id", "-item_id", "name", "-price", "price"])
def test_keyset_walk_visits_every_row_once_in_order(ctx, sort):
    """GIVEN a sort (including a nullable column, both directions)
    WHEN every page is followed with next tokens
    THEN every row appears exactly once, in the database's order."""
    rows = _walk(ctx.catalog, "shop.items", ListQuery(sort=sort, size=7))
    ids = [r[0] for r in rows]
    assert ids == _expected(ctx, sort.lstrip("-"), sort.startswith("-"))


def test_keyset_previous_token_returns_the_page_before(ctx):
    """GIVEN page 3 of a sorted list
    WHEN its previous token is followed
    THEN the rows are exactly page 2's."""
    q = ListQuery(sort="-price", size=5)
    p1 = list_page(JDOE, ctx.catalog, "shop.items", q)
    p2 = list_page(
        JDOE,
        ctx.catalog,
        "shop.items",
        ListQuery(**{**q.__dict__, "page": p1.next_token}),
    )
    p3 = list_page(
        JDOE,
        ctx.catalog,
        "shop.items",
        ListQuery(**{**q.__dict__, "page": p2.next_token}),
    )
    back = list_page(
        JDOE,
        ctx.catalog,
        "shop.items",
        ListQuery(**{**q.__dict__, "page": p3.prev_token}),
    )
    assert back.rows == p2.rows
    assert not back.is_first and not back.is_last


def test_keyset_last_page_holds_the_final_rows(ctx):
    """GIVEN a 45-row table and pages of 10
    WHEN the last page is requested
    THEN it holds the 10 highest keys in order and has no next page."""
    page = list_page(JDOE, ctx.catalog, "shop.items", ListQuery(page="last", size=10))
    assert [r[0] for r in page.rows] == list(range(36, 46))
    assert page.is_last and page.next_token is None and page.prev_token


@pytest.mark.parametrize(
    "token",
    ["garbage", "eyJ0IjoiIn0.abc", ""],
)
def test_tampered_page_token_is_a_400(ctx, token):
    """GIVEN a forged or altered page token
    WHEN a page is requested with it
    THEN an AppError 400 says the link is not valid."""
    good = list_page(JDOE, ctx.catalog, "shop.items", ListQuery(size=5)).next_token
    bad = token or good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    with pytest.raises(AppError) as caught:
        list_page(JDOE, ctx.catalog, "shop.items", ListQuery(size=5, page=bad))
    assert caught.value.status == 400
    assert "Page link" in caught.value.title


def test_page_token_for_another_sort_is_a_400(ctx):
    """GIVEN a token made for sort by id
    WHEN it is used with sort by name
    THEN it is rejected as made for a different sort order."""
    token = list_page(JDOE, ctx.catalog, "shop.items", ListQuery(size=5)).next_token
    with pytest.raises(AppError) as caught:
        list_page(JDOE, ctx.catalog, "shop.items", ListQuery(sort="name", page=token))
    assert "different sort" in caught.value.detail


def test_search_prefix_matches_any_casing_and_escapes_wildcards(ctx):
    """GIVEN names 'Apple 008', 'anchor 001' and '100% cotton_towel [blue]'
    WHEN searching 'ap', 'ANCHOR' and '100%'
    THEN each finds its rows only (a literal % is not a wildcard)."""

    def names(q):
        page = list_page(JDOE, ctx.catalog, "shop.items", ListQuery(q=q, size=100))
        return {r[2] for r in page.rows}

    assert names("ap") and all(n.startswith("Apple") for n in names("ap"))
    assert names("ANCHOR") and all(n.startswith("anchor") for n in names("ANCHOR"))
    assert names("100%") == {"100% cotton_towel [blue]"}
    assert names("1%") == set()


def test_filters_combine_and_count_matches(ctx):
    """GIVEN a boolean filter and a price range
    WHEN the page is listed
    THEN rows satisfy both and the capped count equals the number of rows."""
    filters = (
        FilterSpec("in_stock", "eq", "no"),
        FilterSpec("price", "gte", "10"),
        FilterSpec("price", "lte", "20"),
    )
    page = list_page(
        JDOE, ctx.catalog, "shop.items", ListQuery(filters=filters, size=100)
    )
    cols = [c.name for c in page.columns]
    stock, price = cols.index("in_stock"), cols.index("price")
    assert page.rows
    assert all(not r[stock] and 10 <= r[price] <= 20 for r in page.rows)
    assert page.count.value == len(page.rows) and not page.count.capped


@pytest.mark.parametrize(
    ("spec", "title"),
    [
        (FilterSpec("price", "gte", "cheap"), "Wrong filter value"),
        (FilterSpec("added_on", "eq", "2024-13-45"), "Wrong filter value"),
        (FilterSpec("price", "contains", "1"), "Unknown filter"),
        (FilterSpec("nope", "eq", "1"), "Unknown column"),
        (FilterSpec("secret", "eq", "x"), "Unknown column"),
    ],
)
def test_bad_filter_is_a_400_saying_what_was_wrong(ctx, spec, title):
    """GIVEN a wrong-typed value, an operator that does not fit, or an unknown or
    hidden column
    WHEN the page is listed
    THEN an AppError 400 explains it (hidden columns look unknown)."""
    with pytest.raises(AppError) as caught:
        list_page(JDOE, ctx.catalog, "shop.items", ListQuery(filters=(spec,)))
    assert caught.value.status == 400
    assert caught.value.title == title


def test_empty_filter_on_text_matches_null_and_empty_string(ctx):
    """GIVEN notes that are NULL, empty, or text
    WHEN filtering notes "is empty"
    THEN NULL and empty both match and text does not."""
    spec = FilterSpec("notes", "empty")
    page = list_page(
        JDOE, ctx.catalog, "shop.items", ListQuery(filters=(spec,), size=100)
    )
    notes = [r[[c.name for c in page.columns].index("notes")] for r in page.rows]
    assert None in notes and "" in notes
    assert all(n in (None, "") for n in notes)


def test_capped_count_reports_plus_above_the_cap(ctx, monkeypatch):
    """GIVEN a cap lower than the table's rows
    WHEN a page is listed
    THEN the count is capped and shown with a plus."""
    monkeypatch.setattr("app.data.listing.COUNT_CAP", 20)
    page = list_page(JDOE, ctx.catalog, "shop.items", ListQuery())
    assert page.count.capped and page.count.text == "20+"


def test_scanning_search_counts_to_the_lower_cap(ctx, monkeypatch):
    """GIVEN a count cap of 20 and a scanning-search cap of 5 on a 45-row table
    WHEN it is listed unsearched, searched "contains 0" (a scan), searched
    "starts with A" (a seek), filtered "name contains 0", and searched with the
    exact count asked for
    THEN only the scans stop counting at 5+; the exact count still counts all."""
    monkeypatch.setattr("app.data.listing.COUNT_CAP", 20)
    monkeypatch.setattr("app.data.listing.SCAN_COUNT_CAP", 5)

    def count(**query) -> str:
        return list_page(JDOE, ctx.catalog, "shop.items", ListQuery(**query)).count.text

    contains = {"q": "0", "search_mode": "contains"}
    exact = list_page(
        JDOE, ctx.catalog, "shop.items", ListQuery(exact_count=True, **contains)
    ).count
    assert exact.exact and exact.value > 5
    assert count() == "20+"
    assert count(**contains) == "5+"
    assert count(q="0", search_mode="words") == "5+"
    assert count(filters=(FilterSpec("name", "contains", "0"),)) == "5+"
    seek = list_page(
        JDOE, ctx.catalog, "shop.items", ListQuery(q="A", search_mode="prefix")
    ).count
    assert seek.value > 5, "a seek counts past the scan cap"


def test_exact_count_on_request_counts_every_row(ctx):
    """GIVEN a request for the exact count
    WHEN the page is listed
    THEN the count is exact."""
    page = list_page(JDOE, ctx.catalog, "shop.items", ListQuery(exact_count=True))
    assert page.count.exact and page.count.value == 45


def test_fk_label_of_a_row_outside_the_row_filter_is_not_shown(ctx, monkeypatch):
    """GIVEN categories readable only where category_id <> 2
    WHEN items are listed
    THEN category 2 shows no label (raw key) and others show their name."""
    from app.access import TableAccess

    def access(_identity, table):
        if table.name == "categories":
            return TableAccess(
                "shop.categories",
                frozenset({"read"}),
                row_filter=table.c.category_id != 2,
            )
        return TableAccess(table.fullname, frozenset({"read", "export"}))

    monkeypatch.setattr("app.data.scope.table_access", access)
    monkeypatch.setattr("app.data.scope.require", lambda i, t, a: access(i, t))
    page = list_page(JDOE, ctx.catalog, "shop.items", ListQuery(size=20))
    labels = page.labels["category_id"].labels
    assert 2 not in labels
    assert labels[3].text == "Kitchen"


def test_detail_outside_row_filter_is_a_404(ctx, monkeypatch):
    """GIVEN items readable only where item_id < 10
    WHEN row 12 is requested
    THEN it does not exist for the caller (404)."""
    from app.access import TableAccess

    def access(_identity, table):
        return TableAccess(
            table.fullname, frozenset({"read"}), row_filter=table.c.item_id < 10
        )

    monkeypatch.setattr("app.data.scope.require", lambda i, t, a: access(i, t))
    with pytest.raises(AppError) as caught:
        get_row(JDOE, ctx.catalog, "shop.items", "12")
    assert caught.value.status == 404
    assert get_row(JDOE, ctx.catalog, "shop.items", "5").title == "Easel 005"


def test_scanning_count_reads_rows_in_key_order_not_the_searched_index(ctx):
    """GIVEN items.name indexed (ix_items_name) and a "name contains 0" filter
    WHEN page 1 is listed and SQLite's plan of that page's statement is asked for
    THEN the count reads the table in key order, as the page does, never the name
    index: that index covers the condition, so the planner picks it, and its name
    order hides the matches (6.2 ms against 1.2 ms on the bench table)."""
    from sqlalchemy import event

    seen: list[tuple[str, tuple]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    engine = db.session.get_bind()
    query = ListQuery(filters=(FilterSpec("name", "contains", "0"),))
    event.listen(engine, "before_cursor_execute", keep)
    try:
        page = list_page(JDOE, ctx.catalog, "shop.items", query)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    statement, parameters = next((s, p) for s, p in seen if "count(*)" in s)
    plan = db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement, parameters
    )
    details = [row[3] for row in plan]
    assert page.count.value > 0
    assert not [d for d in details if "ix_items_name" in d], details
