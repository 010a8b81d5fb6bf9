"""The edit flows in Chromium on the demo database: create, edit, validation errors,
a conflict between two browsers, delete (confirmed and refused), CSV import (clean and
broken) and the missing buttons of a persona without a grant.

The live server is shared by the whole session, so every flow creates the rows it
changes, with names unique to the test. The pages are driven through their
data-testid hooks (app/templates/edit/, app/templates/audit/).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from tests.e2e.conftest import _session

EMPLOYEES = "/t/hr/employees"
SKILLS = "/t/hr/skills"
ASSET_TYPES = "/t/ops/asset_types"
DEPARTMENTS = "/t/hr/departments"
SKILLS_LABEL = "Skills"


@pytest.fixture
def demo(live_server):
    """The live server, skipping (failing where required) without demo data."""
    live_server.require_demo()
    if not live_server.has_endpoint("edit.edit"):
        pytest.fail("the edit blueprint is not registered")
    return live_server


@pytest.fixture
def tf2(browser, live_server) -> Iterator[object]:
    """A second, independent browser (its own context and cookies)."""
    yield from _session(browser, live_server, javascript_enabled=True)


def unique(prefix: str) -> str:
    """A name no other test (or earlier run) uses."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def new_employee(demo, job_title: str = "Analyst") -> int:
    """Insert an employee of the first department straight into the demo database."""
    from app.extensions import db
    from app.models.generated.hr import HrDepartment, HrEmployee

    tag = uuid.uuid4().hex[:10]
    table = HrEmployee.__table__
    with demo.app.app_context():
        department = db.session.scalar(
            select(HrDepartment.department_id).order_by(HrDepartment.department_id)
        )
        result = db.session.execute(
            insert(table).values(
                login=f"CONTOSO\\e2e{tag}",
                first_name="Robin",
                last_name=f"E2e{tag}",
                email=f"e2e{tag}@contoso.example",
                job_title=job_title,
                department_id=department,
                hire_date=dt.date(2024, 3, 1),
            )
        )
        db.session.commit()
        return int(result.inserted_primary_key[0])


def field_value(page, column: str) -> str:
    """The text of one field on a detail page."""
    field = page.locator(f'[data-testid="field"][data-column="{column}"]')
    return field.get_by_test_id("field-value").inner_text().strip()


def flash(page) -> list[str]:
    """The flashed messages at the top of the page (base.html: alerts in <main>)."""
    alerts = page.locator("main > .alert")
    return [t.strip() for t in alerts.all_inner_texts()]


def field_errors(page, column: str) -> list[str]:
    """The error messages shown inside the form group of ``column``."""
    group = page.locator(f'[data-testid="group-{column}"]')
    return [t.strip() for t in group.locator(".invalid-feedback").all_inner_texts()]


def save_and_wait(tf, pattern: str) -> None:
    """Click the form's primary button and wait for the URL to match ``pattern``."""
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("save").click()
    assert re.search(pattern, tf.page.url), tf.page.url


def expect_status(tf, status: int) -> None:
    """Tolerate the console's report of a page answered with ``status`` on purpose."""
    tf.allow_error(f"HTTP {status} for")
    tf.allow_error(f"status of {status} ")


def write_csv(folder: Path, name: str, lines: list[str]) -> Path:
    """A CSV as Excel saves it in a European locale: UTF-8 with BOM, semicolons."""
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


# --- create and edit ------------------------------------------------------------


def test_create_skill_shows_row_and_audit_entry(tf, demo):
    """GIVEN the admin on the new-row form of hr.skills
    WHEN they fill in a unique name and category and click Create
    THEN the row's detail page shows it and the audit log lists the insert.
    """
    name = unique("E2E skill")
    tf.goto(f"{SKILLS}/-/new")
    tf.page.get_by_test_id("field-name").fill(name)
    tf.page.get_by_test_id("field-category").fill("Testing")
    tf.page.get_by_test_id("field-description").fill("Created by the browser test.")
    tf.screenshot("edit_form_new")

    save_and_wait(tf, r"/t/hr/skills/[^/]+$")

    assert field_value(tf.page, "name") == name
    (created,) = flash(tf.page)
    assert created.startswith("Created Skill ") and created.endswith(f"{name}.")
    tf.goto("/audit?table=hr.skills")
    entries = tf.page.get_by_test_id("audit-entry").filter(has_text=name)
    assert entries.count() == 1
    assert entries.first.get_by_test_id("audit-action").inner_text() == "create"
    tf.screenshot("audit_log")
    tf.assert_clean()


def test_edit_job_title_shows_change_and_history(tf, demo):
    """GIVEN an employee whose job title is "Analyst"
    WHEN the admin changes it to a new title on the edit form and saves
    THEN the detail page shows the new title and its history the old and new value.
    """
    employee = new_employee(demo, job_title="Analyst")
    title = unique("Senior analyst")
    tf.goto(f"{EMPLOYEES}/{employee}/edit")
    tf.screenshot("edit_form")
    tf.page.get_by_test_id("field-job_title").fill(title)

    save_and_wait(tf, rf"/t/hr/employees/{employee}$")

    assert field_value(tf.page, "job_title") == title
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("action-history").click()
    entry = tf.page.get_by_test_id("history-entry").first
    change = entry.locator("tr", has=tf.page.locator("th", has_text="Job title"))
    cells = [c.strip() for c in change.locator("td").all_inner_texts()]
    assert cells == ["Analyst", title]
    assert entry.get_by_test_id("history-user").inner_text() == "CONTOSO\\amorgan"
    tf.screenshot("history")
    tf.assert_clean()


def test_edit_missing_required_keeps_input_and_marks_field(tf, demo):
    """GIVEN an employee's edit form
    WHEN the admin empties the required last name, changes the title and saves
    THEN nothing is saved, the typed title is kept and the last name shows the error.
    """
    employee = new_employee(demo)
    title = unique("Kept title")
    expect_status(tf, 422)
    tf.goto(f"{EMPLOYEES}/{employee}/edit")
    tf.page.get_by_test_id("field-last_name").fill("")
    tf.page.get_by_test_id("field-job_title").fill(title)

    with tf.page.expect_navigation():
        tf.page.get_by_test_id("save").click()

    assert tf.page.get_by_test_id("form-problems").is_visible()
    assert field_errors(tf.page, "last_name") == ["a value is required"]
    assert tf.page.get_by_test_id("field-job_title").input_value() == title
    assert "is-invalid" in (
        tf.page.get_by_test_id("field-last_name").get_attribute("class") or ""
    )
    tf.screenshot("edit_validation_error")
    tf.goto(f"{EMPLOYEES}/{employee}")
    assert field_value(tf.page, "job_title") != title
    tf.assert_clean()


def test_create_out_of_range_number_shows_message_next_to_field(tf, demo):
    """GIVEN the new-row form of ops.asset_types (depreciation_months is smallint)
    WHEN the admin enters 99999 months and a name and clicks Create
    THEN the form comes back with the name kept and a range message on the months.
    """
    name = unique("E2E type")
    expect_status(tf, 422)
    tf.goto(f"{ASSET_TYPES}/-/new")
    tf.page.get_by_test_id("field-name").fill(name)
    tf.page.get_by_test_id("field-depreciation_months").fill("99999")

    with tf.page.expect_navigation():
        tf.page.get_by_test_id("save").click()

    errors = field_errors(tf.page, "depreciation_months")
    assert len(errors) == 1 and "32767" in errors[0], errors
    assert tf.page.get_by_test_id("field-name").input_value() == name
    tf.screenshot("create_validation_error")
    tf.assert_clean()


# --- conflict -------------------------------------------------------------------


def test_edit_conflict_shows_theirs_and_mine_and_applies_mine(tf, tf2, demo):
    """GIVEN one employee's edit form open in two browsers
    WHEN the second saves a title, then the first saves a different one
    THEN the first sees their value beside hers, and "apply mine anyway" saves it.
    """
    employee = new_employee(demo)
    theirs, mine = unique("Their title"), unique("My title")
    expect_status(tf, 409)
    tf.goto(f"{EMPLOYEES}/{employee}/edit")
    tf2.goto(f"{EMPLOYEES}/{employee}/edit")
    tf2.page.get_by_test_id("field-job_title").fill(theirs)
    save_and_wait(tf2, rf"/t/hr/employees/{employee}$")

    tf.page.get_by_test_id("field-job_title").fill(mine)
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("save").click()

    assert tf.page.get_by_test_id("conflict-title").is_visible()
    assert tf.page.get_by_test_id("theirs-job_title").inner_text().strip() == theirs
    assert tf.page.get_by_test_id("yours-job_title").inner_text().strip() == mine
    row = tf.page.get_by_test_id("conflict-row-job_title")
    assert "tf-differs" in (row.get_attribute("class") or "")
    tf.screenshot("conflict")
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("conflict-apply").click()
    assert re.search(rf"/t/hr/employees/{employee}$", tf.page.url), tf.page.url
    assert field_value(tf.page, "job_title") == mine
    tf.assert_clean()
    tf2.assert_clean()


# --- delete ---------------------------------------------------------------------


def test_delete_confirmed_removes_row(tf, demo):
    """GIVEN a skill the test created
    WHEN the admin clicks Delete on its page and confirms
    THEN the list opens with a notice and the row's page answers 404.
    """
    name = unique("Doomed skill")
    tf.goto(f"{SKILLS}/-/new")
    tf.page.get_by_test_id("field-name").fill(name)
    tf.page.get_by_test_id("field-category").fill("Testing")
    save_and_wait(tf, r"/t/hr/skills/[^/]+$")
    detail = tf.page.url

    with tf.page.expect_navigation():
        tf.page.get_by_test_id("action-delete").click()
    assert name in tf.page.get_by_test_id("delete-values").inner_text()
    tf.screenshot("delete_confirm")
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("confirm-delete").click()

    assert tf.page.url.endswith(SKILLS)
    (notice,) = flash(tf.page)
    assert notice.startswith("Deleted Skill ") and notice.endswith(f"· {name}.")
    tf.assert_clean()
    expect_status(tf, 404)
    tf.goto(detail.removeprefix(tf.base_url), expect_status=404)


def test_delete_refused_names_the_rows_pointing_at_it(tf, demo):
    """GIVEN a department that employees belong to
    WHEN the admin confirms its deletion
    THEN the page explains that employees point at it and the department remains.
    """
    tf.goto(f"{DEPARTMENTS}/1")
    expect_status(tf, 409)
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("action-delete").click()

    with tf.page.expect_navigation():
        tf.page.get_by_test_id("confirm-delete").click()

    refused = tf.page.get_by_test_id("delete-refused")
    assert "rows in Employees (hr.employees)" in refused.inner_text()
    assert "through Department" in refused.inner_text()
    assert tf.page.get_by_test_id("confirm-delete").count() == 0
    tf.screenshot("delete_refused")
    tf.goto(f"{DEPARTMENTS}/1")
    tf.assert_clean()


# --- import ---------------------------------------------------------------------


def department_lines(codes: list[str], last_active: str = "yes") -> list[str]:
    """CSV lines for new departments, one per code; the last row's is_active given."""
    lines = ["code;name;division;Cost Center;is_active"]
    for number, code in enumerate(codes, start=1):
        active = last_active if number == len(codes) else "yes"
        lines.append(f"{code};E2E Département {code};Testing;CC-{code};{active}")
    return lines


def unique_codes(count: int) -> list[str]:
    """Department codes (at most 10 characters) no other test uses."""
    return [f"E2{uuid.uuid4().hex[:6].upper()}" for _ in range(count)]


def upload(tf, csv: Path) -> None:
    """Upload ``csv`` on the departments' import page and wait for the review."""
    tf.goto(f"{DEPARTMENTS}/-/import")
    tf.page.get_by_test_id("import-file").set_input_files(str(csv))
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("import-check").click()


def test_import_semicolon_csv_with_bom_inserts_rows(tf, demo, tmp_path):
    """GIVEN a UTF-8-with-BOM, semicolon-separated CSV of three departments
    WHEN the admin uploads it, reviews the preview and applies it
    THEN the summary says three rows were inserted and the list shows them.
    """
    codes = unique_codes(3)
    csv = write_csv(tmp_path, "new departments.csv", department_lines(codes))
    upload(tf, csv)

    facts = tf.page.get_by_test_id("import-file-facts").inner_text()
    assert "3 rows" in facts and "semicolon" in facts, facts
    assert tf.page.get_by_test_id("import-ready").is_visible()
    assert f"E2E Département {codes[2]}" in (
        tf.page.get_by_test_id("import-preview").inner_text()
    )
    tf.screenshot("import_review", full_page=True)
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("import-apply").click()

    summary = tf.page.get_by_test_id("import-summary").inner_text()
    assert summary.startswith("3 rows inserted"), summary
    tf.screenshot("import_done")
    tf.goto(f"{DEPARTMENTS}?q=E2E")
    listed = tf.page.get_by_test_id("results").inner_text()
    assert all(f"E2E Département {c}" in listed for c in codes), listed
    tf.assert_clean()


def test_import_bad_value_on_row_three_lists_problem_and_writes_nothing(
    tf, demo, tmp_path
):
    """GIVEN a CSV of departments whose third row says "maybe" for is_active
    WHEN the admin uploads it
    THEN the problem is listed with row 3 and the column, and no row is imported.
    """
    codes = unique_codes(3)
    csv = write_csv(tmp_path, "broken.csv", department_lines(codes, "maybe"))
    expect_status(tf, 422)

    upload(tf, csv)

    problems = tf.page.get_by_test_id("import-problem-row")
    assert problems.count() == 1
    cells = [c.strip() for c in problems.first.locator("td").all_inner_texts()]
    assert cells[:2] == ["3", "is_active"], cells
    assert tf.page.get_by_test_id("import-apply").count() == 0
    tf.screenshot("import_problems", full_page=True)
    tf.goto(f"{DEPARTMENTS}?q=E2E")
    listed = tf.page.get_by_test_id("results").inner_text()
    assert not any(c in listed for c in codes), listed
    tf.assert_clean()


# --- no grant -------------------------------------------------------------------


def act_as(tf, login: str) -> None:
    """Switch the session to another persona through the development switcher."""
    tf.goto("/dev/act-as")
    tf.page.locator("#login").fill(login)
    with tf.page.expect_navigation():
        tf.page.get_by_role("button", name="Act as", exact=True).click()
    assert (
        tf.page.get_by_test_id("current-user")
        .inner_text()
        .strip()
        .endswith(login.split("\\")[1])
        or login in tf.page.get_by_test_id("current-user").inner_text()
    )


def test_employee_without_grant_sees_no_edit_buttons(tf, demo):
    """GIVEN CONTOSO\\lnguyen, who may only read hr.employees
    WHEN she opens the employees list and one employee's page
    THEN there is no New, Import, Edit or Delete button (History stays).
    """
    act_as(tf, "CONTOSO\\lnguyen")

    tf.goto(EMPLOYEES)
    table_buttons = tf.page.get_by_test_id("table-actions")
    assert table_buttons.get_by_test_id("action-new").count() == 0
    assert table_buttons.get_by_test_id("action-import").count() == 0
    with tf.page.expect_navigation():
        tf.page.get_by_test_id("row-link").first.click()
    actions = tf.page.get_by_test_id("row-actions")
    assert actions.get_by_test_id("action-edit").count() == 0
    assert actions.get_by_test_id("action-delete").count() == 0
    assert actions.get_by_test_id("action-history").count() == 1
    tf.screenshot("no_grant_detail")
    tf.assert_clean()
