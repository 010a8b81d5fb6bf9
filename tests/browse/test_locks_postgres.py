"""Real lock waits and a real deadlock on PostgreSQL (marker ``postgres``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from app.data.db_errors import Deadlock
from app.extensions import db
from tests.browse.shop import ACCESS_TOML, install_shop
from tests.html import by_testid, soup

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(make_app, tmp_path, pg_database) -> Iterator[Flask]:
    """The shop on a fresh PostgreSQL database, statements timing out after 1 s."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    url = pg_database.render_as_string(hide_password=False)
    app = make_app(
        TABLEFRONT_ACCESS_FILE=str(access),
        TABLEFRONT_DATABASE_URL=url,
        TABLEFRONT_DB_QUERY_TIMEOUT="1",
    )
    install_shop(app, tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def locker(pg_database) -> Iterator:
    """A second session that takes locks and holds them until the test ends."""
    engine = create_engine(pg_database)
    conn = engine.connect()
    yield conn
    conn.rollback()
    conn.close()
    engine.dispose()


def _client(app: Flask):
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": "CONTOSO\\jdoe"})
    return client


def test_postgres_locked_table_home_shows_count_unavailable_and_the_rest(
    pg_app, locker
):
    """GIVEN another session holding an ACCESS EXCLUSIVE lock on shop.events
    WHEN the home page is opened
    THEN it answers within seconds, events "count unavailable", items 45."""
    locker.execute(text("LOCK TABLE shop.events IN ACCESS EXCLUSIVE MODE"))
    started = time.monotonic()
    response = _client(pg_app).get("/")
    assert response.status_code == 200
    assert time.monotonic() - started < 8
    doc = soup(response)
    events = doc.select_one('[data-table="shop.events"]')
    items = doc.select_one('[data-table="shop.items"]')
    assert events.select_one('[data-testid="table-count-unavailable"]')
    assert items.select_one('[data-testid="table-count"]').get_text() == "45"


def test_postgres_lock_wait_past_the_query_timeout_answers_busy(pg_app, locker):
    """GIVEN another session holding an ACCESS EXCLUSIVE lock on shop.items
    WHEN the items list waits past the 1 s statement timeout (57014)
    THEN 503 "Database busy" with Retry-After, not "Database unavailable"."""
    locker.execute(text("LOCK TABLE shop.items IN ACCESS EXCLUSIVE MODE"))
    response = _client(pg_app).get("/t/shop/items")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    title = by_testid(response, "error").select_one("h1").get_text(strip=True)
    assert title == "Database busy"


def test_postgres_deadlock_is_raised_as_deadlock(pg_app):
    """GIVEN two sessions of the app's engine updating two categories in opposite
    order
    WHEN PostgreSQL detects the deadlock (40P01)
    THEN the victim's error reaches the app as Deadlock (and the other commits)."""
    with pg_app.app_context():
        engine = db.engine
    barrier = threading.Barrier(2)
    outcome: dict[str, BaseException | None] = {}

    def run(name: str, first: int, second: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
                update = "UPDATE shop.categories SET name = name WHERE category_id = "
                conn.execute(text(update + str(first)))
                barrier.wait(timeout=5)
                conn.execute(text(update + str(second)))
            outcome[name] = None
        except BaseException as exc:  # the victim's error is the result
            outcome[name] = exc

    threads = [
        threading.Thread(target=run, args=("a", 1, 2)),
        threading.Thread(target=run, args=("b", 2, 1)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    errors = [e for e in outcome.values() if e is not None]
    assert len(outcome) == 2 and len(errors) == 1
    assert isinstance(errors[0], Deadlock)


def test_postgres_exact_count_under_a_lock_gives_up_quietly(pg_app, locker):
    """GIVEN another session holding an ACCESS EXCLUSIVE lock on shop.items
    WHEN an exact count with a 0.5 s deadline runs
    THEN it gives up (None) instead of answering "busy" for the whole page."""
    from app.data.counts import exact_count

    locker.execute(text("LOCK TABLE shop.items IN ACCESS EXCLUSIVE MODE"))
    with pg_app.test_request_context():
        from app.catalog import get_catalog

        table = get_catalog().get("shop.items").table
        assert exact_count(table, [], seconds=0.5) is None
