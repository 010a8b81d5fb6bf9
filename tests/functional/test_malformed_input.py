"""Malformed input in URLs gives a clear 400 or 404, never a 500 (issue 14, item 5).

Each case once raised inside the app: ``'²'.isdigit()`` is True but ``int('²')``
fails; integers past 64 bits overflow the SQLite driver (and SQL Server's types);
adding a day to 9999-12-31 overflows ``datetime``.
"""

from __future__ import annotations

import pytest

from tests.functional.demo_world import ADMIN, LogProblems, build_demo_app, fresh_form
from tests.html import by_testid, soup, text_of

PAST_64_BITS = str(2**64)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    return build_demo_app(tmp_path_factory.mktemp("malformed"))


@pytest.fixture
def admin(demo_app):
    client = demo_app.test_client()
    client.environ_base["REMOTE_USER"] = ADMIN
    with LogProblems() as problems:
        client.problems = problems
        yield client
    assert problems.take() == []


def test_list_size_superscript_digit_answers_400_with_the_allowed_sizes(admin):
    """GIVEN size=² (isdigit() says yes, int() says no)
    WHEN the list page is asked for
    THEN 400 says what a page size must be."""
    response = admin.get("/t/hr/employees", query_string={"size": "²"})
    assert response.status_code == 400
    assert "Page size must be a whole number from 1 to" in text_of(response, "error")


def test_audit_before_superscript_digit_answers_400_bad_page(admin):
    """GIVEN /audit?before=² WHEN the admin opens it THEN 400 "Bad page"."""
    response = admin.get("/audit", query_string={"before": "²"})
    assert response.status_code == 400
    assert "Bad page" in text_of(response, "error")


def test_audit_before_past_64_bits_answers_400_bad_page(admin):
    """GIVEN /audit?before=2**64 WHEN the admin opens it THEN 400 "Bad page"."""
    response = admin.get("/audit", query_string={"before": PAST_64_BITS})
    assert response.status_code == 400
    assert "Bad page" in text_of(response, "error")


def test_audit_until_last_day_of_the_calendar_answers_the_log(admin):
    """GIVEN /audit?until=9999-12-31 (no day after it)
    WHEN the admin opens it THEN the audit log answers 200."""
    response = admin.get("/audit", query_string={"until": "9999-12-31"})
    assert response.status_code == 200
    assert soup(response).find("h1") is not None


@pytest.mark.parametrize("suffix", ["", "/edit", "/delete", "/history"])
def test_row_key_past_64_bits_answers_404(admin, suffix):
    """GIVEN a row key of 2**64 for an INT key WHEN any row page is opened
    THEN 404 "no such row", as for any key that names no row."""
    response = admin.get(f"/t/hr/employees/{PAST_64_BITS}{suffix}")
    assert response.status_code == 404
    assert "no such row" in text_of(response, "error")


def test_row_key_superscript_digit_answers_404(admin):
    """GIVEN a row key '²' WHEN the detail page is opened THEN 404."""
    response = admin.get("/t/hr/employees/%C2%B2")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("hr.employees", "employee_id", PAST_64_BITS, "out of range"),
        ("hr.employees", "employee_id", str(2**31), "out of range"),
        ("ops.tickets", "priority", "256", "out of range (0 to 255)"),
        ("ops.asset_types", "depreciation_months", "32768", "out of range"),
        ("hr.leave_requests", "days", "1000", "out of range (-999.9 to 999.9)"),
        ("hr.leave_requests", "days", "1.25", "at most 1 decimal places"),
        ("hr.employees", "salary", "922337203685478", "out of range"),
        ("hr.employees", "employee_id", "²", "not a whole number"),
    ],
)
def test_filter_value_outside_its_column_type_answers_400_with_the_range(
    admin, table, column, value, message
):
    """GIVEN a filter value the column's SQL type cannot hold
    WHEN the list is filtered on it THEN 400 says the range, before any SQL runs."""
    schema, name = table.split(".")
    response = admin.get(
        f"/t/{schema}/{name}", query_string={"fc": column, "fo": "eq", "fv": value}
    )
    assert response.status_code == 400
    assert message in text_of(response, "error")


@pytest.mark.parametrize("op", ["eq", "gte"])
def test_day_filter_on_or_after_the_last_calendar_day_answers_no_rows(admin, op):
    """GIVEN a day filter "on" or "from" 9999-12-31 on a DATETIME2 column (no day
    after it) WHEN the list is filtered THEN 200 with the empty state."""
    response = admin.get(
        "/t/ops/tickets",
        query_string={"fc": "opened_at", "fo": op, "fv": "9999-12-31"},
    )
    assert response.status_code == 200
    assert by_testid(response, "empty-state") is not None


def test_day_filter_up_to_the_last_calendar_day_answers_every_dated_row(admin):
    """GIVEN a day filter "to" 9999-12-31 on a DATETIME2 column WHEN the list is
    filtered THEN 200 with rows (every ticket has an opened_at)."""
    response = admin.get(
        "/t/ops/tickets",
        query_string={"fc": "opened_at", "fo": "lte", "fv": "9999-12-31"},
    )
    assert response.status_code == 200
    assert soup(response).select("table tbody tr")


@pytest.mark.parametrize("text", ["²", PAST_64_BITS, "-" + PAST_64_BITS])
def test_lookup_text_no_key_can_hold_matches_labels_only(admin, text):
    """GIVEN lookup text that no INT key can equal ('²', past 64 bits)
    WHEN the foreign-key lookup is asked THEN 200 with label matches (none here)."""
    response = admin.get(
        "/t/ops/tickets/-/lookup/assigned_to", query_string={"q": text}
    )
    assert response.status_code == 200
    assert soup(response).find_all("option") == []


def test_lookup_key_number_still_finds_its_row(admin):
    """GIVEN lookup text that is an employee id WHEN the lookup is asked
    THEN that employee is among the options (the key match still works)."""
    response = admin.get("/t/ops/tickets/-/lookup/assigned_to", query_string={"q": "1"})
    values = [o["value"] for o in soup(response).find_all("option")]
    assert "1" in values


def test_edit_decimal_signaling_nan_answers_422_with_the_field_error(admin):
    """GIVEN a product's edit form posted back with unit cost "sNaN" (a Decimal
    that WTForms' NumberRange cannot compare: found by the route fuzz)
    WHEN it is saved THEN 422 with "is not a number" at the field."""
    path = "/t/sales/products/1/edit"
    form = {**fresh_form(admin, path), "f_unit_cost": "sNaN"}
    response = admin.post(path, data=form)
    assert response.status_code == 422
    error = soup(response).select_one("#f_unit_cost-error")
    assert error is not None
    assert "is not a number" in error.get_text(" ")
