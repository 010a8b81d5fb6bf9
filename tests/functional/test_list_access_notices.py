"""The list says what access takes away, and never names a hidden column."""

from __future__ import annotations

import json

import pytest

from tests.functional.demo_world import ADMIN, EMPLOYEE, build_demo_app
from tests.html import soup, text_of

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    return build_demo_app(tmp_path_factory.mktemp("notices"))


def _client(app, login: str):
    client = app.test_client()
    client.environ_base["REMOTE_USER"] = login
    return client


def test_list_row_filter_notice_reads_the_rule(demo_app):
    """GIVEN an employee who may read only the tickets they opened
    WHEN the tickets list is shown
    THEN it says "Showing only tickets you opened (your access)"."""
    page = _client(demo_app, EMPLOYEE).get("/t/ops/tickets")
    assert text_of(page, "row-notice") == (
        "Showing only tickets you opened (your access)."
    )


def test_list_no_row_filter_has_no_notice(demo_app):
    """GIVEN the admin, who reads every ticket
    WHEN the tickets list is shown
    THEN there is no access notice."""
    page = soup(_client(demo_app, ADMIN).get("/t/ops/tickets"))
    assert page.select('[data-testid="access-notices"]') == []


def test_list_hidden_columns_counted_not_named_in_html(demo_app):
    """GIVEN an employee from whom access hides salary and notes of employees
    WHEN the employees list is shown
    THEN it says "2 columns are hidden by your access" and neither name appears."""
    page = _client(demo_app, EMPLOYEE).get("/t/hr/employees")
    assert text_of(page, "hidden-notice") == "2 columns are hidden by your access."
    html = page.get_data(as_text=True).lower()
    assert "salary" not in html
    doc = soup(page)
    assert doc.select('[data-column="notes"], option[value="notes"]') == []


def test_list_hidden_columns_counted_not_named_in_json(demo_app):
    """GIVEN the same employee
    WHEN the employees list is read as JSON
    THEN it carries the notice and no hidden column's name anywhere."""
    data = _client(demo_app, EMPLOYEE).get("/t/hr/employees", headers=JSON)
    view = data.get_json()
    assert view["hidden_notice"] == "2 columns are hidden by your access"
    assert view["row_notice"] == ""
    text = json.dumps(view).lower()
    assert "salary" not in text
    assert '"notes"' not in text
