"""Create, edit, delete pages: access on writes and the bad-input matrix."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from tests.edit.world import ALEX, DANA, LINH, assets, employees
from tests.html import by_testid, soup, text_of

EMP = "/t/corp/employees"


def _form_fields(response) -> dict[str, str]:
    """The values a browser would submit from the page's edit form."""
    form = by_testid(response, "edit-form")
    data: dict[str, str] = {}
    for el in form.select("input, textarea, select"):
        name = el.get("name")
        if not name:
            continue
        if el.name == "select":
            chosen = el.select_one("option[selected]") or el.select_one("option")
            data[name] = chosen.get("value", "") if chosen else ""
        elif el.get("type") == "checkbox":
            if el.has_attr("checked"):
                data[name] = el.get("value", "y")
        elif el.name == "textarea":
            data[name] = el.get_text()
        else:
            data[name] = el.get("value", "")
    return data


def _employee(world, employee_id: int) -> dict:
    with world.app_context():
        row = (
            db.session.execute(
                select(employees).where(employees.c.employee_id == employee_id)
            )
            .mappings()
            .first()
        )
        return dict(row) if row else None


def _audit(world) -> list[dict]:
    with world.app_context():
        return [
            dict(r) for r in db.session.execute(select(AuditLog.__table__)).mappings()
        ]


# --- happy paths ------------------------------------------------------------------


def test_edit_page_fields_follow_column_metadata(as_user):
    """GIVEN the employees table
    WHEN Alex opens the edit form of employee 1
    THEN required, maxlength, tinyint range and read-only columns come from metadata."""
    page = as_user(ALEX).get(f"{EMP}/1/edit")
    assert page.status_code == 200
    first = by_testid(page, "field-first_name")
    assert first.has_attr("required") and first["maxlength"] == "50"
    level = by_testid(page, "field-level")
    assert (level["min"], level["max"]) == ("0", "255")
    assert by_testid(page, "field-salary")["inputmode"] == "decimal"
    assert by_testid(page, "field-hire_date")["type"] == "date"
    by_testid(page, "readonly-employee_id")
    by_testid(page, "readonly-row_version")
    assert by_testid(page, "field-department_id").name == "select"


def test_edit_page_read_only_values_read_as_on_the_detail_page(as_user):
    """GIVEN employee 1, whose modified_at and row_version the database sets
    WHEN Alex opens its edit form
    THEN those read-only values are formatted exactly as the detail page shows them
    (a datetime without ISO 'T' or microseconds, binary as its size)."""
    client = as_user(ALEX)
    detail = soup(client.get(f"{EMP}/1"))
    shown = {
        row["data-column"]: row.select_one('[data-testid="field-value"]').get_text()
        for row in detail.select('[data-testid="field"]')
    }
    page = client.get(f"{EMP}/1/edit")
    for column in ("modified_at", "row_version"):
        strip = by_testid(page, f"readonly-{column}")
        value = strip.select_one(".tf-readonly-value").get_text()
        assert value == shown[column]
    assert "T" not in shown["modified_at"]


def test_edit_and_new_pages_have_the_browse_breadcrumbs(as_user):
    """GIVEN Alex on the edit form of employee 1 and on the new-row form
    WHEN the breadcrumbs are read
    THEN both lead Home, to the schema and to the table's list; the edit form also
    back to the row it edits."""
    client = as_user(ALEX)
    edit = client.get(f"{EMP}/1/edit")
    new = client.get(f"{EMP}/-/new")
    for page in (edit, new):
        assert by_testid(page, "crumb-table")["href"] == EMP
        assert by_testid(page, "crumb-schema").get_text() == "corp"
    assert by_testid(edit, "crumb-row")["href"] == f"{EMP}/1"
    assert not soup(new).select('[data-testid="crumb-row"]')


def test_edit_post_saves_audits_and_redirects_to_detail(world, as_user):
    """GIVEN Alex's edit form of employee 3
    WHEN the job level is changed and saved
    THEN the row changes, the audit row has old and new values, and it redirects."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/3/edit"))
    data["f_level"] = "2"
    response = client.post(f"{EMP}/3/edit", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/t/corp/employees/3")
    assert _employee(world, 3)["level"] == 2
    (entry,) = _audit(world)
    assert json.loads(entry["new_values"]) == {"level": 2}
    assert entry["user_login"] == ALEX


def test_create_post_inserts_row_with_defaults(world, as_user):
    """GIVEN the new-employee form
    WHEN the required fields are filled in
    THEN the row is inserted with the server default for is_active left to the DB."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/-/new"))
    data.update(
        f_login="CONTOSO\\lnguyen",
        f_first_name="Linh",
        f_last_name="Nguyen",
        f_email="lnguyen@contoso.com",
        f_department_id="2",
        f_hire_date="2024-02-01",
        f_is_active="y",
    )
    response = client.post(f"{EMP}/-/new", data=data)
    assert response.status_code == 302, soup(response).get_text()[:500]
    assert _employee(world, 4)["first_name"] == "Linh"


# --- access on writes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", f"{EMP}/-/new"),
        ("post", f"{EMP}/1/edit"),
        ("post", f"{EMP}/1/delete"),
        ("get", f"{EMP}/1/edit"),
    ],
)
def test_write_routes_without_grant_answer_403(as_user, method, path):
    """GIVEN Linh, who may only read employees
    WHEN she calls a write route directly
    THEN the answer is 403 and nothing changes."""
    response = getattr(as_user(LINH), method)(path, data={"f_first_name": "X"})
    assert response.status_code == 403


def test_row_actions_without_grant_offer_no_buttons(world, as_user):
    """GIVEN Linh (read only) and Alex (all actions)
    WHEN the row actions of employee 1 are computed for each
    THEN Linh gets only History and Alex gets Edit and Delete too."""
    from app.catalog import get_catalog
    from app.pages.links import row_actions

    for login, expected in (
        (LINH, ["action-history"]),
        (ALEX, ["action-edit", "action-delete", "action-history"]),
    ):
        with world.test_request_context(environ_base={"REMOTE_USER": login}):
            world.preprocess_request()
            info = get_catalog().get("corp.employees")
            assert [a.testid for a in row_actions(info, "1")] == expected


def test_edit_row_outside_filter_is_404(as_user):
    """GIVEN Dana, who may change employees of department 1 only
    WHEN she opens employee 2 (department 2) for editing
    THEN the row does not exist for her."""
    assert as_user(DANA).get(f"{EMP}/2/edit").status_code == 404


def test_edit_moving_row_outside_filter_is_refused(world, as_user):
    """GIVEN Dana editing employee 3 of department 1
    WHEN she moves it to department 2 (outside her filter)
    THEN the change is refused, rolled back and not audited."""
    client = as_user(DANA)
    data = _form_fields(client.get(f"{EMP}/3/edit"))
    data["f_department_id"] = "2"
    response = client.post(f"{EMP}/3/edit", data=data)
    assert response.status_code == 422
    assert "outside" in text_of(response, "form-problems")
    assert _employee(world, 3)["department_id"] == 1
    assert _audit(world) == []


def test_crafted_hidden_column_is_never_written(world, as_user):
    """GIVEN Dana, for whom secret_notes is hidden
    WHEN her POST carries secret_notes under every plausible name
    THEN the column keeps its value."""
    client = as_user(DANA)
    data = _form_fields(client.get(f"{EMP}/1/edit"))
    assert "f_secret_notes" not in data
    data.update(f_secret_notes="pwned", secret_notes="pwned")
    assert client.post(f"{EMP}/1/edit", data=data).status_code == 302
    assert _employee(world, 1)["secret_notes"] == "likes tea"


def test_edit_page_hides_hidden_column_value(as_user):
    """GIVEN Dana, for whom secret_notes is hidden
    WHEN she opens the edit form
    THEN the value appears nowhere in the page."""
    page = as_user(DANA).get(f"{EMP}/1/edit")
    assert "likes tea" not in page.get_data(as_text=True)


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("f_level", "300", "outside 0..255"),
        ("f_level", "abc", "not a whole number"),
        ("f_first_name", "x" * 51, "at most 50 fit"),
        ("f_first_name", "", "required"),
        ("f_salary", "12.345", "decimal places"),
        ("f_hire_date", "2024-02-30", "not a date"),
        ("f_email", "pchen@contoso.com", "already has"),
        ("f_department_id", "99", "Not a valid choice"),
    ],
)
def test_edit_bad_value_shows_field_error_and_keeps_input(
    world, as_user, field, value, message
):
    """GIVEN Alex's edit form of employee 1
    WHEN one field carries a bad value
    THEN the page is re-shown (422) with an error at that field, the input kept,
    and nothing is saved."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/1/edit"))
    data[field] = value
    response = client.post(f"{EMP}/1/edit", data=data)
    assert response.status_code == 422
    doc = soup(response)
    widget = doc.select_one(f'[name="{field}"]')
    feedback = widget.find_parent(class_="tf-field").select(".invalid-feedback")
    assert message.lower() in " ".join(f.get_text() for f in feedback).lower()
    if widget.name == "input" and widget.get("type") != "date":
        assert widget.get("value", "") == value
    assert _audit(world) == []


def test_edit_with_tampered_original_is_400(world, as_user):
    """GIVEN an edit form
    WHEN the signed original token is altered
    THEN 400 and nothing saved."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/1/edit"))
    data["original_token"] = data["original_token"][:-2] + "xx"
    data["f_first_name"] = "Mallory"
    assert client.post(f"{EMP}/1/edit", data=data).status_code == 400
    assert _employee(world, 1)["first_name"] == "Alex"


def test_edit_token_of_other_row_is_400(world, as_user):
    """GIVEN the valid token of employee 3's form
    WHEN it is posted to employee 1's edit URL (a tampered primary key)
    THEN 400 and nothing saved."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/3/edit"))
    data["f_first_name"] = "Mallory"
    assert client.post(f"{EMP}/1/edit", data=data).status_code == 400
    assert _employee(world, 1)["first_name"] == "Alex"


def test_edit_without_csrf_token_is_400(world, as_user):
    """GIVEN CSRF protection on
    WHEN a form is posted without its token
    THEN 400 and nothing saved."""
    world.config["WTF_CSRF_ENABLED"] = True
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/1/edit"))
    data.pop("csrf_token", None)
    data["f_first_name"] = "Mallory"
    assert client.post(f"{EMP}/1/edit", data=data).status_code == 400
    assert _employee(world, 1)["first_name"] == "Alex"


def test_edit_of_row_deleted_meanwhile_is_404_with_explanation(world, as_user):
    """GIVEN an open edit form of asset 1
    WHEN someone deletes the asset and the form is saved
    THEN 404 explains the row was deleted meanwhile."""
    client = as_user(ALEX)
    data = _form_fields(client.get("/t/corp/assets/1/edit"))
    with world.app_context():
        db.session.execute(assets.delete())
        db.session.commit()
    response = client.post("/t/corp/assets/1/edit", data=data)
    assert response.status_code == 404
    assert "deleted" in soup(response).get_text().lower()


def test_conflicting_edit_shows_both_versions_and_apply_mine_wins(world, as_user):
    """GIVEN two people editing employee 1
    WHEN the second saves after the first
    THEN a conflict page shows their value beside mine, and apply-mine saves mine."""
    alex, dana = as_user(ALEX), as_user(DANA)
    mine = _form_fields(alex.get(f"{EMP}/1/edit"))
    theirs = _form_fields(dana.get(f"{EMP}/1/edit"))
    theirs["f_first_name"] = "Alexandra"
    assert dana.post(f"{EMP}/1/edit", data=theirs).status_code == 302
    mine["f_first_name"] = "Al"
    conflict = alex.post(f"{EMP}/1/edit", data=mine)
    assert conflict.status_code == 409
    assert text_of(conflict, "theirs-first_name") == "Alexandra"
    assert text_of(conflict, "yours-first_name") == "Al"
    assert _employee(world, 1)["first_name"] == "Alexandra"
    form = by_testid(conflict, "conflict-form")
    again = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    again.update(
        {k: v for k, v in mine.items() if k not in ("original_token", "csrf_token")}
    )
    assert alex.post(f"{EMP}/1/edit", data=again).status_code == 302
    assert _employee(world, 1)["first_name"] == "Al"


def test_delete_confirmation_then_post_deletes_and_audits(world, as_user):
    """GIVEN asset 1
    WHEN Alex confirms its deletion
    THEN it is gone and the audit row keeps its old values."""
    client = as_user(ALEX)
    page = client.get("/t/corp/assets/1/delete")
    token = by_testid(page, "original-token")["value"]
    assert (
        client.post(
            "/t/corp/assets/1/delete", data={"original_token": token}
        ).status_code
        == 302
    )
    (entry,) = _audit(world)
    assert entry["action"] == "delete"
    assert json.loads(entry["old_values"])["asset_tag"] == "LT-0001"


def test_delete_referenced_row_is_refused_in_plain_words(world, as_user):
    """GIVEN employee 1, whom an asset and a skill point at
    WHEN Alex confirms deleting the employee
    THEN 409 names the tables (label and key), the counts and the columns by label,
    and the employee remains."""
    client = as_user(ALEX)
    token = by_testid(client.get(f"{EMP}/1/delete"), "original-token")["value"]
    response = client.post(f"{EMP}/1/delete", data={"original_token": token})
    assert response.status_code == 409
    reasons = text_of(response, "delete-refused")
    assert "1 row in Assets (corp.assets) still points at this row" in reasons
    assert "1 row in Employee skills (corp.employee_skills)" in reasons
    assert _employee(world, 1) is not None


def test_read_only_table_pages_say_why(as_user):
    """GIVEN corp.events, which has no primary key
    WHEN Alex opens its new-row page
    THEN 403 says it has no primary key."""
    response = as_user(ALEX).get("/t/corp/events/-/new")
    assert response.status_code == 403
    assert "no primary key" in soup(response).get_text()


def test_edit_page_binary_value_says_not_editable_here(as_user):
    """GIVEN employee 1, whose row_version is a binary value, and its modified_at
    WHEN Alex opens its edit form
    THEN the binary value is labelled "not editable here", the datetime is not."""
    page = soup(as_user(ALEX).get(f"{EMP}/1/edit"))
    binary = by_testid(page, "readonly-row_version")
    note = binary.select_one('[data-testid="readonly-note"]')
    assert note.get_text(strip=True) == "not editable here"
    assert "set by the database" not in binary.select_one(".tf-readonly-value")["title"]
    managed = by_testid(page, "readonly-modified_at")
    assert managed.select_one('[data-testid="readonly-note"]') is None
