"""Phone width (390x844) in Chromium: no page wider than the screen, a menu button."""

from __future__ import annotations

import pytest

from tests.e2e.pages import ADMIN, MAIN_PAGES, PHONE, MainPage

LONG_LOGIN = "CONTOSO\\maximiliana.vanderwesthuizen-oyelaran.longname"
WIDTH = (
    "({scroll: document.documentElement.scrollWidth,"
    " viewport: document.documentElement.clientWidth})"
)


@pytest.fixture
def demo(live_server):
    """The demo server with an audit entry; skips (fails where required) without."""
    live_server.require_demo()
    live_server.ensure_history()
    return live_server


@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=[p.name for p in MAIN_PAGES])
def test_main_page_at_phone_width_is_no_wider_than_the_screen(
    open_session, demo, main_page: MainPage
):
    """GIVEN one main page, opened by the admin on a 390 px wide phone
    WHEN it has loaded
    THEN the document is no wider than the viewport (nothing scrolls sideways).
    """
    tf = open_session(viewport=PHONE, login=ADMIN.login)
    tf.goto(main_page.path, expect_status=main_page.status)

    width = tf.page.evaluate(WIDTH)

    assert width["scroll"] <= width["viewport"], (
        f"{main_page.name} ({main_page.path}) is {width['scroll']} px wide at "
        f"{width['viewport']} px: find the element wider than the screen"
    )


def test_navbar_at_phone_width_hides_links_behind_the_menu_button(open_session, demo):
    """GIVEN the home page on a 390 px phone, as the admin
    WHEN the user opens the navigation bar's menu button
    THEN the Access link, hidden before, is shown.
    """
    tf = open_session(viewport=PHONE, login=ADMIN.login)
    tf.goto("/")
    access = tf.page.get_by_test_id("nav-access")
    hidden_before = not access.is_visible()

    tf.page.get_by_test_id("nav-toggle").click()
    access.wait_for(state="visible")
    tf.page.locator("#tf-navbar-menu.show").wait_for()  # the slide has finished

    tf.screenshot("navbar-open-390")
    assert hidden_before and access.is_visible()
    tf.assert_clean()


def test_long_user_name_at_phone_width_is_cut_short(open_session, demo):
    """GIVEN a caller whose account name is longer than a phone is wide
    WHEN the home page opens on a 390 px phone with the menu shown
    THEN the name ends in an ellipsis inside the screen and the page does not widen.
    """
    tf = open_session(viewport=PHONE, login=LONG_LOGIN)
    tf.goto("/")
    tf.page.get_by_test_id("nav-toggle").click()
    user = tf.page.get_by_test_id("current-user")
    user.wait_for(state="visible")

    box = user.bounding_box()
    width = tf.page.evaluate(WIDTH)

    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert width["scroll"] <= width["viewport"]
    assert user.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
