"""Views that bypass a table's row filter: the start-up warning, /admin/access, and
the shipped policy's filtered sales view (issue 14 item 8)."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from app.access.policy import EXTENSION_KEY
from app.extensions import db
from tests.access.test_pages import sections

SHIPPED = Path(__file__).resolve().parents[2] / "app" / "settings" / "access.toml"
ADMIN = {"REMOTE_USER": "CONTOSO\\amorgan"}
SALES_REP = {"REMOTE_USER": "CONTOSO\\dkowalski"}
# The hole as it shipped: the sales role reads the order totals view unfiltered
# while it reads sales.orders only through "sales_rep_id = caller.employee_id".
UNFILTERED_VIEW_GRANT = """
[[roles.sales.grants]]
tables = ["sales.v_order_totals"]
actions = ["read"]
"""


@pytest.fixture
def holed_access_file(tmp_path) -> Path:
    """The shipped access file plus an unfiltered read of the sales view."""
    path = tmp_path / "access.toml"
    path.write_text(SHIPPED.read_text(encoding="utf-8") + UNFILTERED_VIEW_GRANT)
    return path


def view_warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "reads view" in r.getMessage()
    ]


def test_startup_shipped_policy_warns_about_no_view(make_app, caplog):
    """GIVEN the shipped access.toml WHEN the app starts
    THEN no view is reported as bypassing a row filter."""
    with caplog.at_level(logging.WARNING):
        app = make_app()
    assert app.extensions[EXTENSION_KEY].warnings == ()
    assert view_warnings(caplog) == []


def test_startup_unfiltered_view_over_filtered_table_logs_named_warning(
    make_app, holed_access_file, caplog
):
    """GIVEN the sales role reads sales.v_order_totals unfiltered but sales.orders
    only through a row filter
    WHEN the app starts
    THEN a warning names the role, the view and the filtered table (and no other
    role: admin reads everything unfiltered)."""
    with caplog.at_level(logging.WARNING):
        make_app(TABLEFRONT_ACCESS_FILE=str(holed_access_file))
    warnings = view_warnings(caplog)
    orders = [w for w in warnings if "reads sales.orders," in w]
    assert len(orders) == 1
    assert (
        "role 'sales' reads view sales.v_order_totals without a row filter"
        in (orders[0])
    )
    assert all("role 'sales'" in w for w in warnings)


def test_admin_access_unfiltered_view_over_filtered_table_shows_warning(
    make_app, holed_access_file
):
    """GIVEN the holed policy WHEN an admin opens /admin/access
    THEN the page's warning box names the role, the view and the table."""
    app = make_app(TABLEFRONT_ACCESS_FILE=str(holed_access_file))
    response = app.test_client().get("/admin/access", environ_base=ADMIN)
    box = sections(response.data).get("access-warnings", "")
    assert "role 'sales' reads view sales.v_order_totals" in box
    assert "sales.orders" in box


def test_admin_access_shipped_policy_shows_no_warning_box(client):
    """GIVEN the shipped policy WHEN an admin opens /admin/access
    THEN there is no warning box."""
    response = client.get("/admin/access", environ_base=ADMIN)
    assert response.status_code == 200
    assert "access-warnings" not in sections(response.data)


def test_sales_rep_order_totals_view_lists_only_own_orders(make_app):
    """GIVEN the demo database and the shipped policy
    WHEN the sales rep (dkowalski) exports sales.v_order_totals
    THEN it holds exactly the orders whose sales rep he is, not every order."""
    app = make_app()
    result = app.test_cli_runner().invoke(
        args=["tablefront", "demo", "init", "--scale", "0.02"]
    )
    assert result.exit_code == 0, result.output
    response = app.test_client().get(
        "/t/sales/v_order_totals/-/export.csv", environ_base=SALES_REP
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    order_column = next(iter(rows[0]))  # the view's first column: the order id
    shown = {int(row[order_column]) for row in rows}
    with app.app_context():
        tables = db.metadata.tables
        employees, orders = tables["hr.employees"], tables["sales.orders"]
        rep_id = select(employees.c.employee_id).where(
            employees.c.login == "CONTOSO\\dkowalski"
        )
        own = set(
            db.session.scalars(
                select(orders.c.order_id).where(orders.c.sales_rep_id.in_(rep_id))
            )
        )
        every = db.session.scalar(select(db.func.count()).select_from(orders))
    assert shown == own
    assert 0 < len(shown) < every
