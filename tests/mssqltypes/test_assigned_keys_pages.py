"""A table whose integer key is assigned (no IDENTITY) gets new rows: form and import.

The demo's ops.maintenance_windows is numbered by an old tool itself (window_no).
"""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models.generated.ops import OpsMaintenanceWindow
from tests.html import by_testid, soup

WINDOWS = "/t/ops/maintenance_windows"


def _window(app, number: int) -> dict | None:
    table = OpsMaintenanceWindow.__table__
    with app.app_context():
        row = db.session.execute(
            select(table).where(table.c.window_no == number)
        ).mappings()
        found = row.first()
        return dict(found) if found else None


def _form_fields(response) -> dict[str, str]:
    form = by_testid(response, "edit-form")
    data = {}
    for el in form.select("input[name], textarea[name], select[name]"):
        if el.name == "select":
            chosen = el.select_one("option[selected]") or el.select_one("option")
            data[el["name"]] = chosen.get("value", "") if chosen else ""
        else:
            data[el["name"]] = el.get("value", "")
    return data


def test_new_form_assigned_integer_key_is_an_input(admin):
    """GIVEN the new-row form of a table with an assigned integer key
    WHEN it is shown
    THEN the key is a field the user fills in, not a read-only value."""
    page = soup(admin.get(f"{WINDOWS}/-/new"))
    form = by_testid(page, "edit-form")
    assert form.select_one("input[name=f_window_no]") is not None


def test_create_post_assigned_integer_key_inserts_row_with_that_key(demo_app, admin):
    """GIVEN the new-row form of ops.maintenance_windows
    WHEN it is posted with window_no 7 and the required values
    THEN the row is inserted under key 7 and the browser goes to its page."""
    data = _form_fields(admin.get(f"{WINDOWS}/-/new"))
    data.update(
        f_window_no="7",
        f_site_id="1",
        f_title="Generator test",
        f_starts_at="2026-07-01T09:00",
    )
    response = admin.post(f"{WINDOWS}/-/new", data=data)
    assert response.status_code == 302, soup(response).get_text(" ", strip=True)[:600]
    assert response.headers["Location"].endswith(f"{WINDOWS}/7")
    assert _window(demo_app, 7)["title"] == "Generator test"


def test_import_assigned_integer_key_inserts_rows_with_their_keys(demo_app, admin):
    """GIVEN a CSV of maintenance windows with their own window numbers
    WHEN it is uploaded and applied as an insert
    THEN both rows exist under the numbers from the file."""
    csv = (
        b"window_no,site_id,title,starts_at\r\n"
        b"8,1,HVAC service,2026-07-02 08:00\r\n"
        b"9,1,UPS battery swap,2026-07-03 08:00\r\n"
    )
    review = admin.post(
        f"{WINDOWS}/-/import",
        data={"file": (io.BytesIO(csv), "windows.csv"), "mode": "insert"},
        content_type="multipart/form-data",
    )
    page = soup(review)
    apply = by_testid(page, "import-apply")
    assert apply is not None, page.get_text(" ", strip=True)[:800]
    form = apply.find_parent("form")
    data = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    done = admin.post(form["action"], data=data)
    assert done.status_code in {200, 302}, soup(done).get_text(" ", strip=True)[:600]
    assert _window(demo_app, 8)["title"] == "HVAC service"
    assert _window(demo_app, 9)["title"] == "UPS battery swap"
