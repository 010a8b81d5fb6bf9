"""The real wfastcgi, driven with our own web.config.

In process: wfastcgi's own parser reads our web.config and its own resolver turns
WSGI_HANDLER into an app. Out of process: wfastcgi's real main loop runs in a child
whose stdin is one end of a socketpair, and the test plays IIS, speaking FastCGI
records to it. The child's Web.config is ours with only the values setup.ps1 fills in
replaced (install path, environment, log folder, secret file), as a test install.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.test import Client

from tests.iis.fastcgi_client import FastCgiConnection, FastCgiResponse
from tests.iis.iis_files import REPO, WEB_CONFIG, app_settings, load
from tests.iis.wfastcgi_boot import import_wfastcgi

BOOT_SCRIPT = Path(__file__).with_name("wfastcgi_boot.py")
JDOE = "CONTOSO\\jdoe"


class InputValues(HTMLParser):
    """Collect name -> value of every <input> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def install_site(root: Path, overrides: dict[str, str]) -> Path:
    """Write ``root/site/Web.config``: our web.config with ``overrides`` applied to
    keys it already has (a key it lacks is an error: the contract changed)."""
    tree = ET.parse(WEB_CONFIG)
    settings = tree.getroot().findall("./appSettings/add")
    missing = set(overrides) - {a.get("key") for a in settings}
    assert not missing, f"web.config lacks {sorted(missing)}"
    for add in settings:
        if add.get("key") in overrides:
            add.set("value", overrides[add.get("key")])
    site = root / "site"
    site.mkdir()
    # wfastcgi opens exactly "Web.config" (Windows paths ignore case; Linux does not).
    tree.write(site / "Web.config", encoding="utf-8", xml_declaration=True)
    return site


class WfastcgiProcess:
    """wfastcgi.main() in a child process, its stdin a socket we speak FastCGI on."""

    def __init__(
        self,
        root: Path,
        extra_env: dict[str, str] | None = None,
        site_settings: dict[str, str] | None = None,
    ) -> None:
        secret_file = root / "secret_key.txt"
        secret_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        self.site = install_site(
            root,
            {
                "PYTHONPATH": str(REPO),
                "TABLEFRONT_ENV": "testing",
                "TABLEFRONT_GROUPS_PROVIDER": "static",
                "TABLEFRONT_PUBLIC_HEALTH": "1",
                "TABLEFRONT_LOG_DIR": str(root / "logs"),
                "TABLEFRONT_SECRET_KEY_FILE": str(secret_file),
                # The demo's settings and models, where setup.ps1 would name
                # C:\ProgramData\Tablefront\settings and ...\models.
                "TABLEFRONT_SETTINGS_DIR": str(REPO / "app" / "settings"),
                "TABLEFRONT_MODELS_DIR": str(REPO / "app" / "models" / "generated"),
                **(site_settings or {}),
            },
        )
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TABLEFRONT_", "WSGI_")) and k != "PYTHONPATH"
        }
        env["TABLEFRONT_EMBEDDED_DB_DIR"] = str(root / "db")
        env.update(extra_env or {})
        self.stderr_path = root / "child-stderr.txt"
        parent, child = socket.socketpair()
        with open(self.stderr_path, "wb") as stderr:
            # cwd is not the repo: "import app" must come from web.config's PYTHONPATH.
            self.process = subprocess.Popen(
                [sys.executable, str(BOOT_SCRIPT)],
                stdin=child.fileno(),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                cwd=root,
                env=env,
            )
        child.close()
        parent.settimeout(30)
        self.sock = parent
        self.connection = FastCgiConnection(parent)

    def request(
        self,
        method: str,
        path: str,
        *,
        remote_user: str | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        content_type: str = "",
    ) -> FastCgiResponse:
        """Send the CGI variables IIS sends for one request; return the response."""
        params = {
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_SOFTWARE": "Microsoft-IIS/10.0",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTPS": "off",
            "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": path,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "APPL_PHYSICAL_PATH": str(self.site) + os.sep,
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_HOST": "localhost",
            # IIS always sends these; empty for an anonymous request.
            "REMOTE_USER": remote_user or "",
            "AUTH_TYPE": "Negotiate" if remote_user else "",
        }
        if content_type:
            params["CONTENT_TYPE"] = content_type
        for name, value in (headers or {}).items():
            params["HTTP_" + name.upper().replace("-", "_")] = value
        try:
            return self.connection.request(params, body)
        except (ConnectionError, TimeoutError) as exc:
            raise AssertionError(f"{exc}; child stderr: {self.stderr()}") from None

    def stderr(self) -> str:
        """What the child wrote to stderr before wfastcgi took it over."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        """Close our end: wfastcgi reads EOF and exits."""
        self.sock.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def wfastcgi_site(tmp_path_factory) -> Iterator[WfastcgiProcess]:
    """One wfastcgi process serving the testing app with no development identity."""
    process = WfastcgiProcess(tmp_path_factory.mktemp("wfastcgi"))
    yield process
    process.close()


@pytest.fixture(scope="module")
def wfastcgi_dev_site(tmp_path_factory) -> Iterator[WfastcgiProcess]:
    """A wfastcgi process whose app has a development identity (so /dev/act-as)."""
    process = WfastcgiProcess(
        tmp_path_factory.mktemp("wfastcgi-dev"),
        {"TABLEFRONT_DEV_USER": "CONTOSO\\amorgan"},
    )
    yield process
    process.close()


def _whoami(response: FastCgiResponse) -> dict:
    assert response.status == 200, response.text[:500] + response.stderr
    return json.loads(response.body)


def test_wfastcgi_reads_our_web_config_like_xml_etree(tmp_path):
    """GIVEN our web.config as Web.config WHEN wfastcgi's own parser reads it THEN
    it sees exactly the appSettings xml.etree sees."""
    wfastcgi = import_wfastcgi()
    shutil.copy(WEB_CONFIG, tmp_path / "Web.config")
    assert wfastcgi.get_environment(str(tmp_path)) == app_settings(load(WEB_CONFIG))


def test_wfastcgi_resolves_our_wsgi_handler_to_working_app(
    tmp_path, monkeypatch, test_environ
):
    """GIVEN our WSGI_HANDLER WHEN wfastcgi's get_wsgi_handler resolves it THEN the
    result is a Flask app that answers /health."""
    wfastcgi = import_wfastcgi()
    shutil.copy(WEB_CONFIG, tmp_path / "Web.config")
    handler_name = wfastcgi.get_environment(str(tmp_path))["WSGI_HANDLER"]
    for name, value in test_environ.items():
        monkeypatch.setenv(name, value)
    app = wfastcgi.get_wsgi_handler(handler_name)
    assert isinstance(app, Flask)
    response = Client(app).get("/health", environ_base={"REMOTE_USER": "CONTOSO\\lb"})
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_wfastcgi_loop_get_with_remote_user_shows_user(wfastcgi_site):
    """GIVEN IIS's REMOTE_USER WHEN /whoami goes through wfastcgi THEN 200 and the
    JSON names that user and the auth type."""
    response = wfastcgi_site.request(
        "GET", "/whoami", remote_user=JDOE, headers={"Accept": "application/json"}
    )
    data = _whoami(response)
    assert (data["login"], data["auth_type"]) == (JDOE, "Negotiate")


def test_wfastcgi_loop_get_with_remote_user_renders_html_page(wfastcgi_site):
    """GIVEN a browser request WHEN /whoami goes through wfastcgi THEN an HTML page
    with the app's security headers comes back."""
    response = wfastcgi_site.request("GET", "/whoami", remote_user=JDOE)
    assert response.status == 200, response.stderr
    assert response.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert JDOE in response.text


def test_wfastcgi_loop_without_remote_user_is_401(wfastcgi_site):
    """GIVEN an empty REMOTE_USER WHEN /whoami goes through wfastcgi THEN 401."""
    response = wfastcgi_site.request("GET", "/whoami")
    assert response.status == 401
    assert "jdoe" not in response.text.lower()


@pytest.mark.parametrize("header", ["Remote-User", "X-Remote-User", "X-Forwarded-User"])
def test_wfastcgi_loop_spoofed_user_header_is_401(wfastcgi_site, header):
    """GIVEN a client header naming a user and no REMOTE_USER WHEN it goes through
    wfastcgi THEN the app still answers 401."""
    response = wfastcgi_site.request("GET", "/whoami", headers={header: JDOE})
    assert response.status == 401


def test_wfastcgi_loop_public_health_without_user_is_200(wfastcgi_site):
    """GIVEN no REMOTE_USER WHEN the public /health goes through wfastcgi THEN 200."""
    response = wfastcgi_site.request("GET", "/health")
    assert (response.status, json.loads(response.body)) == (200, {"status": "ok"})


def test_wfastcgi_loop_x_original_url_cannot_reach_protected_page(wfastcgi_site):
    """GIVEN public /health with X-Original-URL: /whoami and no user WHEN wfastcgi
    rewrites PATH_INFO THEN the app sees /whoami and answers 401, not the page."""
    response = wfastcgi_site.request(
        "GET",
        "/health",
        headers={"X-Original-URL": "/whoami", "Accept": "application/json"},
    )
    assert response.status == 401
    assert json.loads(response.body).get("status") != "ok"


def test_wfastcgi_loop_post_without_csrf_token_is_400(wfastcgi_dev_site):
    """GIVEN a form POST without a CSRF token WHEN it goes through wfastcgi THEN the
    app refuses it with 400."""
    body = urlencode({"login": "CONTOSO\\pchen"}).encode()
    response = wfastcgi_dev_site.request(
        "POST",
        "/dev/act-as",
        body=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status == 400


def test_wfastcgi_loop_post_body_reaches_app(wfastcgi_dev_site):
    """GIVEN a CSRF token and session cookie from a GET WHEN a 70 KB form (several
    FastCGI STDIN records) is POSTed through wfastcgi THEN the app reads the form:
    the session now acts as the posted account."""
    page = wfastcgi_dev_site.request("GET", "/dev/act-as")
    assert page.status == 200, page.text[:300] + page.stderr
    inputs = InputValues()
    inputs.feed(page.text)
    cookie = page.set_cookies[0].split(";", 1)[0]
    body = urlencode(
        {
            "csrf_token": inputs.values["csrf_token"],
            "login": "CONTOSO\\pchen",
            "note": "x" * 70_000,
        }
    ).encode()
    posted = wfastcgi_dev_site.request(
        "POST",
        "/dev/act-as",
        body=body,
        content_type="application/x-www-form-urlencoded",
        headers={"Cookie": cookie},
    )
    assert posted.status == 302, posted.text[:300] + posted.stderr
    cookie = posted.set_cookies[0].split(";", 1)[0]
    data = _whoami(
        wfastcgi_dev_site.request(
            "GET", "/whoami", headers={"Cookie": cookie, "Accept": "application/json"}
        )
    )
    assert (data["login"], data["source"]) == ("CONTOSO\\pchen", "development act-as")


def test_wfastcgi_loop_app_reads_site_owned_folders_named_in_web_config(tmp_path):
    """GIVEN web.config naming a site folder (settings: the starter files; models: a
    copy of the generated package without the sales schema) WHEN the app starts under
    wfastcgi THEN it serves from those folders, not from the install folder's own."""
    site_data = tmp_path / "ProgramData"
    shutil.copytree(REPO / "iis" / "site" / "settings", site_data / "settings")
    access = site_data / "settings" / "access.toml"
    access.write_text(
        access.read_text("utf-8").replace("{INSTALLING_ADMIN}", "CONTOSO\\\\jdoe"),
        "utf-8",
    )
    models = site_data / "models"
    shutil.copytree(
        REPO / "app" / "models" / "generated",
        models,
        ignore=shutil.ignore_patterns("__pycache__", "sales.py"),
    )
    init = models / "__init__.py"
    init.write_text(
        "from app.models.generated import hr\nfrom app.models.generated import ops\n",
        "utf-8",
    )
    process = WfastcgiProcess(
        tmp_path,
        site_settings={
            "TABLEFRONT_SETTINGS_DIR": str(site_data / "settings"),
            "TABLEFRONT_MODELS_DIR": str(models),
        },
    )
    try:
        response = process.request("GET", "/whoami", remote_user=JDOE)
        assert response.status == 200, response.text[:500] + process.stderr()
    finally:
        process.close()
    log = (tmp_path / "logs" / "tablefront.log").read_text("utf-8")
    # hr (5) and ops (6) only: the demo's 16 would mean the bundled models.
    assert re.search(r"catalog: (\d+) tables, settings from (\S+)", log).groups() == (
        "11",
        str(site_data / "settings" / "tables.toml"),
    )
    assert f"access settings {access}" in log
