"""The feed read by python-odata (PyPI), a client nobody here wrote, over HTTP, on
a 1,000,000-row table with a composite key (tests/odata/million.py, cached).

python-odata reflects ``$metadata`` into entity classes, sends ``$filter`` and
follows ``@odata.nextLink`` to the end, building one typed entity object per row.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.access.bypass_world import ADMIN_LOGIN, access_toml
from tests.odata.million import EMPLOYEES, ROWS, million_template

odata = pytest.importorskip("odata")
requests = pytest.importorskip("requests")


@pytest.fixture
def served(make_app, tmp_path, test_environ) -> Iterator[str]:
    """The million-row world on a real HTTP port, signed in as the admin, with the
    feed's budget and row cap above one full read."""
    db_dir = Path(test_environ["TABLEFRONT_EMBEDDED_DB_DIR"])
    shutil.copytree(million_template(), db_dir, dirs_exist_ok=True)
    access = tmp_path / "bypass-access.toml"
    access.write_text(access_toml(), encoding="utf-8")
    app = make_app(
        TABLEFRONT_ACCESS_FILE=str(access),
        TABLEFRONT_EXPORT_MAX_ROWS=str(2 * ROWS),
        TABLEFRONT_ODATA_BURST="100000",
        TABLEFRONT_ODATA_REQUESTS_PER_MINUTE="100000",
    )

    def signed_in(environ, start_response):
        environ["REMOTE_USER"] = ADMIN_LOGIN
        return app.wsgi_app(environ, start_response)

    server = make_server("127.0.0.1", 0, signed_in, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/odata/"
    server.shutdown()


def _service(url: str):
    """python-odata's service, its entity classes reflected from $metadata."""
    return odata.ODataService(url, reflect_entities=True, session=requests.Session())


def test_feed_client_filtered_typed_rows_each_once(served):
    """GIVEN 1,000,000 employee skills WHEN python-odata reads $metadata and
    queries employee_id le 200 THEN it pages through nextLink to every matching row
    exactly once, with typed integers and Booleans (python-odata 0.8 has no
    Edm.Date or Edm.Byte: it keeps those as the ISO text and the number)."""
    service = _service(served)
    Skill = service.entities["hr_employee_skills"]
    rows = list(service.query(Skill).filter(Skill.employee_id <= 200))
    keys = [(r.employee_id, r.skill_id) for r in rows]
    expected = {(e, s) for e in range(1, 201) for s in range(1, EMPLOYEES + 1)}
    assert len(keys) == len(expected) == 200_000
    assert set(keys) == expected
    first = rows[0]
    assert (first.employee_id, first.certified, first.level) == (1, False, 1)
    assert dt.date.fromisoformat(first.assessed_on) == dt.date(2020, 1, 1)


def test_feed_client_reads_every_row_of_a_million_once(served):
    """GIVEN 1,000,000 employee skills WHEN python-odata follows nextLink from the
    first page to the last THEN it gets each of the 1,000,000 rows exactly once."""
    service = _service(served)
    Skill = service.entities["hr_employee_skills"]
    started = time.perf_counter()
    keys = {(r.employee_id, r.skill_id) for r in service.query(Skill)}
    seconds = time.perf_counter() - started
    print(f"python-odata read {len(keys):,} rows in {seconds:.1f} s")
    assert len(keys) == ROWS
    assert min(keys) == (1, 1) and max(keys) == (EMPLOYEES, EMPLOYEES)
