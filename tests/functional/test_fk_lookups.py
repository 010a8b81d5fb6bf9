"""FK lookups find a row by any words of its label or by its key; a required FK to
the ``[caller]`` table starts as the caller's own row (issue 16, forms)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.catalog import get_catalog
from app.data.lookups import caller_defaults
from app.extensions import db
from app.identity import parse_account
from tests.functional.demo_world import ADMIN, EMPLOYEE, build_demo_app
from tests.html import soup

LOOKUP = "/t/ops/tickets/-/lookup/assigned_to"


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    return build_demo_app(tmp_path_factory.mktemp("lookups"))


def _client(app, login: str):
    client = app.test_client()
    client.environ_base["REMOTE_USER"] = login
    return client


@pytest.fixture
def admin(demo_app):
    return _client(demo_app, ADMIN)


@pytest.fixture(scope="module")
def person(demo_app) -> tuple[int, str, str]:
    """An employee (id, first name, last name) whose last name is long enough."""
    table = db.metadata.tables["hr.employees"]
    with demo_app.app_context():
        stmt = select(table.c.employee_id, table.c.first_name, table.c.last_name)
        rows = db.session.execute(stmt.order_by(table.c.employee_id)).all()
    return next(tuple(r) for r in rows if len(r[2]) >= 5 and " " not in r[2])


def _found(client, text: str) -> list[str]:
    response = client.get(LOOKUP, query_string={"q": text})
    assert response.status_code == 200
    return [o["value"] for o in soup(response).find_all("option")]


def test_lookup_first_name_and_start_of_last_name_finds_the_person(admin, person):
    """GIVEN an employee "Sofia Williams"
    WHEN the lookup is asked for "sofia wil" (lower case, two words)
    THEN that employee is among the matches."""
    key, first, last = person
    assert str(key) in _found(admin, f"{first.lower()} {last[:3].lower()}")


def test_lookup_start_of_the_second_word_alone_finds_the_person(admin, person):
    """GIVEN an employee "Sofia Williams"
    WHEN the lookup is asked for "WIL" (the start of the last name, upper case)
    THEN that employee is among the matches."""
    key, _first, last = person
    assert str(key) in _found(admin, last[:3].upper())


def test_lookup_words_must_all_match(admin, person):
    """GIVEN an employee "Sofia Williams"
    WHEN the lookup is asked for "sofia zzqx" (a second word no label has)
    THEN nothing matches."""
    _key, first, _last = person
    assert _found(admin, f"{first} zzqx") == []


def test_lookup_key_finds_only_that_row(admin):
    """GIVEN employee 8 (no label has a word starting with "8")
    WHEN the lookup is asked for "8"
    THEN employee 8 is the one match."""
    assert _found(admin, "8") == ["8"]


def test_caller_defaults_give_own_row_for_required_caller_fk(demo_app):
    """GIVEN lnguyen, who has a row in hr.employees (the [caller] table)
    WHEN the new-ticket defaults are asked for
    THEN opened_by (NOT NULL) is lnguyen's employee_id; assigned_to (NULL) is left."""
    table = db.metadata.tables["hr.employees"]
    with demo_app.test_request_context():
        own = db.session.execute(
            select(table.c.employee_id).where(table.c.login == EMPLOYEE)
        ).scalar_one()
        info = get_catalog().get("ops.tickets")
        defaults = caller_defaults(parse_account(EMPLOYEE), get_catalog(), info)
    assert defaults == {"opened_by": own}


def test_new_ticket_form_starts_with_the_caller_as_opener(demo_app):
    """GIVEN the admin (amorgan, employee row in hr.employees)
    WHEN he opens the new-ticket form
    THEN the Opened by field holds his own employee_id."""
    table = db.metadata.tables["hr.employees"]
    with demo_app.app_context():
        own = db.session.execute(
            select(table.c.employee_id).where(table.c.login == ADMIN)
        ).scalar_one()
    page = soup(_client(demo_app, ADMIN).get("/t/ops/tickets/-/new"))
    field = page.select_one('[name="f_opened_by"]')
    chosen = field.select_one("option[selected]") if field.name == "select" else None
    value = chosen["value"] if chosen is not None else field.get("value")
    assert value == str(own)


def test_lookup_matches_a_later_word_inside_one_label_column(demo_app, admin):
    """GIVEN a department whose name has two words ("Field Sales")
    WHEN the employees' department lookup is asked for the second word's start
    THEN that department is among the matches."""
    table = db.metadata.tables["hr.departments"]
    with demo_app.app_context():
        rows = db.session.execute(select(table.c.department_id, table.c.name)).all()
    key, name = next((k, n) for k, n in rows if len(n.split()) > 1)
    second = name.split()[1]
    response = admin.get(
        "/t/hr/employees/-/lookup/department_id", query_string={"q": second[:3]}
    )
    assert str(key) in [o["value"] for o in soup(response).find_all("option")]
