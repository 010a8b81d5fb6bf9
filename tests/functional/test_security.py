"""Security headers, cookie flags and CSRF on every response."""

from __future__ import annotations

import pytest

from tests.html import soup


def test_every_page_sends_security_headers(user_client):
    """GIVEN any page WHEN served THEN CSP without inline script, framing denied,
    nosniff and a referrer policy are sent."""
    headers = user_client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_error_pages_send_security_headers_too(client):
    """GIVEN a 401 WHEN served THEN it carries the same headers."""
    assert "Content-Security-Policy" in client.get("/").headers


def test_pages_have_no_inline_script_or_style(user_client):
    """GIVEN the CSP forbids inline code WHEN the shell renders THEN every script has a
    src and no element has a style attribute."""
    doc = soup(user_client.get("/"))
    assert all(tag.get("src") for tag in doc.find_all("script"))
    assert not doc.select("[style]")
    assert not doc.find_all("style")


@pytest.mark.parametrize(("scheme", "secure"), [("https", True), ("http", False)])
def test_session_cookie_flags(make_app, scheme, secure):
    """GIVEN a request that sets the session WHEN served over http(s) THEN the cookie
    is HttpOnly, SameSite=Lax, and Secure exactly over HTTPS."""
    app = make_app(TABLEFRONT_DEV_USER="CONTOSO\\amorgan")
    response = app.test_client().get("/dev/act-as", base_url=f"{scheme}://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def test_https_adds_strict_transport_security(user_client):
    """GIVEN HTTPS WHEN a page is served THEN HSTS is sent; over HTTP it is not."""
    assert (
        "Strict-Transport-Security"
        in user_client.get("/", base_url="https://localhost").headers
    )
    assert "Strict-Transport-Security" not in user_client.get("/").headers
