"""The list's layout in Chromium: sticky header and key column in one scroll
container, tooltips on cut-off text, the loading state, and cards on a phone."""

from __future__ import annotations

import pytest

TABLE = "/t/ops/tickets"


@pytest.fixture
def demo(live_server):
    """The live server, skipping (failing where required) without demo data."""
    live_server.require_demo()
    return live_server


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


def test_list_header_row_sticks_while_the_table_scrolls_down(tf, demo):
    """GIVEN the tickets list at 1366x768 with 100 rows
    WHEN its scroll container is scrolled down
    THEN the header row stays at the container's top."""
    tf.goto(TABLE + "?size=100")
    wrap = tf.page.locator(".tf-list-results .tf-table-wrap")
    header = tf.page.locator(".tf-list-results thead th").nth(1)
    top = _box(wrap)["y"]
    wrap.evaluate("w => { w.scrollTop = 1500; }")
    assert wrap.evaluate("w => w.scrollTop") > 1000  # it did scroll
    assert abs(_box(header)["y"] - top) <= 2
    assert tf.page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    tf.screenshot("list-sticky-header")
    tf.assert_clean()


def test_list_key_column_sticks_while_the_table_scrolls_sideways(tf, demo):
    """GIVEN the tickets list in an 800px-wide window (wider than the window)
    WHEN its scroll container is scrolled right
    THEN the first (key) column stays at the container's left edge."""
    tf.page.set_viewport_size({"width": 800, "height": 700})
    tf.goto(TABLE)
    wrap = tf.page.locator(".tf-list-results .tf-table-wrap")
    first = tf.page.locator('[data-testid="row"]').first.locator("td").first
    left = _box(first)["x"]
    wrap.evaluate("w => { w.scrollLeft = 400; }")
    assert wrap.evaluate("w => w.scrollLeft") > 100  # it did scroll
    assert abs(_box(first)["x"] - left) <= 2
    tf.assert_clean()


def test_list_cell_cut_by_css_carries_its_full_text_as_title(tf, demo):
    """GIVEN the tickets list, whose titles are longer than a cell shows
    WHEN it is shown
    THEN every cell CSS cuts short has a title holding its whole text."""
    tf.goto(TABLE)
    cut = tf.page.evaluate(
        """() => [...document.querySelectorAll('.tf-table td[data-testid="cell"]')]
          .filter(c => c.scrollWidth > c.clientWidth + 1)
          .map(c => [c.textContent.trim(), c.getAttribute('title') || ''])"""
    )
    assert cut, "no cell is cut short: the check proves nothing"
    for text, title in cut:
        shown = text.rstrip("…")
        assert title.startswith(shown), (text, title)
    tf.assert_clean()


def test_list_results_are_busy_and_dimmed_during_a_swap(tf, demo):
    """GIVEN the tickets list, with the server's answer held back
    WHEN the next page is asked for
    THEN the results region is aria-busy and dimmed until the rows arrive."""
    tf.goto(TABLE)
    held = []

    def hold(route):
        held.append(route)

    tf.page.route("**/t/ops/tickets?*", hold)
    tf.page.get_by_test_id("page-next").click()
    tf.page.wait_for_timeout(200)
    results = tf.page.locator("#results")
    assert results.get_attribute("aria-busy") == "true"
    assert float(results.evaluate("r => getComputedStyle(r).opacity")) < 0.9
    tf.settled(lambda: held[0].continue_())
    tf.page.unroute("**/t/ops/tickets?*")
    tf.page.wait_for_timeout(300)  # the opacity transition
    assert results.get_attribute("aria-busy") is None
    assert float(results.evaluate("r => getComputedStyle(r).opacity")) == 1.0
    tf.assert_clean()


def test_list_on_a_phone_shows_each_row_as_a_linked_card(tf, demo):
    """GIVEN the tickets list at 390x844 (a phone)
    WHEN it is shown
    THEN each row is a card of at most four cells, no wider than the screen, and a
    tap on a card opens its row."""
    tf.page.set_viewport_size({"width": 390, "height": 844})
    tf.goto(TABLE)
    row = tf.page.locator('[data-testid="row"]').first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    shown = row.evaluate(
        "r => [...r.children].filter(c => getComputedStyle(c).display !== 'none')"
        ".length"
    )
    assert 1 <= shown <= 4
    assert _box(row)["width"] <= 390
    tf.screenshot("list-phone-cards", full_page=False)
    # The navbar is not the list's (it has its own check); nothing of the list may
    # reach past the screen's edge (the header row is clipped to 1px, for readers).
    assert _box(tf.page.locator(".tf-list-results thead"))["width"] <= 1
    wide = tf.page.evaluate(
        """() => [...document.querySelectorAll('#results *')]
          .filter(e => !e.closest('thead'))
          .filter(e => e.getBoundingClientRect().right > 391)
          .map(e => e.tagName + ' ' + (e.dataset.testid || e.className))"""
    )
    assert wide == []
    href = row.get_by_test_id("row-link").get_attribute("href")
    box = _box(row)
    tf.page.mouse.click(box["x"] + box["width"] - 10, box["y"] + box["height"] - 8)
    tf.page.wait_for_url("**" + href)
    tf.assert_clean()


def test_list_filter_value_field_follows_the_chosen_column(tf, demo):
    """GIVEN the tickets list's new filter row
    WHEN a date column, then a foreign key, is chosen and a name is typed
    THEN the value becomes a date picker, then a lookup whose suggestions are
    people's names."""
    tf.goto(TABLE)
    new = tf.page.get_by_test_id("filter-new")
    new.get_by_test_id("filter-column").select_option("opened_at")
    assert new.get_by_test_id("filter-value").get_attribute("type") == "date"
    new.get_by_test_id("filter-column").select_option("assigned_to")
    field = new.get_by_test_id("filter-value")
    assert field.get_attribute("data-lookup")
    name = tf.page.locator('[data-column="assigned_to"] [data-testid="fk-link"]').first
    first_name = name.inner_text().split()[0]
    field.fill(first_name)
    options = new.locator("datalist option")
    options.first.wait_for(state="attached")
    assert first_name in options.first.inner_text()
    tf.assert_clean()


def test_list_columns_menu_hides_a_column_and_remembers_it(tf, demo):
    """GIVEN the tickets list
    WHEN the Columns menu unticks Category and Show is pressed, then the list is
    opened again
    THEN Category is gone both times."""
    tf.goto(TABLE)
    menu = tf.page.get_by_test_id("columns-menu")
    menu.locator("summary").click()
    menu.locator('[data-testid="column-choice"][value="category"]').uncheck()
    menu.get_by_test_id("columns-apply").click()
    tf.page.wait_for_load_state()
    assert tf.page.get_by_test_id("sort-category").count() == 0
    tf.goto(TABLE)
    assert tf.page.get_by_test_id("sort-category").count() == 0
    assert tf.page.get_by_test_id("sort-title").count() == 1
    tf.page.get_by_test_id("columns-menu").locator("summary").click()
    tf.page.get_by_test_id("columns-reset").click()
    tf.page.wait_for_load_state()
    assert tf.page.get_by_test_id("sort-category").count() == 1
    tf.assert_clean()


def test_list_card_on_a_phone_names_each_value_by_its_column(tf, demo):
    """GIVEN the tickets list at 390x844 (a phone), where rows are cards
    WHEN a card is shown
    THEN every value under the card's title is preceded by its column's name."""
    tf.page.set_viewport_size({"width": 390, "height": 844})
    tf.goto(TABLE)
    headers = tf.page.locator(".tf-list-results thead th").evaluate_all(
        "hs => hs.map(h => { const c = h.cloneNode(true);"
        " c.querySelectorAll('[aria-label], .visually-hidden')"
        ".forEach(e => e.remove());"
        " return c.textContent.trim(); })"
    )
    row = tf.page.locator('[data-testid="row"]').first
    before = row.evaluate(
        """r => [...r.children].slice(1)
          .filter(c => getComputedStyle(c).display !== 'none')
          .map(c => getComputedStyle(c, '::before').content)"""
    )
    assert before, "the card shows no value under its title"
    assert before == [f'"{h}: "' for h in headers[1 : 1 + len(before)]]
    tf.screenshot("list-phone-cards-labelled", full_page=False)
    tf.assert_clean()
