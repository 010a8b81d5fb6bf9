"""The feed when the database fails: OData errors (never an HTML page or a
traceback), Retry-After when it is busy, and a page SQLite refuses to write as JSON
served by the Python writer."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import OperationalError

from app.data.db_errors import TransientError
from tests.access.bypass_world import ADMIN_LOGIN
from tests.odata.conftest import client_for
from tests.odata.json_values import parsed

SECRET = "password=hunter2 at line 42"


def _odata_error(response) -> dict:
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"])
    assert SECRET not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    return body["error"]


def _failing(monkeypatch, exc: Exception) -> None:
    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr("app.odata.views.feed_page", fail)


def _unreachable() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception(SECRET))


@pytest.mark.parametrize(
    ("make", "status", "retry"),
    [
        (_unreachable, 503, None),
        (lambda: TransientError(_unreachable()), 503, "5"),
        (lambda: RuntimeError(SECRET), 500, None),
    ],
    ids=["unreachable", "busy", "bug"],
)
def test_feed_failure_is_an_odata_error(world, monkeypatch, make, status, retry):
    """GIVEN the database unreachable, busy (a lock wait), or a bug in the feed
    WHEN Excel (Accept: application/json) or a bare client reads an entity set
    THEN the answer is the status the pages give, in the OData error format, with
    Retry-After when busy, and nothing of the exception's text."""
    _failing(monkeypatch, make())
    client = client_for(world, ADMIN_LOGIN)
    for headers in ({"Accept": "application/json"}, {}):
        response = client.get("/odata/hr_employees", headers=headers)
        assert response.status_code == status
        _odata_error(response)
        assert response.headers.get("Retry-After") == retry
        assert response.headers["OData-Version"] == "4.0"


def test_feed_post_is_405_with_allow(world):
    """GIVEN the feed, which only reads WHEN a client POSTs to an entity set THEN
    405 with the allowed methods (writes go to /api/), and no traceback."""
    response = client_for(world, ADMIN_LOGIN).post("/odata/hr_employees", json={})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_feed_page_sqlite_refuses_as_json_is_served_by_python(world):
    """GIVEN a BLOB stored in a text column of the embedded database (a writer
    going around the app) WHEN the entity set is read with the database writing the
    rows THEN SQLite's refusal is not the user's problem: the page is served, the
    same as the Python writer's."""
    from app.extensions import db

    with world.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE hr.employees SET first_name = X'00FF41' WHERE employee_id = "
            "(SELECT min(employee_id) FROM hr.employees)"
        )
    client = client_for(world, ADMIN_LOGIN)
    url = "/odata/hr_employees?$top=3&$select=employee_id,first_name"
    pages = []
    for on in (True, False):
        world.config["ODATA_DB_JSON"] = on
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        pages.append(parsed(response.data))
    world.config["ODATA_DB_JSON"] = True
    assert pages[0] == pages[1]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("POST", "/odata/hr_employees", 405, "MethodNotAllowed"),
        ("DELETE", "/odata/", 405, "MethodNotAllowed"),
        ("PUT", "/odata/$metadata", 405, "MethodNotAllowed"),
    ],
    ids=["post-to-a-set", "delete-the-service", "put-metadata"],
)
def test_routing_error_under_odata_is_an_odata_error(world, method, path, status, code):
    """GIVEN a request that Flask's routing refuses before any blueprint is chosen
    (a method the read-only feed does not take)
    WHEN a client sends it under /odata
    THEN the answer is a 405 in the OData error format, with Allow, not the app's
    HTML error page."""
    client = client_for(world, ADMIN_LOGIN)
    response = client.open(path, method=method)
    assert response.status_code == status
    assert _odata_error(response)["code"] == code
    assert "GET" in response.headers["Allow"]


def test_pages_outside_odata_keep_the_html_error_page(world):
    """GIVEN the OData error format registered for /odata
    WHEN a page outside it (a prefix look-alike included) is not found
    THEN the app's HTML error page answers."""
    client = client_for(world, ADMIN_LOGIN)
    for path in ("/odatax", "/t/hr/no_such_table"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.mimetype == "text/html"
