"""The feed read by python-odata (PyPI), a client nobody here wrote, over HTTP.

python-odata reflects ``$metadata`` into entity classes, sends ``$filter`` and
follows ``@odata.nextLink`` to the end. The table gets 200,000 extra employees
(1M rows takes minutes to insert and read through the client's per-row objects on
this machine; the paging code is the same).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import insert
from werkzeug.serving import make_server

from app.extensions import db
from tests.access.bypass_world import ADMIN_LOGIN

odata = pytest.importorskip("odata")
requests = pytest.importorskip("requests")

EXTRA_ROWS = 200_000


def _add_employees(app, count: int) -> None:
    table = db.metadata.tables["hr.employees"]
    rows = [
        {
            "employee_id": 1000 + i,
            "login": f"CONTOSO\\bulk{i}",
            "first_name": f"Bulk{i % 97}",
            "last_name": f"Person{i}",
            "email": f"bulk{i}@contoso.example",
            "job_title": "Clerk",
            "department_id": 1 + i % 3,
            "is_active": True,
            "hire_date": dt.date(2021, 1, 1),
            "employee_guid": uuid.UUID(int=1000 + i),
            "site_id": 1,
            "modified_at": dt.datetime(2030, 1, 2),
        }
        for i in range(count)
    ]
    with app.app_context(), db.engine.begin() as connection:
        for start in range(0, count, 20_000):
            connection.execute(insert(table), rows[start : start + 20_000])


@pytest.fixture
def served(world) -> Iterator[str]:
    """The world's app on a real HTTP port, every request signed in as the admin."""
    _add_employees(world, EXTRA_ROWS)

    def signed_in(environ, start_response):
        environ["REMOTE_USER"] = ADMIN_LOGIN
        return world.wsgi_app(environ, start_response)

    server = make_server("127.0.0.1", 0, signed_in)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/odata/"
    server.shutdown()


def test_feed_client_follows_next_link_to_every_filtered_row_once(served):
    """GIVEN 200,005 employees WHEN python-odata reads $metadata and queries
    department_id eq 2 THEN it pages through nextLink and gets each matching row
    exactly once."""
    service = odata.ODataService(
        served, reflect_entities=True, session=requests.Session()
    )
    Employee = service.entities["hr_employees"]
    query = service.query(Employee).filter(Employee.department_id == 2)
    ids = [e.employee_id for e in query]
    expected = {3, 4, 2} | {1000 + i for i in range(EXTRA_ROWS) if 1 + i % 3 == 2}
    assert len(ids) == len(expected)
    assert set(ids) == expected
