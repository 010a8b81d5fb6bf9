"""Bypass tests for the OData feed: no option shows what the pages would not.

The caller under test, CONTOSO\\lnguyen (``staff``), reads the employees of her own
department (salary, notes, email hidden), departments, and nothing in ``ops``. Each
refusal is paired with the admin's success, so a broken request cannot pass.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from tests.access.bypass_world import INVISIBLE_PEOPLE, PEOPLE, VISIBLE_PEOPLE
from tests.odata.conftest import client_for

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def body(response) -> dict:
    return json.loads(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "query",
    [
        "$select=employee_id,salary",
        "$filter=salary gt 1",
        "$filter=startswith(notes,'B')",
        "$orderby=email",
        "$expand=site",
    ],
)
def test_feed_option_on_hidden_or_unreadable_is_400(staff, admin, query):
    """GIVEN staff, who may not see salary/notes/email nor ops.sites
    WHEN an option names one of them
    THEN staff gets a 400 OData error, the admin a page."""
    refused = staff.get(f"/odata/hr_employees?{query}")
    assert refused.status_code == 400
    assert body(refused)["error"]["code"] == "BadRequest"
    assert admin.get(f"/odata/hr_employees?{query}").status_code == 200


def test_feed_rows_of_staff_hold_no_hidden_values(staff, admin):
    """GIVEN staff WHEN she reads every employee THEN no hidden value appears."""
    secrets = [p.notes for p in PEOPLE] + [p.email for p in PEOPLE]
    seen = staff.get("/odata/hr_employees").get_data(as_text=True)
    control = admin.get("/odata/hr_employees").get_data(as_text=True)
    assert all(s in control for s in secrets)
    assert not [s for s in secrets if s in seen]


def test_feed_rows_outside_row_filter_are_absent(staff):
    """GIVEN staff's department row filter WHEN she reads employees
    THEN exactly the visible people come back."""
    ids = {r["employee_id"] for r in body(staff.get("/odata/hr_employees"))["value"]}
    assert ids == {p.employee_id for p in VISIBLE_PEOPLE}


def test_feed_entity_outside_row_filter_is_404(staff, admin):
    """GIVEN an employee of another department WHEN staff asks for it by key
    THEN 404 (as for a missing row), while the admin reads it."""
    other = INVISIBLE_PEOPLE[0].employee_id
    refused = staff.get(f"/odata/hr_employees({other})")
    assert refused.status_code == 404
    assert body(refused)["error"]["code"]
    assert body(admin.get(f"/odata/hr_employees({other})"))["employee_id"] == other


def test_feed_expand_target_outside_row_filter_is_null(staff, admin):
    """GIVEN Dana, visible to staff, managed by Alex, who is not
    WHEN staff expands Dana's manager THEN it is null (the admin sees Alex)."""
    url = "/odata/hr_employees(2)?$expand=manager"
    assert body(staff.get(url))["manager"] is None
    assert body(admin.get(url))["manager"]["employee_id"] == 1


def test_feed_count_under_row_filter_counts_visible_rows(staff, admin):
    """GIVEN the row filter WHEN $count=true THEN the count is of visible rows."""
    url = "/odata/hr_employees?$count=true&$top=1"
    assert body(staff.get(url))["@odata.count"] == len(VISIBLE_PEOPLE)
    assert body(admin.get(url))["@odata.count"] == len(PEOPLE)


def test_feed_next_link_replayed_by_other_user_is_refused(world, admin):
    """GIVEN a nextLink made for the admin WHEN staff follows it THEN 400."""
    first = body(
        admin.get("/odata/hr_employees", headers={"Prefer": "odata.maxpagesize=1"})
    )
    link = urlsplit(first["@odata.nextLink"])
    path = f"{link.path}?{link.query}"
    assert admin.get(path).status_code == 200
    staff = client_for(world, "CONTOSO\\lnguyen")
    refused = staff.get(path)
    assert refused.status_code == 400
    assert "nextLink" in body(refused)["error"]["message"]
    assert parse_qs(link.query)["$skiptoken"]


def test_feed_metadata_shows_only_visible_properties_and_sets(staff, admin):
    """GIVEN staff WHEN she reads $metadata THEN hidden columns and unreadable
    tables are absent, present for the admin."""

    def shape(client) -> tuple[set[str], set[str]]:
        root = ElementTree.fromstring(client.get("/odata/$metadata").data)
        types = {e.get("Name"): e for e in root.iter(f"{EDM}EntityType")}
        props = {p.get("Name") for p in types["hr_employees"].iter(f"{EDM}Property")}
        return set(types), props

    staff_sets, staff_props = shape(staff)
    admin_sets, admin_props = shape(admin)
    assert {"salary", "notes", "email"} <= admin_props
    assert not {"salary", "notes", "email"} & staff_props
    assert "ops_sites" in admin_sets
    assert not any(s.startswith("ops_") for s in staff_sets)


def test_feed_metadata_maps_money_to_decimal_with_scale(admin):
    """GIVEN salary DECIMAL/money WHEN $metadata is read THEN Edm.Decimal with
    Precision and Scale."""
    root = ElementTree.fromstring(admin.get("/odata/$metadata").data)
    salary = next(p for p in root.iter(f"{EDM}Property") if p.get("Name") == "salary")
    assert salary.get("Type") == "Edm.Decimal"
    assert salary.get("Precision") and salary.get("Scale")


@pytest.mark.parametrize("option", ["$search=x", "$apply=groupby((x))", "$compute=x"])
def test_feed_unsupported_option_is_501_naming_it(admin, option):
    """GIVEN an option the feed does not implement WHEN used THEN 501 names it."""
    response = admin.get(f"/odata/hr_employees?{option}")
    assert response.status_code == 501
    assert option.split("=")[0] in body(response)["error"]["message"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("$filter=department_id eq 2 and not (first_name eq 'Sam')", {2, 3}),
        ("$filter=employee_id in (1,4,5)", {1, 4, 5}),
        ("$filter=manager_id eq null", {1, 5}),
        ("$filter=manager_id ne 2", {1, 2, 5}),
        ("$filter=endswith(last_name,'en') or startswith(first_name,'Al')", {1, 3, 5}),
        ("$filter=hire_date ge 2020-01-04", {4, 5}),
        ("$filter=is_active and salary lt 60000", {3}),
    ],
)
def test_feed_filter_operators_select_expected_rows(admin, query, expected):
    """GIVEN the five people WHEN filtered THEN exactly the expected ids."""
    rows = body(admin.get(f"/odata/hr_employees?{query}"))["value"]
    assert {r["employee_id"] for r in rows} == expected


def test_feed_top_and_skip_with_orderby_page_in_order(admin):
    """GIVEN $orderby desc, $skip 1, $top 2 THEN the 2nd and 3rd highest ids."""
    url = (
        "/odata/hr_employees?$orderby=employee_id desc&$skip=1&$top=2"
        "&$select=employee_id"
    )
    assert [r["employee_id"] for r in body(admin.get(url))["value"]] == [4, 3]
