"""SQL Server failure paths, for real: pyodbc + unixODBC + FreeTDS against 127.0.0.1."""

from __future__ import annotations

import time
from html.parser import HTMLParser

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from app.dbstatus import explain_connect_error
from app.extensions import db
from config import ConfigError
from tests.engine.conftest import mssql_url

pytestmark = [pytest.mark.odbc, pytest.mark.usefixtures("freetds")]

LOGIN_TIMEOUT = 1


class TextOf(HTMLParser):
    """Collect the text of the page's <h1> and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.current: str | None = None
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        self.current = tag if tag in {"h1", "title"} else None

    def handle_data(self, data):
        if self.current and data.strip():
            self.found.setdefault(self.current, data.strip())


def page_heading(html: str) -> str:
    parser = TextOf()
    parser.feed(html)
    return parser.found.get("h1", "")


def mssql_app(make_app, port: int, **settings: str):
    """A testing app on SQL Server at 127.0.0.1:port, plus a page that reads a row."""
    app = make_app(
        TABLEFRONT_DATABASE_URL=mssql_url(port),
        TABLEFRONT_DB_LOGIN_TIMEOUT=str(LOGIN_TIMEOUT),
        TABLEFRONT_PUBLIC_HEALTH="1",
        **settings,
    )

    def first_employee():
        return {"n": db.session.execute(text("SELECT 1")).scalar()}

    app.add_url_rule("/test-only/db-page", "test_db_page", first_employee)
    return app


def timed_get(client, path: str, **kw):
    started = time.perf_counter()
    response = client.get(path, **kw)
    return response, time.perf_counter() - started


def test_ready_closed_port_answers_503_within_a_second(make_app, closed_port):
    """GIVEN nothing listens on the port WHEN /health/ready THEN 503 in under 1 s."""
    client = mssql_app(make_app, closed_port).test_client()
    response, elapsed = timed_get(client, "/health/ready")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert elapsed < 1.0


def test_page_closed_port_renders_database_unavailable_within_a_second(
    make_app, closed_port
):
    """GIVEN nothing listens WHEN a page reads the DB THEN the 503 page in under 1 s."""
    client = mssql_app(make_app, closed_port).test_client()
    response, elapsed = timed_get(
        client, "/test-only/db-page", environ_base={"REMOTE_USER": "CONTOSO\\jdoe"}
    )
    assert response.status_code == 503
    assert page_heading(response.get_data(as_text=True)) == "Database unavailable"
    assert elapsed < 1.0


def test_ready_silent_listener_answers_503_within_login_timeout(
    make_app, silent_listener
):
    """GIVEN a silent server WHEN /health/ready THEN 503 near the login timeout."""
    client = mssql_app(make_app, silent_listener).test_client()
    response, elapsed = timed_get(client, "/health/ready")
    assert response.status_code == 503
    # pool_pre_ping does not retry a connection that was never made: one login wait.
    assert LOGIN_TIMEOUT * 0.8 <= elapsed < LOGIN_TIMEOUT + 1.0


def test_page_silent_listener_renders_503_within_login_timeout(
    make_app, silent_listener
):
    """GIVEN a server that never answers WHEN a page reads THEN 503 near the timeout."""
    client = mssql_app(make_app, silent_listener).test_client()
    response, elapsed = timed_get(
        client, "/test-only/db-page", environ_base={"REMOTE_USER": "CONTOSO\\jdoe"}
    )
    assert response.status_code == 503
    assert page_heading(response.get_data(as_text=True)) == "Database unavailable"
    assert elapsed < LOGIN_TIMEOUT + 1.0


def test_create_app_unknown_odbc_driver_fails_with_installed_list(
    make_app, closed_port
):
    """GIVEN a driver unixODBC lacks WHEN the app starts THEN a clear ConfigError."""
    with pytest.raises(ConfigError) as raised:
        make_app(
            TABLEFRONT_DATABASE_URL=mssql_url(
                closed_port, "ODBC Driver 99 for SQL Server"
            )
        )
    message = str(raised.value)
    assert "'ODBC Driver 99 for SQL Server' is not installed" in message
    assert "FreeTDS" in message  # what is installed, to pick from
    assert "TABLEFRONT_DB_DRIVER" in message


def test_explain_connect_error_unknown_driver_names_the_setting(closed_port):
    """GIVEN unixODBC lacks the driver WHEN connecting THEN the reason names it."""
    engine = create_engine(mssql_url(closed_port, "Gone Driver"))
    with pytest.raises(DBAPIError) as raised:
        engine.connect()
    assert "ODBC driver" in explain_connect_error(raised.value)
    assert "TABLEFRONT_DB_DRIVER" in explain_connect_error(raised.value)


def test_db_status_closed_port_reports_unreachable_and_exits_1(make_app, closed_port):
    """GIVEN nothing listens WHEN `flask tablefront db status` THEN FAILED, exit 1."""
    app = mssql_app(make_app, closed_port)
    result = app.test_cli_runner().invoke(args=["tablefront", "db", "status"])
    assert result.exit_code == 1
    assert "ODBC driver: FreeTDS (installed)" in result.output
    assert "connection: FAILED: the server could not be reached" in result.output


REAL_PAGES = [
    ("GET", "/t/hr/employees"),
    ("GET", "/t/hr/employees?q=Ad"),
    ("GET", "/t/hr/employees/10"),
    ("GET", "/t/hr/employees/10/edit"),
    ("POST", "/t/hr/employees/10/edit"),
    ("GET", "/t/hr/employees/-/export.csv"),
    ("GET", "/audit"),
]


@pytest.mark.parametrize(("method", "path"), REAL_PAGES)
def test_real_pages_answer_database_unavailable_when_server_is_down(
    make_app, closed_port, method, path
):
    """GIVEN the SQL Server is down (nothing listens) and an admin signed in
    WHEN they open a list, search, detail, edit form, save, export or the audit log
    THEN each answers the 503 "Database unavailable" page in under a second, never a
    traceback."""
    app = mssql_app(make_app, closed_port, TABLEFRONT_TEST_CSRF="0")
    client = app.test_client()
    started = time.perf_counter()
    response = client.open(
        path,
        method=method,
        data={"f_first_name": "x"} if method == "POST" else None,
        environ_base={"REMOTE_USER": "CONTOSO\\amorgan"},
    )
    elapsed = time.perf_counter() - started
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:800]
    assert page_heading(body) == "Database unavailable"
    assert "Traceback" not in body
    assert elapsed < 1.0
