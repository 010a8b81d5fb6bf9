"""XLSX uploads import like CSV; the upload page offers CSV and XLSX templates."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io

import openpyxl
from sqlalchemy import select

from app.extensions import db
from tests.edit.world import ALEX, LINH, employees
from tests.html import by_testid, soup, text_of
from tests.importing.test_import import URL, _apply, _count

COLUMNS = [
    "login",
    "first_name",
    "last_name",
    "email",
    "department_id",
    "hire_date",
    "level",
    "salary",
]


def _workbook(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _person(n: int) -> list:
    return [
        f"CONTOSO\\xl{n}",
        f"Zoë{n}",
        "Ölund",
        f"xl{n}@contoso.com",
        1,  # a number cell
        dt.datetime(2024, 3, n),  # a date cell
        2,
        1234.5,  # a float cell
    ]


def _upload(client, data: bytes, name: str = "people.xlsx"):
    return client.post(
        URL,
        data={"file": (io.BytesIO(data), name), "mode": "insert"},
        content_type="multipart/form-data",
    )


def test_import_xlsx_previews_then_inserts_typed_values(world, as_user):
    """GIVEN a workbook of two new employees with number and date cells
    WHEN Alex uploads it and applies the import
    THEN the review says "Excel workbook", both rows are inserted with the values
    the cells held (date, integer, decimal)."""
    client = as_user(ALEX)
    review = _upload(client, _workbook(_person(4), _person(5)))
    assert review.status_code == 200
    assert "Excel workbook" in text_of(review, "import-file-facts")
    done = _apply(client, review)
    assert "2 rows inserted" in text_of(done, "import-summary")
    assert _count(world) == 5
    with world.app_context():
        row = db.session.execute(
            select(employees).where(employees.c.login == "CONTOSO\\xl4")
        ).one()
    assert (row.hire_date, row.department_id, row.salary) == (
        dt.date(2024, 3, 4),
        1,
        decimal.Decimal("1234.50"),
    )


def test_import_xlsx_bad_cell_is_reported_with_its_row(world, as_user):
    """GIVEN a workbook whose second row has text in the level column
    WHEN Alex uploads it
    THEN the review lists a problem on row 2 and nothing is written."""
    bad = _person(5)
    bad[6] = "high"
    review = _upload(as_user(ALEX), _workbook(_person(4), bad))
    cells = soup(review).select_one('[data-testid="import-problem-row"] td')
    assert cells.get_text(strip=True) == "2"
    assert _count(world) == 3


def test_import_broken_zip_is_explained(world, as_user):
    """GIVEN a file that starts like a zip but is not a workbook
    WHEN uploaded
    THEN 422 says it is not a readable Excel workbook; nothing is written."""
    response = _upload(as_user(ALEX), b"PK\x03\x04\x00\x00garbage")
    assert response.status_code == 422
    assert "Excel workbook" in text_of(response, "import-problem")
    assert _count(world) == 3


def test_import_template_csv_is_the_importable_header(world, as_user):
    """GIVEN the employees table (row_version and the identity key are managed)
    WHEN Alex downloads the CSV template from the upload page's link
    THEN it is one header row naming every importable column, nothing else."""
    client = as_user(ALEX)
    link = by_testid(client.get(URL), "import-template-csv")["href"]
    response = client.get(link)
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1
    assert set(COLUMNS) <= set(rows[0])
    assert "row_version" not in rows[0] and "employee_id" not in rows[0]


def test_import_template_xlsx_sample_row_imports_cleanly(world, as_user):
    """GIVEN the XLSX template (header + one sample row)
    WHEN it is downloaded, its sample row given unique values, and uploaded
    THEN the review finds no problem in the sample's typed cells."""
    client = as_user(ALEX)
    link = by_testid(client.get(URL), "import-template-xlsx")["href"]
    body = client.get(link).get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    header = [c.value for c in sheet[1]]
    sample = [c.value for c in sheet[2]]
    assert sheet.freeze_panes == "A2" and len(sample) == len(header)
    values = dict(zip(header, sample, strict=True))
    values.update(login="CONTOSO\\tpl", email="tpl@contoso.com", department_id=1)
    values.update(level=2)
    book = openpyxl.Workbook()
    book.active.append(header)
    book.active.append([values[h] for h in header])
    buffer = io.BytesIO()
    book.save(buffer)
    review = _upload(client, buffer.getvalue())
    assert review.status_code == 200
    assert by_testid(review, "import-apply") is not None


def test_import_template_needs_the_import_action(world, as_user):
    """GIVEN Linh, who may only read employees
    WHEN she asks for the XLSX template
    THEN 403."""
    response = as_user(LINH).get("/t/corp/employees/-/import/template.xlsx")
    assert response.status_code == 403
