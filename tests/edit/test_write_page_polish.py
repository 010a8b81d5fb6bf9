"""Presentation of the write pages: flash messages, typed values on the conflict and
delete pages, CSV line numbers in the import preview."""

from __future__ import annotations

from tests.edit.test_edit_pages import EMP, _form_fields
from tests.edit.world import ALEX, DANA
from tests.html import by_testid, soup
from tests.importing.test_import import HEADER, _csv, _person, _upload


def test_flash_after_delete_is_marked_for_tests_and_names_the_row(world, as_user):
    """GIVEN asset 1
    WHEN Alex deletes it and opens the next page
    THEN that page shows exactly one flash message, data-testid="flash", naming
    the deleted row."""
    client = as_user(ALEX)
    token = by_testid(client.get("/t/corp/assets/1/delete"), "original-token")
    deleted = client.post(
        "/t/corp/assets/1/delete", data={"original_token": token["value"]}
    )
    assert deleted.status_code == 302
    response = client.get(f"{EMP}/1")  # any page shows the waiting message
    assert response.status_code == 200
    (flash,) = soup(response).select('[data-testid="flash"]')
    assert flash.get_text(" ", strip=True).startswith("Deleted Asset 1")
    assert flash["role"] == "alert"


def _detail_values(client, url: str) -> dict[str, str]:
    """column -> the text the detail page shows for it."""
    page = soup(client.get(url))
    return {
        row["data-column"]: " ".join(
            row.select_one('[data-testid="field-value"]').get_text(" ").split()
        )
        for row in page.select('[data-testid="field"]')
    }


def _text(tag) -> str:
    return " ".join(tag.get_text(" ").split())


def test_delete_page_shows_values_as_the_detail_page_does(as_user):
    """GIVEN employee 1 (a date, a boolean, money, a foreign key to a department)
    WHEN Alex opens its delete confirmation
    THEN every value reads exactly as on the detail page: the department by its
    label (linked), the boolean as the detail page's yes mark, not True/1."""
    client = as_user(ALEX)
    detail = _detail_values(client, f"{EMP}/1")
    page = soup(client.get(f"{EMP}/1/delete"))
    shown = {
        dd["data-testid"].removeprefix("delete-value-"): _text(dd)
        for dd in page.select('[data-testid^="delete-value-"]')
    }
    assert shown and shown == {c: detail[c] for c in shown}
    assert shown["department_id"] == "Information Technology"
    assert shown["is_active"] not in ("True", "1")
    assert shown["hire_date"] == "2019-04-01"
    department = page.select_one('[data-testid="delete-value-department_id"] a')
    assert department["href"].endswith("/t/corp/departments/1")


def test_delete_page_leaves_hidden_columns_out(as_user):
    """GIVEN Dana, from whom secret_notes is hidden
    WHEN she opens the delete confirmation of employee 1
    THEN the hidden column is not among the values."""
    page = soup(as_user(DANA).get(f"{EMP}/1/delete"))
    assert page.select('[data-testid^="delete-value-"]')
    assert not page.select('[data-testid="delete-value-secret_notes"]')
    assert "likes tea" not in page.get_text()


def test_conflict_page_shows_both_versions_formatted_like_detail(world, as_user):
    """GIVEN Dana saved employee 1 as inactive while Alex had it open
    WHEN Alex saves a move to department 2
    THEN theirs and yours read as the detail page formats them: booleans as marks
    with yes/no, departments by label (not linked: leaving would lose the input)."""
    alex, dana = as_user(ALEX), as_user(DANA)
    mine = _form_fields(alex.get(f"{EMP}/1/edit"))
    theirs = _form_fields(dana.get(f"{EMP}/1/edit"))
    theirs.pop("f_is_active", None)  # unticked checkbox: not sent
    assert dana.post(f"{EMP}/1/edit", data=theirs).status_code == 302
    mine["f_department_id"] = "2"
    conflict = alex.post(f"{EMP}/1/edit", data=mine)
    assert conflict.status_code == 409
    detail = _detail_values(alex, f"{EMP}/1")  # their version, now saved
    page = soup(conflict)
    for column in ("is_active", "department_id", "hire_date", "salary", "level"):
        cell = by_testid(page, f"theirs-{column}")
        assert _text(cell) == detail[column], column
    assert by_testid(page, "theirs-is_active").span["title"] == "no"
    assert by_testid(page, "yours-is_active").span["title"] == "yes"
    assert _text(by_testid(page, "theirs-department_id")) == "Information Technology"
    assert _text(by_testid(page, "yours-department_id")) == "Human Resources"
    assert not by_testid(page, "yours-department_id").select("a")
    differs = {
        tr["data-testid"].removeprefix("conflict-row-")
        for tr in page.select("tr.tf-differs")
    }
    assert differs == {"is_active", "department_id"}


def _preview_numbers(review) -> list[str]:
    return [
        _text(td)
        for td in soup(review).select('[data-testid="import-preview-row-number"]')
    ]


def test_import_preview_numbers_rows_as_the_problem_list_does(as_user):
    """GIVEN a CSV whose row 2 has a bad date and row 3 too few fields
    WHEN it is uploaded for review
    THEN the preview shows rows 1 and 4 numbered 1 and 4 (not 1 and 2), the numbers
    the problem list uses for the rows around them."""
    lines = [
        HEADER,
        _person(4),
        _person(5).replace("2024-03-06", "yesterday"),
        "CONTOSO\\x;X",
        _person(7),
    ]
    review = _upload(as_user(ALEX), _csv(*lines))
    problem_rows = [
        _text(tr.select_one("td"))
        for tr in soup(review).select('[data-testid="import-problem-row"]')
    ]
    assert problem_rows == ["2", "3"]
    assert _preview_numbers(review) == ["1", "4"]
    rows = soup(review).select('[data-testid="import-preview-row"]')
    assert "Zoë7" in _text(rows[1])


def test_import_preview_marks_the_duplicate_on_its_own_row(as_user):
    """GIVEN a CSV whose rows 1 and 2 are valid and row 3 repeats row 1's email
    WHEN it is uploaded for review
    THEN the preview numbers them 1, 2, 3 and only row 3 is marked as a problem."""
    lines = [
        HEADER,
        _person(4),
        _person(5),
        _person(6).replace("user6@", "user4@"),
    ]
    review = _upload(as_user(ALEX), _csv(*lines))
    assert _preview_numbers(review) == ["1", "2", "3"]
    marked = [
        tr["data-row"]
        for tr in soup(review).select('[data-testid="import-preview-row"]')
        if "table-danger" in tr.get("class", [])
    ]
    assert marked == ["3"]
