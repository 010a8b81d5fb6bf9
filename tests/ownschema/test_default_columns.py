"""A column with a default is editable (issue 13 item 4): ops.tickets.opened_at,
``DEFAULT (sysdatetime())``, can be set and corrected, by a form and by an import;
left empty on a new row, the default applies."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.generated.ops import OpsTicket
from tests.functional.demo_world import ADMIN, build_demo_app, fresh_form
from tests.html import by_testid, soup

NEW = "/t/ops/tickets/-/new"
IMPORT = "/t/ops/tickets/-/import"
SET = dt.datetime(2025, 3, 4, 8, 15)


@pytest.fixture
def demo(tmp_path):
    return build_demo_app(tmp_path, TABLEFRONT_TEST_CSRF="0")


@pytest.fixture
def client(demo):
    c = demo.test_client()
    c.environ_base.update({"REMOTE_USER": ADMIN, "AUTH_TYPE": "Negotiate"})
    return c


def ticket(demo, title: str) -> OpsTicket | None:
    with demo.app_context():
        found = db.session.execute(
            select(OpsTicket).where(OpsTicket.title == title)
        ).scalar_one_or_none()
        db.session.expunge_all()
        return found


def new_ticket(client, title: str, opened_at: str) -> dict[str, str]:
    form = fresh_form(client, NEW)
    form.update(
        f_title=title,
        f_category="hardware",
        f_priority="2",
        f_status="open",
        f_opened_by="1",
        f_opened_at=opened_at,
    )
    return form


def test_create_form_opened_at_with_a_default_is_an_input(client):
    """GIVEN ops.tickets, whose opened_at has DEFAULT sysdatetime()
    WHEN the admin opens the new-ticket form
    THEN opened_at is a field to fill in, not a value the database sets."""
    page = soup(client.get(NEW))
    assert page.select_one('input[name="f_opened_at"]') is not None


def test_create_opened_at_given_is_stored(client, demo):
    """GIVEN the new-ticket form WHEN the admin posts opened_at 2025-03-04 08:15
    THEN the new ticket has that opened_at, not the server's clock."""
    response = client.post(
        NEW, data=new_ticket(client, "Set by hand", "2025-03-04T08:15")
    )
    assert response.status_code == 302
    assert ticket(demo, "Set by hand").opened_at == SET


def test_create_opened_at_left_empty_gets_the_default(client, demo):
    """GIVEN the new-ticket form WHEN the admin leaves opened_at empty
    THEN the ticket is created and the default (the server's clock) fills it."""
    before = dt.datetime.now() - dt.timedelta(days=2)
    response = client.post(NEW, data=new_ticket(client, "Left empty", ""))
    assert response.status_code == 302
    assert ticket(demo, "Left empty").opened_at > before


def test_edit_opened_at_can_be_corrected(client, demo):
    """GIVEN a ticket WHEN the admin changes its opened_at on the edit form
    THEN the corrected value is saved."""
    client.post(NEW, data=new_ticket(client, "To correct", "2025-03-01T08:00"))
    found = ticket(demo, "To correct")
    path = f"/t/ops/tickets/{found.ticket_id}/edit"
    form = {**fresh_form(client, path), "f_opened_at": "2025-03-04T08:15"}
    assert client.post(path, data=form).status_code == 302
    assert ticket(demo, "To correct").opened_at == SET


def upload(client, header: str, line: str):
    data = f"{header}\r\n{line}\r\n".encode()
    return client.post(
        IMPORT,
        data={"file": (io.BytesIO(data), "tickets.csv"), "mode": "insert"},
        content_type="multipart/form-data",
    )


def apply(client, review):
    form = by_testid(review, "import-apply").find_parent("form")
    data = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    return client.post(form["action"], data=data)


def test_import_opened_at_in_the_file_is_imported(client, demo):
    """GIVEN a CSV of one ticket with an opened_at column
    WHEN the admin imports it
    THEN opened_at is mapped (not skipped as set by the database) and stored."""
    header = "title;category;priority;status;opened_by;opened_at"
    review = upload(client, header, "Imported;hardware;2;open;1;2025-03-04 08:15")
    skipped = soup(review).select('[data-testid="import-ignored-row"]')
    assert not [li for li in skipped if "opened_at" in li.get_text()]
    apply(client, review)
    assert ticket(demo, "Imported").opened_at == SET


def test_import_opened_at_empty_gets_the_default(client, demo):
    """GIVEN a CSV whose opened_at cell is empty WHEN the admin imports it
    THEN the row is added and the default fills opened_at."""
    with demo.app_context():
        count = db.session.execute(select(func.count()).select_from(OpsTicket)).scalar()
    header = "title;category;priority;status;opened_by;opened_at"
    apply(client, upload(client, header, "Empty date;hardware;2;open;1;"))
    found = ticket(demo, "Empty date")
    assert found is not None and found.opened_at is not None
    with demo.app_context():
        after = db.session.execute(select(func.count()).select_from(OpsTicket)).scalar()
    assert after == count + 1
