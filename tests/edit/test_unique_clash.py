"""Unique clashes and row filters: a duplicate message repeats the value only when
the caller may see the clashing row (forms and imports alike)."""

from __future__ import annotations

import io

from app.edit.forms import field_name
from tests.edit.test_conflict_merge import browser_fields
from tests.edit.world import DANA
from tests.html import by_testid, soup

NEW = "/t/corp/employees/-/new"
IMPORT = "/t/corp/employees/-/import"
HIDDEN_EMAIL = "pchen@contoso.com"  # employee 2, department 2: outside Dana's filter
VISIBLE_EMAIL = "jokafor@contoso.com"  # employee 3, department 1: Dana sees it


def _create(client, email: str):
    data = browser_fields(client.get(NEW), "edit-form")
    data.update(
        {
            "f_login": "CONTOSO\\newbie",
            "f_first_name": "Nia",
            "f_last_name": "Berg",
            "f_email": email,
            "f_department_id": "1",
            "f_hire_date": "2024-05-02",
        }
    )
    return client.post(NEW, data=data)


def _email_errors(response) -> str:
    page = soup(response)
    error = page.select_one(f"#{field_name('email')}-error")
    assert error is not None, "no error under the email field"
    return error.get_text(" ", strip=True)


def test_create_with_email_of_a_visible_row_names_the_value(as_user):
    """GIVEN Dana, who sees department 1's employees only
    WHEN she creates an employee with the email of employee 3 (department 1)
    THEN 422 and the error under Email repeats the clashing value."""
    response = _create(as_user(DANA), VISIBLE_EMAIL)
    assert response.status_code == 422
    expected = f"Another row already has Email = {VISIBLE_EMAIL}."
    assert _email_errors(response) == expected


def test_create_with_email_of_a_hidden_row_does_not_repeat_the_value(as_user):
    """GIVEN Dana, who sees department 1's employees only
    WHEN she creates an employee with the email of employee 2 (department 2)
    THEN 422 and the error under Email says it is taken without repeating the value
    (the row stays unconfirmed beyond the one bit of the refusal)."""
    response = _create(as_user(DANA), HIDDEN_EMAIL)
    assert response.status_code == 422
    message = _email_errors(response)
    assert message == "Another row already has this Email."
    assert HIDDEN_EMAIL not in message


def test_import_clashes_repeat_the_value_only_for_visible_rows(as_user):
    """GIVEN Dana's CSV with one email of a visible and one of a hidden employee
    WHEN she uploads it for review
    THEN the visible clash names its value, the hidden one does not."""
    header = "login;first_name;last_name;email;department_id;hire_date"
    rows = [
        f"CONTOSO\\n1;Nia;Berg;{VISIBLE_EMAIL};1;2024-05-02",
        f"CONTOSO\\n2;Ola;Dahl;{HIDDEN_EMAIL};1;2024-05-03",
    ]
    data = ("\r\n".join([header, *rows]) + "\r\n").encode()
    review = as_user(DANA).post(
        IMPORT,
        data={"file": (io.BytesIO(data), "people.csv"), "mode": "insert"},
        content_type="multipart/form-data",
    )
    problems = {
        tr.select("td")[0].get_text(strip=True): tr.get_text(" ", strip=True)
        for tr in soup(review).select('[data-testid="import-problem-row"]')
    }
    assert set(problems) == {"1", "2"}, problems
    assert VISIBLE_EMAIL in problems["1"]
    assert "another row already has this value" in problems["2"]
    assert HIDDEN_EMAIL not in by_testid(review, "import-problems").get_text()
