"""Identity on real requests: REMOTE_USER only, 401 otherwise, dev tools dev only."""

from __future__ import annotations

import pytest

from tests.html import by_testid, soup, text_of


def test_whoami_with_remote_user_shows_the_user_in_page_and_header(user_client):
    """GIVEN IIS passed REMOTE_USER WHEN /whoami is opened THEN the page and the
    header both show the normalised account."""
    response = user_client.get("/whoami")
    assert response.status_code == 200
    assert text_of(response, "current-user") == "CONTOSO\\jdoe"
    rows = {
        tr.th.get_text(strip=True): tr.td.get_text(strip=True)
        for tr in by_testid(response, "whoami").find_all("tr")
    }
    assert rows["Login"] == "CONTOSO\\jdoe"
    assert rows["Authentication"] == "Negotiate"


def test_whoami_json_reports_identity(user_client):
    """GIVEN a signed-in caller WHEN /whoami is asked for JSON THEN it answers JSON."""
    response = user_client.get("/whoami", headers={"Accept": "application/json"})
    assert response.json["login"] == "CONTOSO\\jdoe"
    assert response.json["auth_type"] == "Negotiate"


def test_request_without_remote_user_gets_401_explaining_iis_settings(client):
    """GIVEN no REMOTE_USER WHEN a page is opened THEN 401 explains Windows
    Authentication must be on and Anonymous off."""
    response = client.get("/")
    assert response.status_code == 401
    detail = text_of(response, "error")
    assert "Windows Authentication" in detail
    assert "Anonymous" in detail


def test_empty_remote_user_is_unauthenticated(client):
    """GIVEN an empty REMOTE_USER WHEN a page is opened THEN it is 401 (fail closed)."""
    response = client.get("/whoami", environ_base={"REMOTE_USER": "  "})
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Remote-User", "X-Remote-User", "X-Forwarded-User"])
def test_identity_headers_are_ignored(client, header):
    """GIVEN a client that sends a user name in a header WHEN it asks for a page THEN
    it is still unauthenticated."""
    response = client.get("/whoami", headers={header: "CONTOSO\\amorgan"})
    assert response.status_code == 401


def test_upn_and_netbios_forms_are_the_same_user(make_app):
    """GIVEN a domain map WHEN IIS passes the UPN form THEN the NetBIOS login shows."""
    app = make_app(TABLEFRONT_DOMAIN_MAP="CONTOSO=contoso.com")
    response = app.test_client().get(
        "/whoami?format=json", environ_base={"REMOTE_USER": "JDoe@Contoso.com"}
    )
    assert response.json["login"] == "CONTOSO\\jdoe"


def test_dev_user_is_injected_only_when_configured(make_app):
    """GIVEN a testing app with a dev user WHEN no REMOTE_USER arrives THEN the dev user
    is the caller, marked as such."""
    app = make_app(TABLEFRONT_DEV_USER="CONTOSO\\amorgan")
    data = app.test_client().get("/whoami?format=json").json
    assert data["login"] == "CONTOSO\\amorgan"
    assert data["source"] == "TABLEFRONT_DEV_USER"


def test_remote_user_wins_over_dev_user(make_app):
    """GIVEN a dev user WHEN IIS passes REMOTE_USER THEN REMOTE_USER is the caller."""
    app = make_app(TABLEFRONT_DEV_USER="CONTOSO\\amorgan")
    data = (
        app.test_client()
        .get("/whoami?format=json", environ_base={"REMOTE_USER": "CONTOSO\\jdoe"})
        .json
    )
    assert data["login"] == "CONTOSO\\jdoe"


def test_act_as_switches_identity_in_development(make_app):
    """GIVEN development with a dev user WHEN the switcher posts another account THEN
    later requests run as that account, and reset returns to the dev user."""
    app = make_app(TABLEFRONT_DEV_USER="CONTOSO\\amorgan", TABLEFRONT_TEST_CSRF="0")
    c = app.test_client()
    assert c.post("/dev/act-as", data={"login": "CONTOSO\\pchen"}).status_code == 302
    assert c.get("/whoami?format=json").json["login"] == "CONTOSO\\pchen"
    c.post("/dev/act-as", data={"reset": "1"})
    assert c.get("/whoami?format=json").json["login"] == "CONTOSO\\amorgan"


def test_act_as_page_offers_a_form_with_csrf_token(make_app):
    """GIVEN development WHEN the switcher opens THEN its form carries a CSRF token."""
    app = make_app(TABLEFRONT_DEV_USER="CONTOSO\\amorgan")
    doc = soup(app.test_client().get("/dev/act-as"))
    assert doc.select_one('form input[name="csrf_token"]')["value"]


def test_act_as_without_dev_user_does_not_exist(user_client):
    """GIVEN a config without a dev identity WHEN /dev/act-as is requested THEN 404."""
    assert user_client.get("/dev/act-as").status_code == 404
    response = user_client.post("/dev/act-as", data={"login": "CONTOSO\\amorgan"})
    assert response.status_code in {400, 404}
    assert user_client.get("/whoami?format=json").json["login"] == "CONTOSO\\jdoe"


def test_production_has_no_dev_identity_or_switcher(test_environ, tmp_path):
    """GIVEN the production config WHEN a request arrives without REMOTE_USER, or asks
    for the switcher THEN it is 401 / 404: no development identity exists."""
    from app import create_app
    from config import load_config

    env = {
        **test_environ,
        "TABLEFRONT_ENV": "production",
        "TABLEFRONT_SECRET_KEY": "p" * 16 + "Q7v2Lm9Xc4Rt8Ny1",
        "TABLEFRONT_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "TABLEFRONT_GROUPS_PROVIDER": "static",
    }
    app = create_app(load_config(env))
    c = app.test_client()
    assert c.get("/whoami").status_code == 401
    signed_in = {"REMOTE_USER": "CONTOSO\\jdoe"}
    assert c.get("/dev/act-as", environ_base=signed_in).status_code == 404
    with c.session_transaction() as session:
        session["dev_act_as"] = "CONTOSO\\amorgan"
    assert c.get("/whoami").status_code == 401
    login = c.get("/whoami?format=json", environ_base=signed_in).json["login"]
    assert login == "CONTOSO\\jdoe"
