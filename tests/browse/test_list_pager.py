"""The list pager: where the page is ("Rows 11–20 of 45", page 2) and its ARIA."""

from __future__ import annotations

from app.data.counts import RowCount
from app.pages.listing import _position
from tests.html import by_testid, soup, text_of


def test_list_pager_second_page_says_its_rows_and_page_number(shop_client):
    """GIVEN 45 items at 10 per page
    WHEN next is followed from the first page
    THEN the pager says "Rows 11–20 of 45 · page 2", above and below."""
    first = shop_client.get("/t/shop/items")
    second = soup(shop_client.get(by_testid(first, "page-next")["href"]))
    assert text_of(second, "pager-position") == "Rows 11–20 of 45 · page 2"
    assert text_of(second, "top-pager-position") == "Rows 11–20 of 45 · page 2"


def test_list_pager_last_and_back_from_last_know_their_rows(shop_client):
    """GIVEN 45 items (an exact count) at 10 per page
    WHEN the last page is opened, then the page before it
    THEN they say rows 36–45 and 26–35 (offsets counted back from the end)."""
    last = shop_client.get("/t/shop/items?page=last")
    assert text_of(last, "pager-position") == "Rows 36–45 of 45"
    before = shop_client.get(by_testid(last, "page-prev")["href"])
    assert text_of(before, "pager-position") == "Rows 26–35 of 45"


def test_position_capped_count_says_of_ten_thousand_plus():
    """GIVEN page 6 of 50 rows and a count capped at 10,000
    WHEN the position is written
    THEN it reads "Rows 251–300 of 10,000+" with page number 6."""
    text, number, first, last = _position(
        250, 50, 50, RowCount(10_000, capped=True), False
    )
    assert (text, number, first, last) == ("Rows 251–300 of 10,000+", 6, 251, 300)


def test_position_unknown_offset_gives_no_row_numbers():
    """GIVEN a page reached backwards from "last" under a capped count
    WHEN the position is written
    THEN no row numbers are invented."""
    assert _position(None, 50, 50, RowCount(10_000, capped=True), False)[0] == ""


def test_list_pager_json_carries_the_position(shop_client):
    """GIVEN the first page of items
    WHEN it is asked for as JSON
    THEN the pager carries the same position, page number and row range."""
    data = shop_client.get("/t/shop/items", headers={"Accept": "application/json"})
    pager = data.get_json()["pager"]
    assert pager["position"] == "Rows 1–10 of 45"
    assert (pager["number"], pager["first_row"], pager["last_row"]) == (1, 1, 10)


def test_list_pager_disabled_items_are_spans_without_aria_label(shop_client):
    """GIVEN the first page (no first/previous page)
    WHEN the pagers are shown
    THEN those items are spans with aria-disabled and no aria-label."""
    doc = soup(shop_client.get("/t/shop/items"))
    for testid in ("page-first", "page-prev", "top-page-first", "top-page-prev"):
        item = by_testid(doc, testid)
        assert item.name == "span"
        assert item.get("aria-disabled") == "true"
        assert item.get("aria-label") is None


def test_list_pager_accessible_names_start_with_the_visible_text(shop_client):
    """GIVEN the compact top pager (arrows only)
    WHEN its links are read as a screen reader would
    THEN there is no aria-label and the name is the arrow then its word."""
    doc = soup(shop_client.get("/t/shop/items"))
    link = by_testid(doc, "top-page-next")
    assert link.get("aria-label") is None
    hidden = link.select_one(".visually-hidden")
    visible = link.get_text().replace(hidden.get_text(), "")
    assert " ".join(link.get_text().split()) == "› Next"
    assert link.get_text().startswith(visible)


def test_list_pager_nav_is_named_pages(shop_client):
    """GIVEN the list
    WHEN the bottom pager is shown
    THEN it is a nav landmark named "Pages"."""
    nav = by_testid(soup(shop_client.get("/t/shop/items")), "pager")
    assert (nav.name, nav["aria-label"]) == ("nav", "Pages")
