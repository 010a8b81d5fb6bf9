"""CSV import: encodings, delimiters, mapping, every problem listed, all or nothing."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from app.data import imports
from app.extensions import db
from app.models import AuditLog
from tests.edit.world import ALEX, DANA, LINH, employees
from tests.html import by_testid, soup, text_of

URL = "/t/corp/employees/-/import"
HEADER = "login;first_name;last_name;email;department_id;hire_date;level;salary"


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _person(n: int, dept: int = 1, extra: str = "") -> str:
    return (
        f"CONTOSO\\user{n};Zoë{n};Ölund;user{n}@contoso.com;{dept};"
        f"2024-03-0{n % 9 + 1};2;1234,50{extra}"
    )


def _upload(client, data: bytes, mode: str = "insert"):
    return client.post(
        URL,
        data={"file": (io.BytesIO(data), "people.csv"), "mode": mode},
        content_type="multipart/form-data",
    )


def _apply(client, review):
    form = by_testid(review, "import-apply").find_parent("form")
    data = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    return client.post(form["action"], data=data)


def _count(world, table=employees) -> int:
    with world.app_context():
        return db.session.execute(select(func.count()).select_from(table)).scalar()


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (b"\xef\xbb\xbfa,b\r\n1,\xc3\xa9\r\n", "UTF-8 with BOM", ","),
        (b"a;b\r\n1;\xc3\xa9\r\n", "UTF-8", ";"),
        (b"a\tb\r\n1\t\xe9\r\n", "Windows-1252", "\t"),
    ],
)
def test_parse_detects_encoding_and_delimiter(data, encoding, delimiter):
    """GIVEN files as Excel writes them
    WHEN parsed
    THEN encoding, delimiter and the accented value come out right."""
    parsed = imports.parse(data)
    assert (parsed.encoding, parsed.delimiter) == (encoding, delimiter)
    assert list(parsed.rows) == [["1", "é"]]


def test_import_valid_file_previews_then_inserts_all_with_audit(world, as_user):
    """GIVEN a Windows-1252 semicolon CSV of three new employees
    WHEN Alex uploads it and applies the import
    THEN the review shows a preview, then all rows are inserted, one audit row each."""
    client = as_user(ALEX)
    review = _upload(
        client, _csv(HEADER, *(_person(n) for n in (4, 5, 6)), encoding="cp1252")
    )
    assert review.status_code == 200
    assert "Windows-1252" in text_of(review, "import-file-facts")
    assert len(by_testid(review, "import-preview").select("tbody tr")) == 3
    done = _apply(client, review)
    assert "3 rows inserted" in text_of(done, "import-summary")
    assert _count(world) == 6
    with world.app_context():
        entries = (
            db.session.execute(
                select(AuditLog.__table__).where(AuditLog.action == "import")
            )
            .mappings()
            .all()
        )
    assert len(entries) == 3
    assert json.loads(entries[0]["new_values"])["first_name"] == "Zoë4"


def test_import_lists_every_problem_with_row_and_column_and_writes_nothing(
    world, as_user
):
    """GIVEN a file with an out-of-range level and a bad date
    WHEN uploaded
    THEN every problem is listed with its row and column, and no apply is offered."""
    client = as_user(ALEX)
    lines = [
        HEADER,
        _person(4).replace(";2;", ";300;"),
        _person(5).replace("2024-03-06", "yesterday"),
    ]
    review = _upload(client, _csv(*lines))
    assert review.status_code == 422
    rows = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in soup(review).select('[data-testid="import-problem-row"]')
    ]
    assert rows[0][:2] == ["1", "level"]
    assert rows[1][:2] == ["2", "hire_date"]
    assert len(rows) == 2
    assert not soup(review).select('[data-testid="import-apply"]')
    assert _count(world) == 3


def test_import_duplicate_and_unknown_reference_are_reported(world, as_user):
    """GIVEN well-typed rows with a taken email and a department that does not exist
    WHEN uploaded
    THEN both are reported against their rows."""
    lines = [
        HEADER,
        _person(4).replace("user4@contoso.com", "pchen@contoso.com"),
        _person(5, dept=99),
    ]
    review = _upload(as_user(ALEX), _csv(*lines))
    text = text_of(review, "import-problems")
    assert "another row already has pchen@contoso.com" in text
    assert "no row 99 in corp.departments" in text


def test_import_with_different_headers_uses_the_mapping_step(world, as_user):
    """GIVEN headers that match no column
    WHEN the user maps them and checks again
    THEN the rows validate and import."""
    client = as_user(ALEX)
    other = "Login,Given,Family,Mail,Dept,Hired"
    data = _csv(other, "CONTOSO\\zz,Zed,Zulu,zz@contoso.com,2,2024-01-02")
    first = _upload(client, data)
    assert first.status_code == 422  # required columns missing until mapped
    token = soup(first).select_one('input[name="token"]')["value"]
    mapping = [
        "login",
        "first_name",
        "last_name",
        "email",
        "department_id",
        "hire_date",
    ]
    form = {"token": token, "mode": "insert"}
    form.update({f"map-{i}": name for i, name in enumerate(mapping)})
    review = client.post(URL, data=form)
    assert review.status_code == 200, text_of(review, "import-problems")
    _apply(client, review)
    assert _count(world) == 4


def test_import_hidden_column_header_is_refused(world, as_user):
    """GIVEN Dana, for whom secret_notes is hidden
    WHEN her CSV maps a column onto secret_notes
    THEN the file is refused and nothing is written."""
    form_line = HEADER + ";secret_notes"
    review = _upload(as_user(DANA), _csv(form_line, _person(4) + ";x"))
    assert review.status_code in (200, 422)
    mapping = [o.get("value") for o in soup(review).select("select option[selected]")]
    assert "secret_notes" not in mapping
    token = soup(review).select_one('input[name="token"]')["value"]
    crafted = {"token": token, "mode": "insert", "map-8": "secret_notes"}
    crafted.update({f"map-{i}": n for i, n in enumerate(HEADER.split(";"))})
    forced = as_user(DANA).post(URL + "/apply", data=crafted)
    assert forced.status_code == 422
    assert "not a column" in text_of(forced, "import-problems")
    assert _count(world) == 3


def test_import_upsert_cannot_overwrite_row_outside_filter(world, as_user):
    """GIVEN Dana, who may change department-1 employees only
    WHEN her upsert file carries employee 2 (department 2)
    THEN the row is reported and nothing changes."""
    header = "employee_id;first_name"
    review = _upload(as_user(DANA), _csv(header, "2;Hacked", "3;Jim"), mode="upsert")
    assert review.status_code == 422
    assert "not among the rows you may change" in text_of(review, "import-problems")
    with world.app_context():
        names = db.session.execute(select(employees.c.first_name)).scalars().all()
    assert "Hacked" not in names and "Jim" not in names


def test_import_insert_outside_filter_rolls_back_everything(world, as_user):
    """GIVEN Dana, who may create department-1 employees only
    WHEN her file has one department-1 row and one department-2 row
    THEN nothing is imported."""
    client = as_user(DANA)
    review = _upload(client, _csv(HEADER, _person(4, 1), _person(5, 2)))
    assert (
        review.status_code == 422
        or "outside" in soup(_apply(client, review)).get_text()
    )
    assert _count(world) == 3


def test_import_without_grant_is_403(as_user):
    """GIVEN Linh, who may only read
    WHEN she posts an import
    THEN 403."""
    assert _upload(as_user(LINH), _csv(HEADER, _person(4))).status_code == 403


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04\x00\x00", b"a,a\r\n1,2\r\n", b"\x81\x8d\x8f\x90\x9d"],
)
def test_import_broken_file_is_explained_and_changes_nothing(world, as_user, data):
    """GIVEN an empty, binary (xlsx), duplicate-header or undecodable file
    WHEN uploaded
    THEN a plain problem is shown and nothing is written."""
    response = _upload(as_user(ALEX), data)
    assert response.status_code == 422
    assert text_of(response, "import-problem") or text_of(response, "import-problems")
    assert _count(world) == 3


def test_import_ragged_row_is_reported_with_its_number(world, as_user):
    """GIVEN a row with too few fields
    WHEN uploaded
    THEN the problem names that row."""
    review = _upload(as_user(ALEX), _csv(HEADER, _person(4), "CONTOSO\\x;X"))
    cells = soup(review).select_one('[data-testid="import-problem-row"] td')
    assert cells.get_text(strip=True) == "2"


def test_import_upload_page_breadcrumbs_lead_home_table_import(world, as_user):
    """GIVEN the employees import page
    WHEN Alex opens it
    THEN the crumbs read Home > corp > Employees > Import, the table crumb linking
    to the list and the last one the current page."""
    crumbs = by_testid(as_user(ALEX).get(URL), "breadcrumbs").select("li")
    assert [li.get_text(strip=True) for li in crumbs] == [
        "Home",
        "corp",
        "Employees",
        "Import",
    ]
    assert crumbs[2].a["href"] == "/t/corp/employees"
    assert crumbs[3]["aria-current"] == "page"
