"""The edit and new-row pages as page views (issue 16 forms): the row named in the
title, breadcrumbs and flash; every problem at once; decimals at their scale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select, update

from app import models  # noqa: F401  (the demo models on db.metadata)
from app.catalog import DEFAULT_SETTINGS, catalog_from_metadata, get_catalog
from app.catalog.columns import column_rule
from app.edit.forms import decimal_text, field_specs, form_class, form_data
from app.extensions import db
from app.pages.cells import formatter
from tests.edit.test_conflict_merge import _save
from tests.edit.test_edit_pages import EMP, _form_fields
from tests.edit.world import ALEX, DANA, assets, employees
from tests.html import by_testid, soup, text_of

DEMO = catalog_from_metadata(db.metadata, DEFAULT_SETTINGS)


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


def test_new_row_with_many_problems_lists_them_all_at_once(world, as_user):
    """GIVEN a new employee with an empty first name, a negative salary (CHECK
    salary >= 0), an email another employee has and a department that does not
    exist
    WHEN Alex submits it once
    THEN the summary lists all four problems, each linked to its field, and
    nothing is saved."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/-/new"))
    data.update(
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
    with world.app_context():
        count = db.session.execute(select(func.count()).select_from(employees))
        assert count.scalar() == 3


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


def test_form_and_detail_page_show_every_demo_decimal_at_one_scale():
    """GIVEN every decimal and money column of the demo models
    WHEN the form's input text and the detail page's text of 90900 are made
    THEN they show the same decimal places (the form without separators)."""
    columns = [
        c
        for info in DEMO.tables.values()
        for c in info.columns.values()
        if c.kind in {"decimal", "money"}
    ]
    assert columns
    for column in columns:
        shown = formatter(column, full=True)(Decimal("90900.0000")).text
        typed = decimal_text(Decimal("90900.0000"), column_rule(column).scale)
        assert shown.replace(",", "") == typed, column.name


def test_conflict_page_names_the_row_in_title_and_crumbs(world, as_user):
    """GIVEN Alex and Dana open employee 1; Dana saves a new level
    WHEN Alex saves a new first name
    THEN the conflict page's heading and breadcrumbs name "Employee 1 · ..."."""
    url = f"{EMP}/1/edit"
    alex, dana = as_user(ALEX), as_user(DANA)
    alex_page = alex.get(url)
    assert _save(dana, url, {"level": "1"}).status_code == 302
    conflict = _save(alex, url, {"first_name": "Al"}, page=alex_page)
    assert conflict.status_code == 409
    assert "Employee 1 · " in text_of(conflict, "conflict-title")
    crumbs = _crumbs(conflict)
    assert crumbs[-2].startswith("Employee 1 · ")
    assert crumbs[0] == "Home"


def test_new_row_flash_names_the_created_row(as_user):
    """GIVEN a valid new employee
    WHEN Alex creates it
    THEN the flash names the new row: "Created Employee <its key> · ..."."""
    client = as_user(ALEX)
    data = _form_fields(client.get(f"{EMP}/-/new"))
    data.update(
        f_login="CONTOSO\\nina",
        f_first_name="Nina",
        f_last_name="Berg",
        f_email="nberg@contoso.com",
        f_department_id="1",
        f_hire_date="2024-01-02",
    )
    created = client.post(f"{EMP}/-/new", data=data)
    assert created.status_code == 302
    key = created.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    (flash,) = soup(client.get(created.headers["Location"])).select(
        '[data-testid="flash"]'
    )
    text = " ".join(flash.get_text(" ").split())
    assert text.startswith(f"Created Employee {key} · ")


def test_edit_cross_column_check_is_refused_before_the_database(world, as_user):
    """GIVEN asset 1 and CHECK (retired_on IS NULL OR retired_on >= received_on)
    WHEN Alex saves it retired before it was received
    THEN the form says "Retired on must be after Received on" at the field and in
    the summary, and the row is unchanged."""
    client = as_user(ALEX)
    data = _form_fields(client.get("/t/corp/assets/1/edit"))
    data.update(f_received_on="2024-05-01", f_retired_on="2024-04-01")
    page = client.post("/t/corp/assets/1/edit", data=data)
    assert page.status_code == 422
    (item,) = soup(page).select('[data-testid="problem"]')
    assert item.a["href"] == "#f_retired_on"
    assert "Retired on must be after Received on" in item.get_text(" ")
    with world.app_context():
        row = db.session.execute(select(assets)).mappings().one()
        assert row["retired_on"] is None


def test_new_row_check_between_gives_the_input_min_and_max(as_user):
    """GIVEN employee skills with CHECK (level BETWEEN 1 AND 5) on a tinyint
    WHEN Alex opens the new-row form
    THEN the level input has min 1 and max 5 (not the tinyint's 0..255)."""
    level = by_testid(as_user(ALEX).get("/t/corp/employee_skills/-/new"), "field-level")
    assert (level["min"], level["max"]) == ("1", "5")


def test_form_check_in_list_column_is_a_select_of_the_allowed_values(world):
    """GIVEN the demo tickets' CHECK (status IN ('open', ...))
    WHEN a new-ticket form is built
    THEN status is a select of exactly the allowed values (and an empty choice)."""
    info = DEMO.get("ops.tickets")
    specs = field_specs(info, frozenset(), creating=True, fk_modes={})
    spec = next(s for s in specs if s.column == "status")
    with world.test_request_context(method="GET"):
        form = form_class(info, specs, creating=True)(formdata=None)
        field = form[spec.field_name]
        options = [value for value, *_rest in field.iter_choices()]
        html = str(field())
    assert options == ["", "open", "in_progress", "waiting", "resolved", "closed"]
    assert html.startswith("<select")


def test_cross_column_refusal_never_names_a_hidden_column(world, as_user, policy):
    """GIVEN asset 1 received on 2024-05-01, a received date hidden from Dana, and
    CHECK (retired_on IS NULL OR retired_on >= received_on)
    WHEN Dana saves it retired on 2024-04-01
    THEN nothing is saved and no message names "Received on" (the database's
    refusal names only its constraint)."""
    policy.give(DANA, assets, hidden=frozenset({"received_on"}))
    with world.app_context():
        db.session.execute(update(assets).values(received_on=dt.date(2024, 5, 1)))
        db.session.commit()
    client = as_user(DANA)
    data = _form_fields(client.get("/t/corp/assets/1/edit"))
    data["f_retired_on"] = "2024-04-01"
    page = client.post("/t/corp/assets/1/edit", data=data)
    assert page.status_code == 422
    shown = " ".join(soup(page).get_text(" ").split())
    assert "ck_assets_retired" in shown
    assert "Received on" not in shown and "received_on" not in shown
