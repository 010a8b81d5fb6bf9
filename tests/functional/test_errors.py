"""Error pages: HTML or JSON, a request id that is also in the log, no tracebacks."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import abort, request
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.errors import AppError
from tests.html import by_testid, text_of

SIGNED_IN = {"REMOTE_USER": "CONTOSO\\jdoe"}
SECRET_MARKERS = (
    "Traceback",
    'File "',
    "SELECT secret",
    "sqlalchemy",
    "OperationalError",
)


def _fail_with(error: Exception):
    def view():
        raise error

    return view


@pytest.fixture
def error_app(make_app):
    """An app with test-only routes that fail in each way the real app can."""
    app = make_app(TABLEFRONT_MAX_UPLOAD_MB="1")
    app.add_url_rule("/boom/400", "b400", lambda: abort(400))
    app.add_url_rule("/boom/403", "b403", _fail_with(AppError(403)))
    app.add_url_rule(
        "/boom/500", "b500", _fail_with(ZeroDivisionError("secret detail"))
    )
    app.add_url_rule(
        "/boom/503",
        "b503",
        _fail_with(OperationalError("SELECT secret FROM t", {}, Exception("down"))),
    )
    app.add_url_rule(
        "/boom/sql",
        "bsql",
        _fail_with(ProgrammingError("SELECT secret FROM t", {}, Exception("bad"))),
    )
    app.add_url_rule(
        "/boom/upload", "bup", lambda: str(len(request.files)), methods=["POST"]
    )
    return app


CASES = [
    ("GET", "/boom/400", 400, "Bad request"),
    ("GET", "/boom/403", 403, "Not allowed"),
    ("GET", "/no/such/page", 404, "Not found"),
    ("DELETE", "/whoami", 405, "Method not allowed"),
    ("GET", "/boom/500", 500, "Something went wrong"),
    ("GET", "/boom/503", 503, "Database unavailable"),
    ("GET", "/boom/sql", 500, "Something went wrong"),
]


@pytest.mark.parametrize(("method", "path", "status", "title"), CASES)
def test_error_page_html_has_title_and_request_id_and_no_internals(
    error_app, method, path, status, title
):
    """GIVEN a route that fails WHEN a browser asks THEN an HTML page with the title
    and a request id answers, without traceback or SQL."""
    response = error_app.test_client().open(path, method=method, environ_base=SIGNED_IN)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert title in text_of(response, "error")
    assert re.fullmatch(r"[0-9a-f]{12}", text_of(response, "request-id"))
    body = response.get_data(as_text=True)
    assert not any(marker in body for marker in SECRET_MARKERS)


@pytest.mark.parametrize(("method", "path", "status", "title"), CASES)
def test_error_json_when_client_asks_for_json(error_app, method, path, status, title):
    """GIVEN a client that accepts JSON WHEN a route fails THEN the error is JSON."""
    response = error_app.test_client().open(
        path,
        method=method,
        environ_base=SIGNED_IN,
        headers={"Accept": "application/json"},
    )
    assert response.status_code == status
    error = response.json["error"]
    assert (error["status"], error["title"]) == (status, title)
    assert "secret" not in response.get_data(as_text=True)


def test_401_page_as_json(error_app):
    """GIVEN no identity and a JSON client WHEN a page is asked THEN a JSON 401."""
    response = error_app.test_client().get("/", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json["error"]["title"] == "Not signed in"


def test_413_upload_over_limit_names_the_limit(error_app):
    """GIVEN a 1 MB upload limit WHEN 2 MB are posted THEN 413 names the limit."""
    error_app.config["WTF_CSRF_ENABLED"] = False
    upload = {"file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "big.csv")}
    response = error_app.test_client().post(
        "/boom/upload", data=upload, environ_base=SIGNED_IN
    )
    assert response.status_code == 413
    assert "1 MB" in text_of(response, "error")


def test_405_lists_allowed_methods(error_app):
    """GIVEN a GET-only route WHEN DELETE is sent THEN 405 carries an Allow header."""
    response = error_app.test_client().delete("/whoami", environ_base=SIGNED_IN)
    assert "GET" in response.headers["Allow"]


def test_500_traceback_goes_to_log_with_the_request_id(error_app):
    """GIVEN an unexpected exception WHEN it happens THEN the log holds the traceback
    under the same request id the page shows."""
    response = error_app.test_client().get("/boom/500", environ_base=SIGNED_IN)
    request_id = text_of(response, "request-id")
    log_text = Path(error_app.extensions["tablefront_log_file"]).read_text("utf-8")
    assert f"[{request_id}]" in log_text
    assert "ZeroDivisionError: secret detail" in log_text
    assert "Traceback" in log_text


def test_csrf_missing_token_is_400_with_explanation(make_app):
    """GIVEN CSRF protection WHEN a form is posted without a token THEN 400 says why."""
    app = make_app()
    app.add_url_rule("/form", "form", lambda: "saved", methods=["POST"])
    response = app.test_client().post("/form", data={"x": "1"}, environ_base=SIGNED_IN)
    assert response.status_code == 400
    assert "security token" in by_testid(response, "error").get_text()
