"""Identity on real requests: look-alike logins get 401 (logged, escaped), and a
non-ASCII login arriving as IIS's UTF-8 or ANSI bytes matches its own access rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.html import text_of

ACCESS_TOML = """
version = 1
[roles.everyone]
users = ["*"]
[[roles.everyone.grants]]
tables = ["*.*"]
actions = ["read"]
[roles.payroll]
users = ["CONTOSO\\\\jösé"]
[[roles.payroll.grants]]
tables = ["*.*"]
actions = ["read", "export"]
"""


@pytest.fixture
def jose_app(make_app, tmp_path):
    """A testing app whose access file gives CONTOSO\\jösé the payroll role."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    return make_app(TABLEFRONT_ACCESS_FILE=str(access))


@pytest.mark.parametrize(
    "remote_user",
    [
        "CONTOSO\\d\u212aowalski",  # Kelvin sign
        "CONTOSO\\amorgan\u00a0",  # no-break space
        "CONTOSO\\\uff41morgan",  # fullwidth a
        "CONTOSO\\am\u200borgan",  # zero-width space
    ],
)
def test_look_alike_remote_user_is_401_and_logged_escaped(app, remote_user):
    """GIVEN REMOTE_USER that looks like an account but holds a look-alike character
    WHEN a page is opened
    THEN 401 says the account name is not accepted, and the log names the value
    escaped."""
    response = app.test_client().get(
        "/whoami", environ_base={"REMOTE_USER": remote_user}
    )
    assert response.status_code == 401
    assert "not accepted" in text_of(response, "error")
    log_text = Path(app.extensions["tablefront_log_file"]).read_text("utf-8")
    assert f"refused REMOTE_USER {ascii(remote_user)}" in log_text


def test_look_alike_remote_user_does_not_fall_back_to_dev_user(make_app):
    """GIVEN a development identity and a refused REMOTE_USER
    WHEN a page is opened
    THEN it is 401, not the development user."""
    app = make_app(TABLEFRONT_DEV_USER="CONTOSO\\amorgan")
    response = app.test_client().get(
        "/whoami?format=json", environ_base={"REMOTE_USER": "CONTOSO\\amorgan\u00a0"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_non_ascii_remote_user_bytes_match_its_access_rule(jose_app, encoding):
    """GIVEN CONTOSO\\Jösé's REMOTE_USER as IIS writes it (UTF-8 or the ANSI code
    page), handed over as one ISO-8859-1 character per byte like wfastcgi does
    WHEN /whoami is opened
    THEN the login is CONTOSO\\jösé and the rule naming that user applies."""
    wsgi_text = "CONTOSO\\Jösé".encode(encoding).decode("latin-1")
    response = jose_app.test_client().get(
        "/whoami?format=json", environ_base={"REMOTE_USER": wsgi_text}
    )
    assert response.json["login"] == "CONTOSO\\jösé"
    assert "payroll" in response.json["access"]["roles"]
