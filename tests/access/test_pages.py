"""The access pages: /whoami's roles and grants, /admin/access, 503 when the
directory is down. HTML is read through html.parser."""

from __future__ import annotations

import socket
from html.parser import HTMLParser

import pytest

ADMIN = {"REMOTE_USER": "CONTOSO\\amorgan"}
EMPLOYEE = {"REMOTE_USER": "CONTOSO\\lnguyen"}


class Sections(HTMLParser):
    """Collects the text inside each element carrying data-testid."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self._open.append((tag, dict(attrs).get("data-testid")))
        testid = self._open[-1][1]
        if testid:
            self.text.setdefault(testid, "")

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _tag, testid in self._open:
            if testid:
                self.text[testid] += data


def sections(html: bytes) -> dict[str, str]:
    parser = Sections()
    parser.feed(html.decode())
    return parser.text


def test_whoami_json_lists_groups_and_roles(client):
    """GIVEN amorgan in the demo static groups WHEN /whoami is asked for JSON
    THEN groups and roles (employee, it, admin) are listed."""
    data = client.get("/whoami?format=json", environ_base=ADMIN).get_json()
    assert "CONTOSO\\Tablefront-Admins" in data["access"]["groups"]
    assert data["access"]["roles"] == ["employee", "it", "admin"]


def test_whoami_html_shows_roles(client):
    """GIVEN an employee in no group WHEN /whoami renders
    THEN the roles row names only the employee role."""
    text = sections(client.get("/whoami", environ_base=EMPLOYEE).data)
    assert "Roles" in text["whoami-roles"]
    assert "employee" in text["whoami-roles"]
    assert "admin" not in text["whoami-roles"]


def test_admin_access_non_admin_is_forbidden(client):
    """GIVEN an ordinary employee WHEN /admin/access is opened THEN 403."""
    assert client.get("/admin/access", environ_base=EMPLOYEE).status_code == 403


def test_admin_access_lists_every_role_with_its_line(client):
    """GIVEN an admin WHEN /admin/access is asked for JSON
    THEN every role appears and each grant carries its file line."""
    data = client.get("/admin/access?format=json", environ_base=ADMIN).get_json()
    names = [r["name"] for r in data["roles"]]
    assert names == ["employee", "hr", "manager", "sales", "it", "admin"]
    assert all(
        g["source"].startswith("access.toml:")
        for r in data["roles"]
        for g in r["grants"]
    )


def test_admin_check_user_shows_that_users_roles(client):
    """GIVEN an admin WHEN they check CONTOSO\\pchen THEN her HR group and role show."""
    response = client.get("/admin/access?login=CONTOSO%5Cpchen", environ_base=ADMIN)
    text = sections(response.data)["checked-user"]
    assert "CONTOSO\\HR-Staff" in text
    assert "hr" in text.split("roles:")[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def ldap_down_client(make_app, tmp_path):
    password = tmp_path / "pw"
    password.write_text("x")
    app = make_app(
        TABLEFRONT_GROUPS_PROVIDER="ldap",
        TABLEFRONT_LDAP_URL=f"ldap://127.0.0.1:{_closed_port()}",
        TABLEFRONT_LDAP_BASE_DN="dc=contoso,dc=test",
        TABLEFRONT_LDAP_BIND_USER="cn=svc,dc=contoso,dc=test",
        TABLEFRONT_LDAP_BIND_PASSWORD_FILE=str(password),
        TABLEFRONT_LDAP_TIMEOUT="1",
    )
    return app.test_client()


def test_directory_down_whoami_is_503_page(ldap_down_client):
    """GIVEN the LDAP provider and nothing listening WHEN /whoami is opened
    THEN a 503 page says the directory could not be reached."""
    response = ldap_down_client.get("/whoami", environ_base=EMPLOYEE)
    assert response.status_code == 503
    assert "directory" in response.get_data(as_text=True).lower()


def test_directory_down_admin_pages_are_not_opened(ldap_down_client):
    """GIVEN the directory is down WHEN an admin opens /admin/access
    THEN 503, never the page (fail closed)."""
    assert ldap_down_client.get("/admin/access", environ_base=ADMIN).status_code == 503


@pytest.mark.ldap
def test_ldap_provider_roles_through_the_app(make_app, ldap_server):
    """GIVEN the app on the real slapd in memberof mode WHEN pchen asks /whoami
    THEN her HR-Staff group gives her the hr role."""
    app = make_app(
        TABLEFRONT_GROUPS_PROVIDER="ldap",
        TABLEFRONT_LDAP_URL=ldap_server.url,
        TABLEFRONT_LDAP_BASE_DN=ldap_server.base_dn,
        TABLEFRONT_LDAP_BIND_USER=ldap_server.bind_dn,
        TABLEFRONT_LDAP_BIND_PASSWORD_FILE=str(ldap_server.password_file),
        TABLEFRONT_LDAP_MODE="memberof",
    )
    data = (
        app.test_client()
        .get("/whoami?format=json", environ_base={"REMOTE_USER": "CONTOSO\\pchen"})
        .get_json()
    )
    assert data["access"]["roles"] == ["employee", "hr"]


def test_dev_switcher_offers_demo_personas(make_app):
    """GIVEN development with a dev user WHEN the switcher lists suggestions
    THEN the five demo personas are offered."""
    app = make_app(TABLEFRONT_DEV_USER="CONTOSO\\amorgan")
    logins = [a["login"] for a in app.extensions["tablefront_dev_accounts"]()]
    assert logins == [
        "CONTOSO\\amorgan",
        "CONTOSO\\dkowalski",
        "CONTOSO\\jokafor",
        "CONTOSO\\lnguyen",
        "CONTOSO\\pchen",
    ]
