"""$expand to child collections (rows of other tables whose FK points here), under
the child table's access: bypass tests paired with the admin's success."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import app.data.odata_expand as odata_expand
from tests.access.bypass_world import PEOPLE, VISIBLE_PEOPLE

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
DEPARTMENTS = "/odata/hr_departments?$expand=hr_employees"


def body(response) -> dict:
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.get_data(as_text=True))


def _children(client, url: str = DEPARTMENTS) -> list[dict]:
    return [e for d in body(client.get(url))["value"] for e in d["hr_employees"]]


def _navigations(client, entity_type: str) -> dict[str, dict[str, str]]:
    root = ElementTree.fromstring(client.get("/odata/$metadata").data)
    entity = next(
        e for e in root.iter(f"{EDM}EntityType") if e.get("Name") == entity_type
    )
    return {
        n.get("Name"): dict(n.attrib) for n in entity.iter(f"{EDM}NavigationProperty")
    }


def test_metadata_child_collection_has_collection_type_and_partner(admin):
    """GIVEN employees pointing at departments WHEN $metadata is read THEN the
    department type has a Collection(hr_employees) navigation partnered with the
    employee's department navigation, and back."""
    departments = _navigations(admin, "hr_departments")
    assert departments["hr_employees"]["Type"] == "Collection(Tablefront.hr_employees)"
    assert departments["hr_employees"]["Partner"] == "department"
    assert _navigations(admin, "hr_employees")["department"]["Partner"] == (
        "hr_employees"
    )


def test_expand_children_apply_child_row_filter(staff, admin):
    """GIVEN staff, who sees only Sales employees WHEN she expands every
    department's employees THEN exactly the visible people appear (the admin's
    expansion has everyone)."""
    assert {e["employee_id"] for e in _children(staff)} == {
        p.employee_id for p in VISIBLE_PEOPLE
    }
    assert {e["employee_id"] for e in _children(admin)} == {
        p.employee_id for p in PEOPLE
    }


def test_expand_children_leave_out_hidden_child_columns(staff, admin):
    """GIVEN salary, notes and email hidden from staff WHEN she expands employees
    THEN no child object has them (the admin's have)."""
    hidden = {"salary", "notes", "email"}
    assert all(not hidden & set(e) for e in _children(staff))
    assert all(hidden <= set(e) for e in _children(admin))


def test_expand_unreadable_child_table_is_400(staff, admin):
    """GIVEN ops.assets (unreadable to staff) pointing at employees WHEN staff
    expands it THEN 400, while the admin gets the assets."""
    url = "/odata/hr_employees?$expand=ops_assets"
    refused = staff.get(url)
    assert refused.status_code == 400
    assert "ops_assets" not in _navigations(staff, "hr_employees")
    assert admin.get(url).status_code == 200


def test_expand_children_past_cap_end_with_next_link(admin, monkeypatch):
    """GIVEN a cap of 2 child rows per parent and 3 Sales employees WHEN the admin
    expands Sales' employees THEN 2 come with a nextLink that skips them."""
    monkeypatch.setattr(odata_expand, "CHILD_ROWS_CAP", 2)
    sales = body(admin.get("/odata/hr_departments(2)?$expand=hr_employees"))
    assert [e["employee_id"] for e in sales["hr_employees"]] == [2, 3]
    link = urlsplit(sales["hr_employees@odata.nextLink"])
    assert parse_qs(link.query) == {"$filter": ["department_id eq 2"], "$skip": ["2"]}
    rest = body(admin.get(f"{link.path}?{link.query}"))["value"]
    assert [e["employee_id"] for e in rest] == [4]
