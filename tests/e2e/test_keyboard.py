"""Keyboard use in Chromium: the skip link, and focus kept across htmx swaps."""

from __future__ import annotations

import pytest

LIST = "/t/hr/employees"
ACTIVE = (
    "(() => { const e = document.activeElement;"
    " return e ? (e.id || e.getAttribute('data-testid') || e.tagName) : null; })()"
)


@pytest.fixture
def demo(live_server):
    """The live server, skipping (failing where required) without demo data."""
    live_server.require_demo()
    return live_server


def focused(tf) -> str | None:
    """The id (else data-testid, else tag) of the element that has the focus."""
    return tf.page.evaluate(ACTIVE)


def test_skip_link_first_tab_focuses_skip_link(tf):
    """GIVEN any page of the app, just opened
    WHEN the user presses Tab once
    THEN the focus is on the visible "Skip to content" link.
    """
    tf.goto("/")

    tf.page.keyboard.press("Tab")
    link = tf.page.get_by_test_id("skip-link")

    assert (focused(tf), link.inner_text().strip(), link.is_visible()) == (
        "skip-link",
        "Skip to content",
        True,
    )


def test_skip_link_enter_moves_focus_to_main_content(tf):
    """GIVEN the skip link focused by the first Tab
    WHEN the user presses Enter
    THEN the focus is on <main id="content">, past the navigation bar.
    """
    tf.goto("/")
    tf.page.keyboard.press("Tab")

    tf.page.keyboard.press("Enter")

    assert (
        tf.page.evaluate(
            "document.activeElement.tagName + '#' + document.activeElement.id"
        )
        == "MAIN#content"
    )


def test_sort_header_enter_keeps_focus_on_the_header(tf, demo):
    """GIVEN the employees list with the Last name sort header focused
    WHEN the user presses Enter and htmx swaps in the sorted rows
    THEN the focus is on the Last name sort header of the new table.
    """
    tf.goto(LIST)
    tf.page.get_by_test_id("sort-last_name").focus()

    tf.settled(lambda: tf.page.keyboard.press("Enter"))

    assert "sort=" in tf.page.url and focused(tf) == "sort-last_name"
    tf.assert_clean()


def test_pager_next_enter_keeps_focus_on_the_pager_link(tf, demo):
    """GIVEN the employees list with the pager's Next link focused
    WHEN the user presses Enter and htmx swaps in the next page
    THEN the focus is on the Next link of the new pager.
    """
    tf.goto(LIST)
    tf.page.get_by_test_id("page-next").focus()

    tf.settled(lambda: tf.page.keyboard.press("Enter"))

    assert "after=" in tf.page.url or "page=" in tf.page.url, tf.page.url
    assert focused(tf) == "page-next"
    tf.assert_clean()


def test_filter_apply_enter_keeps_focus_on_apply(tf, demo):
    """GIVEN the employees list with a filter typed in and its Apply button focused
    WHEN the user presses Enter and htmx swaps in the filtered rows
    THEN the focus is on the Apply button of the new filter form.
    """
    tf.goto(LIST)
    new = tf.page.get_by_test_id("filter-new")
    new.get_by_test_id("filter-column").select_option("job_title")
    new.get_by_test_id("filter-value").fill("Analyst")
    new.get_by_test_id("apply-filters").focus()

    tf.settled(lambda: tf.page.keyboard.press("Enter"))

    assert tf.page.get_by_test_id("filter-row").count() == 1
    assert focused(tf) == "apply-filters"
    tf.assert_clean()


def test_filter_remove_enter_moves_focus_to_the_remaining_remove_button(tf, demo):
    """GIVEN the employees list with two filters and the second one's remove button
    focused
    WHEN the user presses Enter and htmx swaps in the list with one filter
    THEN the focus is on the remaining filter's remove button.
    """
    tf.goto(f"{LIST}?fc=job_title&fo=starts&fv=A&fc=last_name&fo=starts&fv=B")
    assert tf.page.get_by_test_id("filter-row").count() == 2
    tf.page.get_by_test_id("filter-remove").nth(1).focus()

    tf.settled(lambda: tf.page.keyboard.press("Enter"))

    assert tf.page.get_by_test_id("filter-row").count() == 1
    assert focused(tf) == "filter-remove"
    tf.assert_clean()
