"""The browse flows in Chromium on the demo database: list, search, filter, sort,
pages, detail, foreign keys, export, live search and the no-JS fallback.

They drive the pages through their data-testid hooks (app/templates/browse/) and
check what a user would see; the table is the demo's hr.employees.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

TABLE = "/t/hr/employees"


@pytest.fixture
def demo(live_server):
    """The live server, skipping (failing where required) without demo data."""
    live_server.require_demo()
    return live_server


def column_texts(page, column: str) -> list[str]:
    """The visible text of one column's cells in the results table."""
    cells = page.get_by_test_id("results-table").locator(
        f'[data-testid="cell"][data-column="{column}"]'
    )
    return [t.strip() for t in cells.all_inner_texts()]


def first_key(page) -> str:
    """The detail link of the first row (identifies the row on the page)."""
    link = page.get_by_test_id("row-link").first
    return link.get_attribute("href") or ""


def open_employees(tf) -> None:
    """Open hr.employees and wait until its rows are shown."""
    tf.goto(TABLE)
    assert tf.page.get_by_test_id("row").count() > 0, "hr.employees shows no rows"


def test_home_page_table_link_opens_the_list(tf, demo):
    """GIVEN the home page with tables grouped by schema
    WHEN the user clicks the hr.employees link
    THEN the employees list opens with rows and a title.
    """
    tf.goto("/")
    tf.screenshot("home")
    link = tf.page.locator('[data-testid="table-link"][data-table="hr.employees"]')

    link.click()
    tf.page.wait_for_url(re.compile(r"/t/hr/employees$"))

    assert tf.page.get_by_test_id("table-title").inner_text().strip() != ""
    assert tf.page.get_by_test_id("row").count() > 0
    tf.screenshot("list")
    tf.assert_clean()


def test_list_prefix_search_shows_only_matching_rows(tf, demo):
    """GIVEN the employees list
    WHEN the user types the first letters of a last name and submits
    THEN every row shown has a last name starting with them (case-insensitive).
    """
    open_employees(tf)
    prefix = column_texts(tf.page, "last_name")[0][:2]

    tf.page.get_by_test_id("search-box").fill(prefix)
    tf.settled(lambda: tf.page.get_by_test_id("search-box").press("Enter"))
    names = column_texts(tf.page, "last_name")

    assert names and all(n.lower().startswith(prefix.lower()) for n in names), names
    tf.assert_clean()


def test_live_search_updates_results_without_page_reload(tf, demo):
    """GIVEN the employees list with htmx loaded
    WHEN the user types into the search box without submitting
    THEN the rows update in place (no navigation) and the URL records the search.
    """
    open_employees(tf)
    prefix = column_texts(tf.page, "last_name")[-1][:3]
    tf.page.evaluate("window.__samePage = true")

    tf.settled(
        lambda: tf.page.get_by_test_id("search-box").press_sequentially(
            prefix, delay=30
        )
    )
    names = column_texts(tf.page, "last_name")

    assert tf.page.evaluate("window.__samePage === true"), "the page was reloaded"
    assert "q=" in tf.page.url
    assert names and all(n.lower().startswith(prefix.lower()) for n in names), names
    tf.assert_clean()


def test_search_without_javascript_still_filters(tf_nojs, demo):
    """GIVEN a browser with JavaScript switched off
    WHEN the user submits a search with the Search button
    THEN a plain GET returns the filtered list.
    """
    tf = tf_nojs
    open_employees(tf)
    prefix = column_texts(tf.page, "last_name")[0][:2]

    tf.page.get_by_test_id("search-box").fill(prefix)
    tf.page.get_by_test_id("search-submit").click()
    tf.page.wait_for_url(re.compile(r"[?&]q="))
    names = column_texts(tf.page, "last_name")

    assert names and all(n.lower().startswith(prefix.lower()) for n in names), names


def test_filter_equals_value_shows_only_that_value(tf, demo):
    """GIVEN the employees list
    WHEN the user builds the filter "job title equals <the first row's title>"
    THEN nothing is sent until Apply, and then every row has exactly that title.
    """
    open_employees(tf)
    title = column_texts(tf.page, "job_title")[0]
    new = tf.page.get_by_test_id("filter-new")

    new.get_by_test_id("filter-column").select_option("job_title")
    new.get_by_test_id("filter-op").select_option("eq")
    new.get_by_test_id("filter-value").fill(title)
    swaps_before_apply = tf.page.evaluate("window.__htmxSettles")
    tf.settled(lambda: new.get_by_test_id("apply-filters").click())
    titles = column_texts(tf.page, "job_title")

    assert swaps_before_apply == 0, "choosing a filter column refreshed the list"
    assert titles and set(titles) == {title}
    assert tf.page.get_by_test_id("filter-row").count() == 1
    tf.screenshot("list-filtered")
    tf.assert_clean()


def test_filter_operators_narrow_to_the_chosen_column(tf, demo):
    """GIVEN the new-filter row
    WHEN the user picks a date column, then a text column
    THEN the operator menu offers only what applies to each, in the same row
    element (nothing was re-rendered, so the half-built filter stays where it is).
    """
    open_employees(tf)
    new = tf.page.get_by_test_id("filter-new")
    column = new.get_by_test_id("filter-column")
    ops = new.get_by_test_id("filter-op")
    new.evaluate("e => { e.tfMarker = 'same row'; }")

    column.select_option("hire_date")
    date_ops = ops.locator("option").evaluate_all("os => os.map(o => o.value)")
    column.select_option("last_name")
    text_ops = ops.locator("option").evaluate_all("os => os.map(o => o.value)")
    marker = tf.page.get_by_test_id("filter-new").evaluate("e => e.tfMarker")

    assert date_ops == ["eq", "gte", "lte"]
    assert text_ops == ["contains", "starts", "eq"]
    assert marker == "same row"
    tf.assert_clean()


def test_loading_indicator_is_hidden_after_results_load(tf, demo):
    """GIVEN the employees list
    WHEN a live search runs and its results arrive
    THEN the loading indicator is hidden again.
    """
    open_employees(tf)
    prefix = column_texts(tf.page, "last_name")[0][:1]

    tf.settled(lambda: tf.page.get_by_test_id("search-box").fill(prefix))
    tf.page.wait_for_timeout(50)
    hidden = tf.page.locator("#list-loading").evaluate(
        "e => getComputedStyle(e).visibility"
    )

    assert hidden == "hidden"
    tf.assert_clean()


def test_list_fits_a_laptop_screen(tf, demo):
    """GIVEN the employees list at 1366x768
    WHEN it is shown
    THEN the page itself never scrolls sideways (the table scrolls in its card).
    """
    open_employees(tf)

    overflow = tf.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )

    assert overflow <= 0
    tf.assert_clean()


def test_sort_by_last_name_both_ways_orders_rows(tf, demo):
    """GIVEN the employees list
    WHEN the user clicks the Last name header once, then again
    THEN the rows follow last-name order in one direction, then in the other.
    """
    open_employees(tf)
    seen: dict[str, list[str]] = {}

    for _ in range(2):
        tf.settled(lambda: tf.page.get_by_test_id("sort-last_name").click())
        direction = "desc" if "sort=-last_name" in tf.page.url else "asc"
        seen[direction] = column_texts(tf.page, "last_name")

    assert sorted(seen) == ["asc", "desc"], tf.page.url
    assert seen["asc"] == sorted(seen["asc"], key=str.casefold)
    assert seen["desc"] == sorted(seen["desc"], key=str.casefold, reverse=True)
    tf.assert_clean()


def _click_pager(tf, name: str) -> None:
    tf.settled(lambda: tf.page.get_by_test_id(f"page-{name}").click())


def test_pager_next_then_previous_returns_to_the_same_rows(tf, demo):
    """GIVEN the first page of employees
    WHEN the user goes to the next page and back
    THEN the next page shows other rows and "previous" shows page 1 again.
    """
    open_employees(tf)
    page_one = first_key(tf.page)

    _click_pager(tf, "next")
    page_two = first_key(tf.page)
    _click_pager(tf, "prev")
    back = first_key(tf.page)

    assert (page_two != page_one, back) == (True, page_one)
    tf.assert_clean()


def test_pager_last_then_first_jumps_to_both_ends(tf, demo):
    """GIVEN the first page of employees
    WHEN the user jumps to the last page, then to the first
    THEN the last page offers no "next" link and "first" shows page 1 again.
    """
    open_employees(tf)
    page_one = first_key(tf.page)

    _click_pager(tf, "last")
    next_on_last = tf.page.get_by_test_id("page-next").get_attribute("href")
    last_key = first_key(tf.page)
    _click_pager(tf, "first")

    assert next_on_last is None and last_key != page_one
    assert first_key(tf.page) == page_one
    tf.assert_clean()


def test_row_link_opens_detail_with_every_field(tf, demo):
    """GIVEN the employees list
    WHEN the user opens the first row
    THEN the detail page shows the row's title, its fields and breadcrumbs.
    """
    open_employees(tf)
    last_name = column_texts(tf.page, "last_name")[0]

    tf.page.get_by_test_id("row-link").first.click()
    tf.page.wait_for_url(re.compile(r"/t/hr/employees/[^/?]+$"))
    field = tf.page.locator('[data-testid="field"][data-column="last_name"]')

    assert field.get_by_test_id("field-value").inner_text().strip() == last_name
    assert tf.page.get_by_test_id("crumb-table").is_visible()
    tf.screenshot("detail", full_page=True)
    tf.assert_clean()


def test_foreign_key_link_opens_the_referenced_row(tf, demo):
    """GIVEN an employee's detail page
    WHEN the user follows the department link
    THEN the department's own detail page opens, titled like the link.
    """
    open_employees(tf)
    tf.page.get_by_test_id("row-link").first.click()
    field = tf.page.locator('[data-testid="field"][data-column="department_id"]')
    link = field.get_by_test_id("fk-link")
    label = link.inner_text().strip()

    link.click()
    tf.page.wait_for_url(re.compile(r"/t/hr/departments/[^/?]+$"))

    assert label and label in tf.page.get_by_test_id("row-title").inner_text()
    tf.assert_clean()


def _download(tf, testid: str, tmp_path: Path) -> Path:
    with tf.page.expect_download() as info:
        tf.page.get_by_test_id(testid).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_export_csv_downloads_bom_and_header_row(tf, demo, tmp_path):
    """GIVEN the employees list
    WHEN the user clicks the CSV export link
    THEN a file downloads that starts with a UTF-8 BOM and the column headers.
    """
    open_employees(tf)
    headers = [
        h.strip()
        for h in tf.page.get_by_test_id("results-table")
        .locator("thead th[scope=col]")
        .all_inner_texts()
    ]

    data = _download(tf, "export-csv", tmp_path).read_bytes()
    header = data[3:].decode("utf-8").splitlines()[0]

    assert data[:3] == b"\xef\xbb\xbf"
    assert [h for h in headers if h.rstrip(" ▲▼") not in header] == []


def test_export_xlsx_downloads_a_valid_workbook(tf, demo, tmp_path):
    """GIVEN the employees list
    WHEN the user clicks the Excel export link
    THEN the download is a zip holding an Office Open XML workbook.
    """
    open_employees(tf)

    path = _download(tf, "export-xlsx", tmp_path)
    with zipfile.ZipFile(path) as book:
        bad = book.testzip()
        names = set(book.namelist())

    assert path.suffix == ".xlsx" and bad is None
    assert {"[Content_Types].xml", "xl/workbook.xml"} <= names
    assert any(n.startswith("xl/worksheets/sheet") for n in names)


def test_bad_sort_column_shows_a_400_page(tf, demo):
    """GIVEN a list URL with a sort column that does not exist
    WHEN Chromium opens it
    THEN the app answers 400 with its error card, not a 500.
    """
    tf.allow_error("sort=no_such_column")
    tf.goto(TABLE + "?sort=no_such_column", expect_status=400)

    assert tf.page.get_by_test_id("error").is_visible()
    tf.screenshot("error-400")
    tf.assert_clean()
