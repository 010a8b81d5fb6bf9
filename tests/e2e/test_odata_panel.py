"""The "Excel / Power BI" panel in Chromium: a filtered, sorted list's feed URL,
its copy button, and the screenshot README shows (odata-panel.png)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

VIEW = "/t/hr/employees?fc=department_id&fo=eq&fv=2&sort=-last_name"


@pytest.fixture
def demo(live_server):
    """The live server, skipping (failing where required) without demo data."""
    live_server.require_demo()
    return live_server


def test_feed_panel_copy_button_copies_feed_url_of_current_view(tf, demo):
    """GIVEN the employees list filtered to department 2, sorted by last name
    descending WHEN the user opens the Excel / Power BI panel and presses Copy
    THEN the clipboard holds the feed URL of that view, whose rows are the list's,
    in its order (and the panel is screenshotted for README)."""
    tf.page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=tf.base_url
    )
    tf.goto(VIEW)
    listed = [
        t.strip()
        for t in tf.page.locator(
            '[data-testid="cell"][data-column="last_name"]'
        ).all_inner_texts()
    ]
    panel = tf.page.get_by_test_id("feed-panel")
    panel.locator("summary").click()
    field = tf.page.get_by_test_id("feed-url")
    for _ in range(200):  # the panel asks the server for the URL when it opens
        if "filter" in field.input_value():
            break
        tf.page.wait_for_timeout(25)
    panel.scroll_into_view_if_needed()
    tf.screenshot("odata-panel")
    tf.page.get_by_test_id("feed-copy").click()
    copied = tf.page.evaluate("navigator.clipboard.readText()")
    assert copied == field.input_value()
    link = urlsplit(copied)
    assert link.path == "/odata/hr_employees"
    assert parse_qs(link.query) == {
        "$filter": ["department_id eq 2"],
        "$orderby": ["last_name desc"],
    }
    feed = tf.page.request.get(copied)
    assert feed.status == 200
    names = [row["last_name"] for row in json.loads(feed.body())["value"]]
    assert listed and names[: len(listed)] == listed
    tf.assert_clean()
