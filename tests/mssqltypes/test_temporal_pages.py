"""Temporal (system-versioned) tables: period columns set by the database, the history
table read-only and linked from the table's page."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from tests.html import by_testid, soup
from tests.mssqltypes.conftest import pay_rates

RATES = "/t/corp/pay_rates"
HISTORY = "/t/corp/pay_rates_history"


def test_list_temporal_table_links_to_its_history_table(alex):
    """GIVEN a system-versioned table whose history table the caller may read
    WHEN its list page is shown
    THEN it links to the history table's list."""
    link = by_testid(soup(alex.get(RATES)), "history-table-link")
    assert link is not None and link["href"] == HISTORY


def test_history_table_new_row_form_is_403_read_only(alex):
    """GIVEN the history table of a system-versioned table
    WHEN the new-row form is requested
    THEN it is refused as read-only, saying SQL Server keeps the history."""
    response = alex.get(f"{HISTORY}/-/new")
    assert response.status_code == 403
    assert "history of corp.pay_rates" in soup(response).get_text(" ", strip=True)


def test_edit_form_period_columns_are_read_only_set_by_the_database(alex):
    """GIVEN a row of a system-versioned table
    WHEN its edit form is shown
    THEN ROW START/END are read-only values set by the database, not inputs."""
    page = soup(alex.get(f"{RATES}/1/edit"))
    form = by_testid(page, "edit-form")
    assert form.select_one("[name=f_valid_from]") is None
    value = by_testid(page, "readonly-valid_from").select_one(".tf-readonly-value")
    assert value["title"] == "Read-only: set by the database"


def test_create_post_temporal_table_leaves_period_columns_to_the_database(
    temporal_app, alex
):
    """GIVEN the new-row form of a system-versioned table, with a crafted valid_from
    WHEN it is posted
    THEN the row is inserted and valid_from is the database's, not the crafted one."""
    response = alex.post(
        f"{RATES}/-/new",
        data={"f_pay_rate_id": "2", "f_grade": "C3", "f_valid_from": "2001-01-01"},
    )
    assert response.status_code == 302, soup(response).get_text(" ", strip=True)[:500]
    with temporal_app.app_context():
        row = db.session.execute(
            select(pay_rates).where(pay_rates.c.pay_rate_id == 2)
        ).one()
    assert row.grade == "C3" and row.valid_from.year != 2001
