"""The list page's kept frame (navigation, title, actions, search form): kept per
table and caller, never showing one caller's buttons, search text or messages to
another request."""

from __future__ import annotations

import pytest

from tests.browse.shop import install_shop
from tests.html import by_testid, soup

HOSTILE = "\"'><script>x</script>&"

ACCESS_TOML = """
version = 1

[roles.boss]
users = ["CONTOSO\\\\boss"]
admin = true
[[roles.boss.grants]]
tables = ["*.*"]
actions = ["*"]

[roles.everyone]
users = ["*"]
[[roles.everyone.grants]]
tables = ["*.*"]
actions = ["read", "export"]
"""


@pytest.fixture
def frame_app(make_app, tmp_path):
    """The shop tables; CONTOSO\\boss is an admin who may do anything."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    app = make_app(TABLEFRONT_ACCESS_FILE=str(access))
    app.shop = install_shop(app, tmp_path)
    return app


def _client(app, login: str):
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": login})
    return client


def test_each_caller_gets_their_own_header_and_actions(frame_app):
    """GIVEN an admin who may add rows and two readers who may not
    WHEN they ask for the same list page in turn, several times
    THEN each page names its own caller, and only the admin's shows the admin
    links and the New row button."""
    callers = [
        ("CONTOSO\\boss", True),
        ("CONTOSO\\jdoe", False),
        ("CONTOSO\\asmith", False),
    ]
    for _ in range(2):
        for login, admin in callers:
            doc = soup(_client(frame_app, login).get("/t/shop/items"))
            assert by_testid(doc, "current-user").get_text() == login
            assert (doc.select_one('[data-testid="nav-access"]') is not None) == admin
            assert (doc.select_one('[data-testid="action-new"]') is not None) == admin


def test_search_box_shows_each_requests_own_text_escaped(frame_app):
    """GIVEN one caller searching for markup, then for a plain word
    WHEN each page is shown
    THEN the search box holds that request's text as text (no element made of it)."""
    client = _client(frame_app, "CONTOSO\\jdoe")
    for q in (HOSTILE, "Drill", HOSTILE):
        response = client.get("/t/shop/items", query_string={"q": q})
        doc = soup(response)
        assert by_testid(doc, "search-box")["value"] == q
        assert doc.find("script", string="x") is None
        assert b"<script>x" not in response.data


def test_flashed_message_shows_once_and_is_not_kept(frame_app):
    """GIVEN a flashed message (holding markup) waiting in the caller's session
    WHEN the list page is shown, then shown again
    THEN the first page shows the message as text and the second does not."""
    client = _client(frame_app, "CONTOSO\\jdoe")
    client.get("/t/shop/items")  # the frame without messages is kept first
    with client.session_transaction() as session:
        session["_flashes"] = [("success", f"Saved {HOSTILE}")]
    first = soup(client.get("/t/shop/items"))
    assert [f.get_text() for f in first.select('[data-testid="flash"]')] == [
        f"Saved {HOSTILE}"
    ]
    again = soup(client.get("/t/shop/items"))
    assert again.select('[data-testid="flash"]') == []
    assert by_testid(again, "table-title").get_text() == "Items"


def test_each_site_root_gets_its_own_links(frame_app):
    """GIVEN the app served at the site root and under an IIS sub-application
    (SCRIPT_NAME), the same reader asking for the same list page on both, in turn
    WHEN each page is shown
    THEN its navigation, breadcrumbs and stylesheets start with that page's root."""
    client = _client(frame_app, "CONTOSO\\jdoe")
    for _ in range(2):
        for root in ("", "/tablefront"):
            response = client.get(
                "/t/shop/items", environ_overrides={"SCRIPT_NAME": root}
            )
            assert response.status_code == 200
            doc = soup(response)
            assert by_testid(doc, "current-user")["href"] == f"{root}/whoami"
            css = doc.select_one('link[href$="css/app.css"]')["href"]
            assert css.startswith(f"{root}/static/")
            home = doc.select_one('[data-testid="breadcrumbs"] a')["href"]
            assert home == f"{root}/"
