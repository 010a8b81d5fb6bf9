"""A SQL Server that trickles its login reply: real pyodbc + FreeTDS against 127.0.0.1.

The driver's 2 s login timeout restarts on every byte, so only the connect deadline
(app/connect_guard.py) bounds the page, and the breaker makes the next ones instant.
"""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from waitress.server import create_server

from app.extensions import db
from tests.engine.conftest import mssql_url
from tests.engine.test_mssql_failures import page_heading

pytestmark = [pytest.mark.odbc, pytest.mark.usefixtures("freetds")]

LOGIN_TIMEOUT = 2  # the driver's per-packet timeout, as in the report
# Below a second: with all 8 workers on slow pages, /health waits for the first
# worker the deadline frees, so the deadline is what bounds its answer.
DEADLINE = 0.8
# Rendering and logging ten 503 pages at once costs up to a second more on a loaded
# 2-core machine; without the deadline these pages take 12 s (the whole trickle).
MARGIN = 1.0
USER = {"REMOTE_USER": "CONTOSO\\jdoe"}


def slow_app(make_app, port: int, **settings: str):
    """A testing app on the fake server at 127.0.0.1:port, with a page that reads."""
    app = make_app(
        TABLEFRONT_DATABASE_URL=mssql_url(port),
        TABLEFRONT_DB_LOGIN_TIMEOUT=str(LOGIN_TIMEOUT),
        TABLEFRONT_DB_CONNECT_DEADLINE=str(DEADLINE),
        TABLEFRONT_PUBLIC_HEALTH="1",
        **settings,
    )

    def db_page():
        return {"n": db.session.execute(text("SELECT 1")).scalar()}

    app.add_url_rule("/test-only/db-page", "test_db_page", db_page)
    return app


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def test_page_trickling_server_answers_503_within_connect_deadline(
    make_app, trickling_server
):
    """GIVEN a server that trickles its login reply a byte a second (2 s login timeout)
    WHEN a page reads the database
    THEN the 503 "Database unavailable" page comes within the connect deadline."""
    client = slow_app(make_app, trickling_server.port).test_client()
    response, elapsed = timed(
        lambda: client.get("/test-only/db-page", environ_base=USER)
    )
    assert response.status_code == 503
    assert page_heading(response.get_data(as_text=True)) == "Database unavailable"
    assert elapsed < DEADLINE + MARGIN


@pytest.fixture
def served(make_app, trickling_server):
    """The app behind a real waitress with 8 threads, as on a server; its base URL."""
    app = slow_app(make_app, trickling_server.port)

    def signed_in(environ, start_response):
        if environ["PATH_INFO"] != "/health":
            environ["REMOTE_USER"] = USER["REMOTE_USER"]  # as IIS would
        return app(environ, start_response)

    server = create_server(signed_in, host="127.0.0.1", port=0, threads=8)

    def serve() -> None:
        # close() from the test's thread pulls the socket from under the loop.
        with contextlib.suppress(OSError, ValueError):
            server.run()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    server.task_dispatcher.shutdown()


def http_status(url: str, timeout: float = 30.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_ten_concurrent_pages_trickling_server_finish_within_deadline(
    served, trickling_server
):
    """GIVEN the app behind waitress (8 threads) and a trickling server
    WHEN ten pages read the database at once
    THEN all ten answer 503 within one connect deadline (the two that waited for a
    worker fail fast: the breaker is open by then)."""
    with ThreadPoolExecutor(10) as pool:
        started = time.perf_counter()
        statuses = list(
            pool.map(lambda _: http_status(f"{served}/test-only/db-page"), range(10))
        )
        elapsed = time.perf_counter() - started
    assert statuses == [503] * 10
    assert trickling_server.accepted >= 8  # every worker's page tried the server
    assert elapsed < DEADLINE + MARGIN


def test_health_during_ten_slow_pages_answers_within_a_second(served, trickling_server):
    """GIVEN ten pages waiting on a trickling server behind waitress (8 threads)
    WHEN /health is asked meanwhile
    THEN it answers 200 in under a second (it waits at most one deadline for a
    worker)."""
    with ThreadPoolExecutor(11) as pool:
        pages = [
            pool.submit(http_status, f"{served}/test-only/db-page") for _ in range(10)
        ]
        time.sleep(0.3)  # the pages hold the workers now
        status, elapsed = timed(lambda: http_status(f"{served}/health", timeout=5))
        for page in pages:
            page.result()
    assert status == 200
    assert elapsed < 1.0


def breaker_app(make_app, port: int):
    """An app whose breaker opens after two failed connects."""
    return slow_app(
        make_app,
        port,
        TABLEFRONT_DB_BREAKER_FAILURES="2",
        TABLEFRONT_DB_BREAKER_WINDOW="60",
        TABLEFRONT_DB_BREAKER_OPEN_SECONDS="60",
    )


def test_page_after_breaker_opens_answers_503_within_100_ms(make_app, trickling_server):
    """GIVEN two pages failed to connect to a trickling server (breaker threshold 2)
    WHEN the next page reads the database
    THEN it answers the 503 page in under 100 ms without touching the server."""
    client = breaker_app(make_app, trickling_server.port).test_client()
    for _ in range(2):
        assert client.get("/test-only/db-page", environ_base=USER).status_code == 503
    response, elapsed = timed(
        lambda: client.get("/test-only/db-page", environ_base=USER)
    )
    assert response.status_code == 503
    assert page_heading(response.get_data(as_text=True)) == "Database unavailable"
    assert elapsed < 0.1
    assert trickling_server.accepted == 2


def test_ready_breaker_open_reports_open_at_once(make_app, trickling_server):
    """GIVEN the breaker opened after two failed connects
    WHEN /health/ready is asked
    THEN it answers 503 at once and reports the breaker open with the retry delay;
    /health itself still answers 200."""
    client = breaker_app(make_app, trickling_server.port).test_client()
    for _ in range(2):
        client.get("/test-only/db-page", environ_base=USER)
    response, elapsed = timed(lambda: client.get("/health/ready"))
    assert response.status_code == 503
    breaker = response.get_json()["breaker"]
    assert breaker["state"] == "open"
    assert 0 < breaker["retry_in"] <= 60
    assert elapsed < 0.1
    assert client.get("/health").status_code == 200
