"""The JSON form of the list, detail and home views keeps the access policy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.access import test_bypass as bypass
from tests.access.test_bypass import (
    HIDDEN_COLUMN_PARAMS,
    HIDDEN_EMPLOYEE_COLUMNS,
    INVISIBLE_ROWS,
    JSON,
    TABLE_CASES,
    VISIBLE_PEOPLE,
    employee_url,
    hidden_needles,
)

# The bypass tests' world (tests/access/bypass_world.py) and its two callers.
template_db, make_world, world = bypass.template_db, bypass.make_world, bypass.world
staff, admin = bypass.staff, bypass.admin


def values(data: Any) -> list[str]:
    """Every scalar value of a JSON document, as text (keys are field names)."""
    if isinstance(data, dict):
        return [v for item in data.values() for v in values(item)]
    if isinstance(data, list):
        return [v for item in data for v in values(item)]
    return [] if data is None else [str(data)]


def json_of(client, url: str) -> Any:
    response = client.get(url, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    return response.get_json()


def leaked(data: Any, needles: list[str]) -> set[str]:
    haystack = [v.lower() for v in values(data)]
    return {n for n in needles if any(n.lower() in v for v in haystack)}


@pytest.mark.parametrize("column", HIDDEN_COLUMN_PARAMS)
def test_list_json_hidden_column_never_appears(world, staff, admin, column):
    """GIVEN a column hidden from the staff caller
    WHEN she asks for the employees list as JSON
    THEN neither its name, label nor values are in it; the admin's has them all."""
    needles = hidden_needles(world, column)
    assert leaked(json_of(staff, "/t/hr/employees"), needles) == set()
    assert leaked(json_of(admin, "/t/hr/employees"), needles) == set(needles)


@pytest.mark.parametrize("column", HIDDEN_EMPLOYEE_COLUMNS)
def test_detail_json_hidden_column_never_appears(world, staff, admin, column):
    """GIVEN a visible colleague and a column hidden from the staff caller
    WHEN she asks for the colleague's page as JSON
    THEN the column's name, label and value are not in it; the admin's has them."""
    colleague = VISIBLE_PEOPLE[0]
    needles = hidden_needles(world, column, [colleague])
    url = employee_url(colleague.employee_id)
    assert leaked(json_of(staff, url), needles) == set()
    assert leaked(json_of(admin, url), needles) == set(needles)


@pytest.mark.parametrize("case", TABLE_CASES)
def test_list_json_row_filter_lists_only_visible_rows(staff, admin, case):
    """GIVEN a table with a row filter
    WHEN the staff caller asks for its list as JSON
    THEN exactly her rows are in it, while the admin's lists every row."""

    def rows(client) -> set[str]:
        data = json_of(client, f"/t/{case.path}")
        return {row["href"] for row in data["results"]["rows"]}

    assert rows(staff) == {case.url(k) for k in case.visible_keys}
    assert rows(admin) == {case.url(k) for k in case.all_keys}


@pytest.mark.parametrize("url", INVISIBLE_ROWS)
def test_detail_json_row_outside_filter_is_404(staff, admin, url):
    """GIVEN a row outside the staff caller's row filter
    WHEN she asks for its detail page as JSON
    THEN the answer is a JSON 404, while the admin gets the row."""
    response = staff.get(url, headers=JSON)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert json_of(admin, url)["row_key"] == url.rsplit("/", 1)[1]


@pytest.mark.parametrize("case", TABLE_CASES)
def test_home_json_counts_only_visible_rows(staff, admin, case):
    """GIVEN a table with a row filter
    WHEN the staff caller asks for the home page as JSON
    THEN the table's count is her rows only, the admin's every row."""

    def counts(client) -> dict[str, int]:
        data = json_of(client, "/")
        return {t["key"]: t["count"] for s in data["schemas"] for t in s["tables"]}

    key = case.path.replace("/", ".")
    assert counts(staff)[key] == len(case.visible_keys)
    assert counts(admin)[key] == len(case.all_keys)


def test_home_json_hidden_table_never_appears(staff, admin):
    """GIVEN a table the staff caller may not see (the admin may)
    WHEN each asks for the home page as JSON
    THEN only the admin's lists it."""

    def keys(client) -> set[str]:
        data = json_of(client, "/")
        return {t["key"] for s in data["schemas"] for t in s["tables"]}

    assert keys(admin) - keys(staff)
