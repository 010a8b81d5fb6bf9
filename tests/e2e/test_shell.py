"""The page shell in a real browser: home page, error page, CSP."""

from __future__ import annotations


def test_home_page_with_dev_identity_shows_signed_in_user(tf):
    """GIVEN the development app with no REMOTE_USER from a web server
    WHEN Chromium opens the home page
    THEN the navigation bar names the development identity CONTOSO\\amorgan.
    """
    tf.goto("/")

    user = tf.page.get_by_test_id("current-user")

    assert user.inner_text().strip().lower() == "contoso\\amorgan"
    tf.screenshot("home")


def test_home_page_under_csp_loads_without_console_errors(tf):
    """GIVEN the app's strict Content-Security-Policy ('self' only, no inline code)
    WHEN Chromium opens the home page and its stylesheets and scripts load
    THEN the browser reports no console error, page error or CSP violation.
    """
    tf.goto("/")
    tf.page.wait_for_load_state("networkidle")

    tf.assert_clean()


def test_home_page_stylesheets_are_served_locally(tf):
    """GIVEN an intranet without internet access
    WHEN Chromium loads the home page
    THEN every stylesheet and script comes from the app's own origin and applied.
    """
    requested: list[str] = []
    tf.page.on("request", lambda r: requested.append(r.url))
    tf.goto("/")
    tf.page.wait_for_load_state("networkidle")

    foreign = [u for u in requested if not u.startswith(tf.base_url)]
    # Bootstrap's reboot sets the body margin to 0; without the CSS it would be 8px.
    margin = tf.page.evaluate("getComputedStyle(document.body).marginTop")

    assert (foreign, margin) == ([], "0px")


def test_error_page_for_unknown_path_is_a_styled_404(tf):
    """GIVEN a URL the app does not know
    WHEN Chromium opens it
    THEN the response is 404 with the app's error card and a request id.
    """
    tf.allow_error("/no/such/page")
    tf.goto("/no/such/page", expect_status=404)

    card = tf.page.get_by_test_id("error")
    request_id = card.get_by_test_id("request-id").inner_text().strip()

    assert card.is_visible() and request_id != ""
    tf.screenshot("error-404")
    tf.assert_clean()
