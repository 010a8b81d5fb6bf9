"""Feed limits and logs: the per-user budget, the export row cap, the access line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from flask import Flask

from app.odata.budget import Budget
from tests.access.bypass_world import ADMIN_LOGIN, PEOPLE, STAFF_LOGIN, access_toml
from tests.odata.conftest import client_for


@pytest.fixture
def limited(make_app, tmp_path, test_environ, template_db):
    """An app over the bypass world with some settings overridden."""

    def make(**settings: str) -> Flask:
        db_dir = Path(test_environ["TABLEFRONT_EMBEDDED_DB_DIR"])
        shutil.copytree(template_db, db_dir, dirs_exist_ok=True)
        path = tmp_path / "access.toml"
        path.write_text(access_toml(), encoding="utf-8")
        return make_app(TABLEFRONT_ACCESS_FILE=str(path), **settings)

    return make


def test_budget_empty_bucket_waits_for_refill():
    """GIVEN 60/min and a burst of 2 WHEN three requests come at once
    THEN the third waits one second; a second later it passes."""
    budget = Budget(60, 2)
    assert budget.take("u", now=0.0) == 0
    assert budget.take("u", now=0.0) == 0
    assert budget.take("u", now=0.0) == pytest.approx(1.0)
    assert budget.take("u", now=1.0) == 0


def test_feed_over_budget_is_429_with_retry_after_per_user(limited):
    """GIVEN a burst of 3 WHEN the admin sends 4 feed requests THEN the 4th is 429
    with Retry-After, and another user is not affected."""
    app = limited(TABLEFRONT_ODATA_BURST="3", TABLEFRONT_ODATA_REQUESTS_PER_MINUTE="1")
    admin = client_for(app, ADMIN_LOGIN)
    statuses = [admin.get("/odata/hr_employees").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = admin.get("/odata/hr_employees")
    assert int(refused.headers["Retry-After"]) >= 1
    assert json.loads(refused.data)["error"]["code"] == "TooManyRequests"
    assert client_for(app, STAFF_LOGIN).get("/odata/").status_code == 200


def test_feed_export_row_cap_ends_the_feed(limited):
    """GIVEN an export cap of 3 rows WHEN the admin pages 2 rows at a time
    THEN the feed ends after 3 rows with no further nextLink."""
    app = limited(TABLEFRONT_EXPORT_MAX_ROWS="3")
    admin = client_for(app, ADMIN_LOGIN)
    url, seen = "/odata/hr_employees", []
    while url:
        page = json.loads(
            admin.get(url, headers={"Prefer": "odata.maxpagesize=2"}).data
        )
        seen += [r["employee_id"] for r in page["value"]]
        url = page.get("@odata.nextLink", "").removeprefix("http://localhost")
    assert len(seen) == 3 < len(PEOPLE)


def test_feed_access_log_line_has_user_and_query(limited, caplog):
    """GIVEN a feed request WHEN logged THEN the access line names user and query."""
    app = limited()
    client_for(app, ADMIN_LOGIN).get("/odata/hr_employees?$filter=employee_id eq 2")
    lines = [r.getMessage() for r in caplog.records if r.name == "tablefront.access"]
    assert any("CONTOSO\\amorgan" in x and "$filter=employee_id" in x for x in lines)
