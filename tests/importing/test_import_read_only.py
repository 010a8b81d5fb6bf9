"""Import review: columns the edit form shows read-only are skipped, and said so."""

from __future__ import annotations

import io

from tests.edit.world import ALEX
from tests.html import by_testid, soup


def test_import_review_lists_read_only_columns_of_the_file_as_skipped(as_user):
    """GIVEN a CSV exported with the employee's key, rowversion and modified-at
    WHEN Alex uploads it for review
    THEN those columns are listed as skipped, each with why, and the rows are valid."""
    header = "employee_id;login;first_name;last_name;email;department_id;hire_date;"
    header += "modified_at;row_version"
    line = "7;CONTOSO\\nb;Nia;Berg;nb@contoso.com;1;2024-05-02;2024-05-02;0x01"
    data = f"{header}\r\n{line}\r\n".encode()
    review = as_user(ALEX).post(
        "/t/corp/employees/-/import",
        data={"file": (io.BytesIO(data), "people.csv"), "mode": "insert"},
        content_type="multipart/form-data",
    )
    assert by_testid(review, "import-ready")
    skipped = [
        li.get_text(" ", strip=True)
        for li in soup(review).select('[data-testid="import-ignored-row"]')
    ]
    assert skipped == [
        "employee_id : not imported: Employee id is set by the database",
        "modified_at : not imported: Modified at is set by the database",
        "row_version : not imported: Row version is set by the database",
    ]
