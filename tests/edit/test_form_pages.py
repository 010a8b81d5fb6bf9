"""The edit and new-row pages as page views (issue 16 forms): the row named in the
title, breadcrumbs and flash; every problem at once; decimals at their scale."""

from __future__ import annotations

from decimal import Decimal

from app.catalog import get_catalog
from app.edit.forms import field_specs, form_data
from tests.edit.test_edit_pages import EMP, _form_fields
from tests.edit.world import ALEX
from tests.html import by_testid, soup, text_of


def _crumbs(response) -> list[str]:
    nav = by_testid(response, "breadcrumbs")
    return [" ".join(li.get_text(" ").split()) for li in nav.select("li")]


def test_edit_page_title_and_crumbs_name_the_row(as_user):
    """GIVEN employee 1
    WHEN Alex opens its edit form
    THEN the heading says "Edit Employee 1 · <its label>" and the breadcrumbs end
    in the row's name, then Edit (never "This row")."""
    page = as_user(ALEX).get(f"{EMP}/1/edit")
    title = text_of(page, "edit-title")
    assert title.startswith("Edit Employee 1 · ")
    crumbs = _crumbs(page)
    assert crumbs[-1] == "Edit"
    assert crumbs[-2].startswith("Employee 1 · ")
    assert "This row" not in crumbs


def test_edit_save_flash_names_the_row(as_user):
    """GIVEN employee 1's edit form with a new first name
    WHEN Alex saves it
    THEN the next page's flash says "Saved Employee 1 · ..."."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/1/edit"))
    data["f_first_name"] = "Alexa"
    assert client.post(f"{EMP}/1/edit", data=data).status_code == 302
    (flash,) = soup(client.get(f"{EMP}/1")).select('[data-testid="flash"]')
    assert " ".join(flash.get_text(" ").split()).startswith("Saved Employee 1 · ")


def test_new_row_with_many_problems_lists_them_all_at_once(as_user):
    """GIVEN a new employee with an empty first name, a negative salary (CHECK
    salary >= 0), an email another employee has and a department that does not
    exist
    WHEN Alex submits it once
    THEN the summary lists all four problems, each linked to its field, and
    nothing is saved."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/-/new"))
    data.update(
        f_employee_id="9",
        f_login="CONTOSO\\new",
        f_first_name="",
        f_last_name="New",
        f_email="pchen@contoso.com",
        f_department_id="77",
        f_salary="-1",
        f_hire_date="2024-01-02",
    )
    page = client.post(f"{EMP}/-/new", data=data)
    assert page.status_code == 422
    items = soup(page).select('[data-testid="problem"]')
    links = {a["href"] for li in items for a in li.select("a")}
    assert {"#f_first_name", "#f_salary", "#f_email", "#f_department_id"} <= links
    texts = " ".join(li.get_text(" ") for li in items)
    assert "Salary must be at least 0" in texts
    assert client.get(f"{EMP}/9").status_code == 404


def test_edit_form_shows_decimal_at_the_columns_scale(as_user):
    """GIVEN employee 1 with salary 5000.00 in a NUMERIC(10, 2) column
    WHEN Alex opens its edit form
    THEN the input shows 5000.00 (two places, no thousands separator)."""
    page = as_user(ALEX).get(f"{EMP}/1/edit")
    assert by_testid(page, "field-salary")["value"] == "5000.00"


def test_edit_accepts_decimal_typed_with_thousands_separators(as_user):
    """GIVEN employee 1's edit form
    WHEN Alex types the salary as "90,900.00" and saves
    THEN it is saved as 90900.00."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/1/edit"))
    data["f_salary"] = "90,900.00"
    assert client.post(f"{EMP}/1/edit", data=data).status_code == 302
    page = client.get(f"{EMP}/1/edit")
    assert by_testid(page, "field-salary")["value"] == "90900.00"


def test_form_data_decimal_read_with_more_places_shows_the_columns_scale(world):
    """GIVEN a salary read back as 90900.0000 (as SQL Server's money comes) for a
    NUMERIC(10, 2) column
    WHEN the edit form's initial data is made
    THEN the field shows 90900.00, the column's scale exactly."""
    with world.test_request_context():
        info = get_catalog().get("corp.employees")
        specs = field_specs(info, frozenset(), creating=False, fk_modes={})
        data = form_data(info, specs, {"salary": Decimal("90900.0000")})
    assert data["f_salary"] == "90900.00"
