"""Bypass tests: one access policy on every read path (issue 5, item 3).

The caller under test, CONTOSO\\lnguyen, holds only the ``staff`` role: employees
and leave requests of her own department (salary, notes, email and the leave comment
hidden), departments read-only, nothing in ``ops`` or ``sales``. Every "absent"
assertion is paired with the same page for the admin, who may see everything, so a
page that silently broke would fail the pair. World: tests/access/bypass_world.py.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from app.catalog import get_catalog
from tests.access.bypass_world import (
    ADMIN_LOGIN,
    INVISIBLE_LEAVES,
    INVISIBLE_PEOPLE,
    LEAVES,
    PEOPLE,
    SITE,
    STAFF_LOGIN,
    VISIBLE_LEAVES,
    VISIBLE_PEOPLE,
    access_toml,
    build_world,
    person,
    seed_template,
)
from tests.html import by_testid, soup, text_of

JSON = {"Accept": "application/json"}
HIDDEN_EMPLOYEE_COLUMNS = ("salary", "notes", "email")
STAFF_TABLES = {"hr.departments", "hr.employees", "hr.leave_requests"}


# --- fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """The demo tables with the bypass world's rows, built once per module."""
    return seed_template(tmp_path_factory.mktemp("bypass-template"))


@pytest.fixture
def make_world(make_app, tmp_path, test_environ, template_db) -> Callable[..., Flask]:
    """Build an app (``make_app``) over a fresh copy of the seeded database."""
    db_dir = Path(test_environ["TABLEFRONT_EMBEDDED_DB_DIR"])

    def make(access: str | None = None) -> Flask:
        return build_world(make_app, tmp_path, template_db, db_dir, access)

    return make


@pytest.fixture
def world(make_world) -> Flask:
    return make_world()


def client_for(app: Flask, login: str) -> FlaskClient:
    """A test client signed in as ``login``, as IIS would pass it."""
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": login, "AUTH_TYPE": "Negotiate"})
    return client


@pytest.fixture
def staff(world) -> FlaskClient:
    return client_for(world, STAFF_LOGIN)


@pytest.fixture
def admin(world) -> FlaskClient:
    return client_for(world, ADMIN_LOGIN)


# --- reading pages and files --------------------------------------------------------


def employee_url(employee_id: int) -> str:
    return f"/t/hr/employees/{employee_id}"


def leave_url(leave_request_id: int) -> str:
    return f"/t/hr/leave_requests/{leave_request_id}"


def ok_soup(response) -> BeautifulSoup:
    """The parsed page, after checking it rendered."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return soup(response)


def strings(doc: BeautifulSoup) -> list[str]:
    """Every text node and attribute value of a page (where a leak could hide)."""
    found = [s for s in doc.strings if s.strip()]
    for tag in doc.find_all(True):
        for value in tag.attrs.values():
            found += value if isinstance(value, list) else [value]
    return found


def found_in(doc: BeautifulSoup, needles: list[str]) -> set[str]:
    """The needles that occur (case-insensitively) anywhere in the page's strings."""
    haystack = [s.lower() for s in strings(doc)]
    return {n for n in needles if any(n.lower() in s for s in haystack)}


def result_links(doc: BeautifulSoup) -> set[str]:
    """Row links of the list's results."""
    return {
        a["href"]
        for a in doc.select('[data-testid="results"] a[data-testid="row-link"]')
    }


def related_links(doc: BeautifulSoup) -> set[str]:
    """Row links inside every related list of a detail page."""
    return {
        a["href"]
        for a in doc.select('[data-testid="related"] a[data-testid="row-link"]')
    }


def list_cell(doc: BeautifulSoup, row_href: str, column: str) -> Tag:
    """The list cell of ``column`` in the row whose link is ``row_href``."""
    link = doc.select_one(f'a[data-testid="row-link"][href="{row_href}"]')
    assert link is not None, f"no row {row_href}"
    cell = link.find_parent("tr").select_one(f'td[data-column="{column}"]')
    assert cell is not None, f"no cell {column} in {row_href}"
    return cell


def detail_field(doc: BeautifulSoup, column: str) -> Tag:
    """The value element of ``column`` on a detail page."""
    field = doc.select_one(f'[data-testid="field"][data-column="{column}"]')
    assert field is not None, f"no field {column}"
    return field.select_one('[data-testid="field-value"]')


def cell_text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def next_href(doc: BeautifulSoup) -> str:
    link = by_testid(doc, "page-next")
    assert link.name == "a", "expected a next page"
    return link["href"]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def xlsx_rows(data: bytes) -> list[list[str]]:
    """Cell texts of the first sheet, row by row (empty cells are not written)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = [
                "".join(t.text or "" for t in si.iter(f"{SHEET_NS}t"))
                for si in root.iter(f"{SHEET_NS}si")
            ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{SHEET_NS}row"):
        cells = []
        for cell in row.iter(f"{SHEET_NS}c"):
            value = cell.find(f"{SHEET_NS}v")
            if cell.get("t") == "s":
                cells.append(shared[int(value.text)])
            elif cell.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in cell.iter(f"{SHEET_NS}t")))
            else:
                cells.append(value.text if value is not None else "")
        rows.append(cells)
    return rows


READERS = {"csv": csv_rows, "xlsx": xlsx_rows}


def export_rows(client: FlaskClient, path: str, fmt: str, query: str = "") -> list:
    response = client.get(f"/t/{path}/-/export.{fmt}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return READERS[fmt](response.data)


@dataclass(frozen=True)
class TableCase:
    """A filtered table: its URL path, every key, and the keys staff may see."""

    path: str
    all_keys: frozenset[int]
    visible_keys: frozenset[int]

    def url(self, key: int) -> str:
        return f"/t/{self.path}/{key}"


EMPLOYEES = TableCase(
    "hr/employees",
    frozenset(p.employee_id for p in PEOPLE),
    frozenset(p.employee_id for p in VISIBLE_PEOPLE),
)
LEAVE_REQUESTS = TableCase(
    "hr/leave_requests",
    frozenset(lv.leave_request_id for lv in LEAVES),
    frozenset(lv.leave_request_id for lv in VISIBLE_LEAVES),
)
TABLE_CASES = [
    pytest.param(EMPLOYEES, id="employees"),
    pytest.param(LEAVE_REQUESTS, id="leave_requests"),
]
INVISIBLE_ROWS = [
    *(pytest.param(employee_url(p.employee_id), id=f"employee-{p.employee_id}")
      for p in INVISIBLE_PEOPLE),
    *(pytest.param(leave_url(lv.leave_request_id), id=f"leave-{lv.leave_request_id}")
      for lv in INVISIBLE_LEAVES),
]  # fmt: skip


# --- direct URLs --------------------------------------------------------------------


@pytest.mark.parametrize("url", INVISIBLE_ROWS)
def test_detail_row_outside_filter_is_404(staff, admin, url):
    """GIVEN a row outside the staff caller's row filter
    WHEN she opens its detail URL directly
    THEN the answer is 404, while the admin gets the page."""
    assert staff.get(url).status_code == 404
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize("url", INVISIBLE_ROWS)
def test_detail_row_outside_filter_404_matches_missing_row(staff, url):
    """GIVEN a row outside the filter and a key that exists nowhere
    WHEN the staff caller opens both
    THEN both errors are the same, so the 404 does not reveal that the row exists."""
    hidden = staff.get(url, headers=JSON)
    missing = staff.get(url.rsplit("/", 1)[0] + "/999999", headers=JSON)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["error"]["detail"] == missing.get_json()["error"]["detail"]
    assert hidden.get_json()["error"]["title"] == missing.get_json()["error"]["title"]


@pytest.mark.parametrize("url", INVISIBLE_ROWS)
def test_history_of_row_outside_filter_is_404(staff, admin, url):
    """GIVEN a row outside the staff caller's row filter
    WHEN she opens its history URL
    THEN the answer is 404, while the admin gets the history page."""
    assert staff.get(url + "/history").status_code == 404
    assert admin.get(url + "/history").status_code == 200


RELATED_LIST_URLS = [
    pytest.param(
        f"/t/hr/leave_requests?fc=employee_id&fo=eq&fv={p.employee_id}",
        frozenset(
            leave_url(lv.leave_request_id) for lv in LEAVES
            if lv.employee_id == p.employee_id
        ),
        id=f"leave-of-employee-{p.employee_id}",
    )
    for p in INVISIBLE_PEOPLE
] + [
    pytest.param(
        "/t/hr/employees?fc=department_id&fo=eq&fv=1",
        frozenset(employee_url(p.employee_id) for p in PEOPLE if p.department_id == 1),
        id="employees-of-department-1",
    )
]  # fmt: skip


@pytest.mark.parametrize(("url", "admin_rows"), RELATED_LIST_URLS)
def test_related_list_url_of_row_outside_filter_shows_no_rows(
    staff, admin, url, admin_rows
):
    """GIVEN the "Open list" URL of a related list whose rows are outside the filter
    WHEN the staff caller opens it directly
    THEN no row is listed, while the admin sees the rows."""
    assert admin_rows
    assert result_links(ok_soup(staff.get(url))) == set()
    assert result_links(ok_soup(admin.get(url))) == admin_rows


# --- list pages and counts ----------------------------------------------------------


@pytest.mark.parametrize("case", TABLE_CASES)
@pytest.mark.parametrize("page", ["", "page=last"])
def test_list_shows_only_rows_inside_filter(staff, admin, case, page):
    """GIVEN a table with a row filter
    WHEN the staff caller lists it (first or last page)
    THEN exactly her rows are listed, while the admin sees every row."""
    url = f"/t/{case.path}?{page}"
    assert result_links(ok_soup(staff.get(url))) == {
        case.url(k) for k in case.visible_keys
    }
    assert result_links(ok_soup(admin.get(url))) == {case.url(k) for k in case.all_keys}


def count_text(n: int, capped: bool = False) -> str:
    return f"{n:,}{'+' if capped else ''} row{'' if n == 1 and not capped else 's'}"


@pytest.mark.parametrize("case", TABLE_CASES)
@pytest.mark.parametrize("mode", ["", "count=exact"])
def test_count_excludes_rows_outside_filter(staff, admin, case, mode):
    """GIVEN a table with a row filter
    WHEN the staff caller lists it with the capped or the exact count
    THEN the count is her rows only, while the admin's counts every row."""
    url = f"/t/{case.path}?{mode}"
    assert text_of(staff.get(url), "row-count") == count_text(len(case.visible_keys))
    assert text_of(admin.get(url), "row-count") == count_text(len(case.all_keys))


def test_capped_count_applies_row_filter_below_the_cap(staff, admin, monkeypatch):
    """GIVEN the count cap lowered to the number of rows the staff caller may see
    WHEN she lists employees
    THEN her count is exact (not "N+"), while the admin's is capped at N+."""
    cap = len(VISIBLE_PEOPLE)
    assert len(PEOPLE) > cap
    monkeypatch.setattr("app.data.listing.COUNT_CAP", cap)
    assert text_of(staff.get("/t/hr/employees"), "row-count") == count_text(cap)
    assert text_of(admin.get("/t/hr/employees"), "row-count") == count_text(cap, True)


def home_counts(response) -> dict[str, str]:
    doc = ok_soup(response)
    return {
        a["data-table"]: cell_text(a.select_one('[data-testid="table-count"]'))
        for a in doc.select('[data-testid="table-link"]')
    }


@pytest.mark.parametrize("case", TABLE_CASES)
def test_home_count_excludes_rows_outside_filter(staff, admin, case):
    """GIVEN a table with a row filter
    WHEN the staff caller opens the home page
    THEN the table's badge counts her rows only, the admin's every row."""
    key = case.path.replace("/", ".")
    assert home_counts(staff.get("/"))[key] == str(len(case.visible_keys))
    assert home_counts(admin.get("/"))[key] == str(len(case.all_keys))


# --- search and filters -------------------------------------------------------------


SEARCHES = [
    pytest.param("prefix", p.last_name, p.employee_id, id=f"prefix-{p.last_name}")
    for p in INVISIBLE_PEOPLE
] + [
    pytest.param("contains", p.first_name[1:4], p.employee_id,
                 id=f"contains-{p.first_name[1:4]}")
    for p in INVISIBLE_PEOPLE
]  # fmt: skip


@pytest.mark.parametrize(("mode", "q", "employee_id"), SEARCHES)
def test_search_never_finds_rows_outside_filter(staff, admin, mode, q, employee_id):
    """GIVEN a search that matches only a person outside the row filter
    WHEN the staff caller searches (prefix or contains)
    THEN nothing is found and the count is 0, while the admin finds that person."""
    url = f"/t/hr/employees?q={q}&mode={mode}"
    doc = ok_soup(staff.get(url))
    assert result_links(doc) == set()
    assert text_of(doc, "row-count") == count_text(0)
    assert employee_url(employee_id) in result_links(ok_soup(admin.get(url)))


def test_search_by_hidden_column_value_finds_nothing(staff, admin):
    """GIVEN a visible colleague whose hidden email contains a unique fragment
    WHEN the staff caller searches for that fragment
    THEN nothing is found (no oracle on the hidden value), the admin finds her."""
    dana = VISIBLE_PEOPLE[0]
    fragment = dana.email.split("@")[0][1:]
    assert not any(fragment in f"{p.first_name}{p.last_name}{p.login}" for p in PEOPLE)
    url = f"/t/hr/employees?q={fragment}&mode=contains"
    assert result_links(ok_soup(staff.get(url))) == set()
    assert result_links(ok_soup(admin.get(url))) == {employee_url(dana.employee_id)}


FILTERS = [
    pytest.param("fc=department_id&fo=eq&fv=1", {1}, id="fk-value"),
    pytest.param("fc=last_name&fo=starts&fv=Morg", {1}, id="starts"),
    pytest.param("fc=first_name&fo=contains&fv=riy", {5}, id="contains"),
    pytest.param("fc=hire_date&fo=eq&fv=2020-01-05", {5}, id="date"),
    pytest.param("fc=manager_id&fo=empty", {1, 5}, id="empty"),
    # Dana is visible, but her manager is not: a label filter must not match her.
    pytest.param("fc=manager_id&fo=label&fv=Alex", {2}, id="label-of-invisible-row"),
]


@pytest.mark.parametrize(("query", "admin_ids"), FILTERS)
def test_filter_never_matches_through_rows_outside_filter(
    staff, admin, query, admin_ids
):
    """GIVEN a filter that matches only through rows outside the row filter
    WHEN the staff caller applies it
    THEN no row is listed, while the admin's list shows the matches."""
    url = f"/t/hr/employees?{query}"
    assert result_links(ok_soup(staff.get(url))) == set()
    assert result_links(ok_soup(admin.get(url))) == {employee_url(i) for i in admin_ids}


# --- related lists ------------------------------------------------------------------


RELATED_PAGES = [
    # Alex's leave request was approved by Dana, whom staff may see.
    pytest.param(
        employee_url(2),
        {leave_url(lv.leave_request_id) for lv in INVISIBLE_LEAVES
         if lv.approved_by == 2},
        id="leave-approved-by-dana",
    ),
    # Alex works in department 1, which staff may see.
    pytest.param(
        "/t/hr/departments/1",
        {employee_url(p.employee_id) for p in INVISIBLE_PEOPLE if p.department_id == 1},
        id="employees-of-department-1",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("url", "outside"), RELATED_PAGES)
def test_related_lists_omit_rows_outside_filter(staff, admin, url, outside):
    """GIVEN a visible row that rows outside the filter point at
    WHEN the staff caller opens its detail page
    THEN its related lists omit those rows, while the admin's include them."""
    assert outside
    assert related_links(ok_soup(staff.get(url))) & outside == set()
    assert related_links(ok_soup(admin.get(url))) >= outside


def related_counts(doc: BeautifulSoup) -> dict[str, str]:
    return {
        s["data-table"]: cell_text(s.select_one('[data-testid="related-count"]'))
        for s in doc.select('[data-testid="related"]')
    }


def test_related_count_excludes_rows_outside_filter(staff, admin):
    """GIVEN department 1 whose only employee is outside the staff row filter
    WHEN the staff caller opens the department
    THEN the related employees count is 0, while the admin's counts them."""
    in_it = [p for p in PEOPLE if p.department_id == 1]
    assert in_it and not set(in_it) & set(VISIBLE_PEOPLE)
    staff_counts = related_counts(ok_soup(staff.get("/t/hr/departments/1")))
    admin_counts = related_counts(ok_soup(admin.get("/t/hr/departments/1")))
    assert staff_counts["hr.employees"] == "0"
    assert admin_counts["hr.employees"] == str(len(in_it))


def test_related_lists_of_unreadable_tables_are_not_shown(staff, admin):
    """GIVEN tables in ops and sales that point at employees
    WHEN the staff caller opens a colleague's page
    THEN only related lists of tables she may read are shown, the admin sees more."""
    url = employee_url(VISIBLE_PEOPLE[0].employee_id)
    staff_tables = {s["data-table"] for s in ok_soup(staff.get(url)).select(
        '[data-testid="related"]')}  # fmt: skip
    admin_tables = {s["data-table"] for s in ok_soup(admin.get(url)).select(
        '[data-testid="related"]')}  # fmt: skip
    assert staff_tables and staff_tables <= STAFF_TABLES
    assert {"ops.tickets", "sales.orders"} <= admin_tables


# --- exports ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("case", TABLE_CASES)
def test_export_omits_rows_outside_filter(staff, admin, case, fmt):
    """GIVEN a table with a row filter
    WHEN the staff caller exports it
    THEN the file holds exactly her rows, while the admin's holds every row."""
    staff_rows = export_rows(staff, case.path, fmt)
    admin_rows = export_rows(admin, case.path, fmt)
    assert {r[0] for r in staff_rows[1:]} == {str(k) for k in case.visible_keys}
    assert {r[0] for r in admin_rows[1:]} == {str(k) for k in case.all_keys}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("query", "admin_ids"),
    [
        pytest.param("q=Morgan", {1}, id="search"),
        pytest.param("q=hen&mode=contains", {5}, id="search-contains"),
        pytest.param("fc=department_id&fo=eq&fv=3", {5}, id="filter"),
        pytest.param("fc=manager_id&fo=label&fv=Alex", {2}, id="label-filter"),
    ],
)
def test_filtered_export_omits_rows_outside_filter(staff, admin, fmt, query, admin_ids):
    """GIVEN a search or filter that matches only through rows outside the filter
    WHEN the staff caller exports with it
    THEN the file has a header and no rows, while the admin's has the matches."""
    assert export_rows(staff, "hr/employees", fmt, query)[1:] == []
    rows = export_rows(admin, "hr/employees", fmt, query)
    assert {r[0] for r in rows[1:]} == {str(i) for i in admin_ids}


def hidden_labels(app: Flask, columns=HIDDEN_EMPLOYEE_COLUMNS) -> list[str]:
    with app.app_context():
        info = get_catalog().get("hr.employees")
        return [info.columns[c].label for c in columns]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_omits_hidden_column_headers(world, staff, admin, fmt):
    """GIVEN columns hidden from the staff caller
    WHEN she exports employees
    THEN no header names them, while the admin's header does."""
    labels = hidden_labels(world)
    assert not set(labels) & set(export_rows(staff, "hr/employees", fmt)[0])
    assert set(labels) <= set(export_rows(admin, "hr/employees", fmt)[0])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_omits_hidden_column_values(staff, admin, fmt):
    """GIVEN hidden salaries, notes and emails
    WHEN the staff caller exports employees
    THEN no cell holds any of them, while the admin's file holds her colleagues'."""
    values = [s for p in VISIBLE_PEOPLE for s in (str(p.salary), p.notes, p.email)]

    def holds(cell: str, value: str) -> bool:
        """Text contains the value, or a number cell equals it (XLSX floats)."""
        try:
            return value in cell or float(cell) == float(value)
        except ValueError:
            return False

    def present(rows: list[list[str]]) -> set[str]:
        return {v for v in values for row in rows for cell in row if holds(cell, v)}

    assert present(export_rows(staff, "hr/employees", fmt)) == set()
    assert present(export_rows(admin, "hr/employees", fmt)) == set(values)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_without_export_action_is_403(staff, admin, fmt):
    """GIVEN departments granted to staff for read but not export
    WHEN the staff caller asks for the export
    THEN the answer is 403, while the admin gets the file."""
    url = f"/t/hr/departments/-/export.{fmt}"
    assert staff.get(url).status_code == 403
    assert admin.get(url).status_code == 200


def test_export_link_not_offered_without_export_action(staff, admin):
    """GIVEN departments readable but not exportable by staff
    WHEN the staff caller lists them
    THEN no export link is offered; employees (exportable) and the admin have one."""
    testids = ["export-csv", "export-xlsx"]

    def links(client, path):
        doc = ok_soup(client.get(path))
        return {t for t in testids if doc.select(f'[data-testid="{t}"]')}

    assert links(staff, "/t/hr/departments") == set()
    assert links(staff, "/t/hr/employees") == set(testids)
    assert links(admin, "/t/hr/departments") == set(testids)


# --- hidden columns in pages and errors ---------------------------------------------


def hidden_needles(app: Flask, column: str, people=VISIBLE_PEOPLE) -> list[str]:
    """A hidden column's name, its label, and its values for ``people``."""
    label = hidden_labels(app, (column,))[0]
    values = {
        "salary": lambda p: [f"{p.salary:,.2f}", f"{p.salary:,}", str(p.salary)],
        "notes": lambda p: [p.notes],
        "email": lambda p: [p.email],
    }[column]
    return [column, label, *(v for p in people for v in values(p))]


HIDDEN_COLUMN_PARAMS = [
    pytest.param("salary"),
    pytest.param("notes"),
    pytest.param("email"),
]


@pytest.mark.parametrize("column", HIDDEN_COLUMN_PARAMS)
def test_list_html_never_shows_hidden_column(world, staff, admin, column):
    """GIVEN a column hidden from the staff caller
    WHEN she lists employees
    THEN neither its name, its label nor its values appear anywhere in the page
    (text or attributes), while the admin's page shows all of them."""
    needles = hidden_needles(world, column)
    assert found_in(ok_soup(staff.get("/t/hr/employees")), needles) == set()
    assert found_in(ok_soup(admin.get("/t/hr/employees")), needles) == set(needles)


@pytest.mark.parametrize("column", HIDDEN_EMPLOYEE_COLUMNS)
def test_detail_html_never_shows_hidden_column(world, staff, admin, column):
    """GIVEN a visible colleague and a column hidden from the staff caller
    WHEN she opens the colleague's page
    THEN neither the column's name, label nor value appears, the admin sees them."""
    colleague = VISIBLE_PEOPLE[0]
    needles = hidden_needles(world, column, [colleague])
    url = employee_url(colleague.employee_id)
    assert found_in(ok_soup(staff.get(url)), needles) == set()
    assert found_in(ok_soup(admin.get(url)), needles) == set(needles)


QUERY_TEMPLATES = [
    pytest.param("/t/hr/employees?sort={c}", id="sort"),
    pytest.param("/t/hr/employees?sort=-{c}", id="sort-desc"),
    pytest.param("/t/hr/employees?fc={c}&fo=eq&fv=1", id="filter-eq"),
    pytest.param("/t/hr/employees/-/export.csv?sort={c}", id="export-sort"),
    pytest.param("/t/hr/employees/-/export.xlsx?fc={c}&fo=eq&fv=1", id="export-filter"),
]
MISSING = "no_such_column"


@pytest.mark.parametrize("template", QUERY_TEMPLATES)
@pytest.mark.parametrize("column", HIDDEN_EMPLOYEE_COLUMNS)
def test_hidden_column_in_query_is_same_400_as_missing_column(
    staff, admin, template, column
):
    """GIVEN a column hidden from the staff caller and one that does not exist
    WHEN she sorts or filters by each
    THEN both give the same 400 "Unknown column" (no existence leak), while the
    admin may sort and filter by the hidden column."""
    hidden = staff.get(template.format(c=column), headers=JSON)
    missing = staff.get(template.format(c=MISSING), headers=JSON)
    assert hidden.status_code == missing.status_code == 400
    h, m = hidden.get_json()["error"], missing.get_json()["error"]
    assert h["title"] == m["title"] == "Unknown column"
    assert h["detail"].replace(column, "?") == m["detail"].replace(MISSING, "?")
    assert admin.get(template.format(c=column)).status_code == 200


@pytest.mark.parametrize("column", HIDDEN_EMPLOYEE_COLUMNS)
def test_hidden_column_in_htmx_query_is_same_problem_as_missing_column(
    staff, admin, column
):
    """GIVEN the htmx list request (errors shown inline)
    WHEN the staff caller filters by a hidden and by a missing column
    THEN both inline problems read the same, while the admin's filter works."""
    htmx = {"HX-Request": "true"}
    url = "/t/hr/employees?fc={c}&fo=eq&fv=1"
    hidden = staff.get(url.format(c=column), headers=htmx)
    missing = staff.get(url.format(c=MISSING), headers=htmx)
    assert htmx_status(hidden) == htmx_status(missing) == 400
    assert text_of(hidden, "list-problem-message").replace(column, "?") == text_of(
        missing, "list-problem-message"
    ).replace(MISSING, "?")
    assert htmx_status(admin.get(url.format(c=column), headers=htmx)) == 200


def htmx_status(response) -> int:
    """The status an htmx partial stands for (problems travel as 200 + a header)."""
    return int(response.headers.get("X-Tablefront-Status", response.status_code))


BAD_REQUESTS = [
    pytest.param("sort=no_such_column", "no_such_column", id="unknown-sort"),
    pytest.param("fc=last_name&fo=gte&fv=x", "Last name", id="op-not-for-column"),
    pytest.param("fc=manager_id&fo=eq&fv=abc", "Manager", id="bad-number"),
    pytest.param("fc=hire_date&fo=eq&fv=someday", "Hire date", id="bad-date"),
    pytest.param("q=x&mode=fuzzy", "fuzzy", id="bad-search-mode"),
    pytest.param("page=forged.token", "page link", id="bad-token"),
    pytest.param("size=9999", "Page size", id="bad-size"),
]


@pytest.mark.parametrize(("query", "subject"), BAD_REQUESTS)
def test_error_messages_never_name_hidden_columns(world, staff, query, subject):
    """GIVEN bad list input from the staff caller
    WHEN the 400 page explains the problem (naming what was wrong)
    THEN it never names a hidden column or its label."""
    response = staff.get(f"/t/hr/employees?{query}")
    assert response.status_code == 400
    doc = soup(response)
    assert subject.lower() in text_of(doc, "error").lower()
    names = [*HIDDEN_EMPLOYEE_COLUMNS, *hidden_labels(world)]
    assert found_in(doc, names) == set()


# --- foreign-key labels -------------------------------------------------------------


def test_fk_label_of_row_outside_filter_shows_raw_key_in_list(staff, admin):
    """GIVEN a visible colleague whose manager is outside the staff row filter
    WHEN the staff caller lists employees
    THEN the manager cell shows the raw key, unlinked, and the manager's name is
    nowhere on the page, while the admin's cell shows the linked name."""
    colleague = next(p for p in VISIBLE_PEOPLE if p.manager_id not in
                     {v.employee_id for v in VISIBLE_PEOPLE})  # fmt: skip
    boss = person(colleague.manager_id)
    row = employee_url(colleague.employee_id)
    doc = ok_soup(staff.get("/t/hr/employees"))
    cell = list_cell(doc, row, "manager_id")
    assert cell_text(cell) == str(boss.employee_id)
    assert cell.select('[data-testid="fk-link"]') == []
    assert found_in(doc, [boss.first_name, boss.last_name]) == set()
    admin_cell = list_cell(ok_soup(admin.get("/t/hr/employees")), row, "manager_id")
    assert cell_text(admin_cell) == boss.name
    assert admin_cell.select_one('[data-testid="fk-link"]')["href"] == employee_url(
        boss.employee_id
    )


def test_fk_label_of_row_outside_filter_shows_raw_key_on_detail(staff, admin):
    """GIVEN a visible colleague whose manager is outside the staff row filter
    WHEN the staff caller opens the colleague's page
    THEN the manager field shows the raw key and the name is nowhere on the page,
    while the admin sees the name."""
    colleague = VISIBLE_PEOPLE[0]
    boss = person(colleague.manager_id)
    assert boss not in VISIBLE_PEOPLE
    url = employee_url(colleague.employee_id)
    doc = ok_soup(staff.get(url))
    assert cell_text(detail_field(doc, "manager_id")) == str(boss.employee_id)
    assert found_in(doc, [boss.first_name, boss.last_name]) == set()
    assert cell_text(detail_field(ok_soup(admin.get(url)), "manager_id")) == boss.name


def test_fk_label_in_leave_list_of_row_outside_filter_shows_raw_key(staff, admin):
    """GIVEN a visible leave request approved by someone outside the row filter
    WHEN the staff caller lists leave requests
    THEN the approver cell shows the raw key, while the admin's shows the name."""
    leave = next(
        lv
        for lv in VISIBLE_LEAVES
        if lv.approved_by and person(lv.approved_by) in INVISIBLE_PEOPLE
    )
    approver = person(leave.approved_by)
    row = leave_url(leave.leave_request_id)
    doc = ok_soup(staff.get("/t/hr/leave_requests"))
    assert cell_text(list_cell(doc, row, "approved_by")) == str(approver.employee_id)
    assert found_in(doc, [approver.last_name]) == set()
    admin_doc = ok_soup(admin.get("/t/hr/leave_requests"))
    assert cell_text(list_cell(admin_doc, row, "approved_by")) == approver.name


def test_fk_label_of_unreadable_table_shows_raw_key(staff, admin):
    """GIVEN employees pointing at a site, and ops.sites not granted to staff
    WHEN the staff caller lists employees
    THEN the site cell shows the raw key and the site's name is nowhere on the
    page, while the admin's cell shows the site's name."""
    site_id, _code, site_name = SITE
    row = employee_url(VISIBLE_PEOPLE[0].employee_id)
    doc = ok_soup(staff.get("/t/hr/employees"))
    assert cell_text(list_cell(doc, row, "site_id")) == str(site_id)
    assert found_in(doc, [site_name]) == set()
    admin_doc = ok_soup(admin.get("/t/hr/employees"))
    assert cell_text(list_cell(admin_doc, row, "site_id")) == site_name


# --- tables without a read grant ----------------------------------------------------


UNREADABLE_URLS = [
    "/t/ops/sites",
    "/t/ops/sites?q=Harb",
    f"/t/ops/sites/{SITE[0]}",
    f"/t/ops/sites/{SITE[0]}/history",
    "/t/ops/sites/-/export.csv",
    "/t/ops/sites/-/export.xlsx",
    "/t/sales/customers",
    "/t/sales/customers/-/export.csv",
]


@pytest.mark.parametrize("url", UNREADABLE_URLS)
def test_table_without_read_grant_is_404_on_every_url(staff, admin, url):
    """GIVEN tables no staff grant names
    WHEN the staff caller opens any of their URLs
    THEN the answer is 404, while the admin gets each one."""
    assert staff.get(url).status_code == 404
    assert admin.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "missing_url"),
    [
        ("/t/ops/sites", "/t/ops/no_such_table"),
        ("/t/ops/sites/1", "/t/ops/no_such_table/1"),
        ("/t/ops/sites/-/export.csv", "/t/ops/no_such_table/-/export.csv"),
    ],
)
def test_table_without_read_grant_404_matches_missing_table(staff, url, missing_url):
    """GIVEN a table the staff caller may not read and a table that does not exist
    WHEN she opens the same URL shape for each
    THEN the two 404s read the same, so table existence is not revealed."""
    hidden = staff.get(url, headers=JSON)
    missing = staff.get(missing_url, headers=JSON)
    assert hidden.status_code == missing.status_code == 404
    h, m = hidden.get_json()["error"], missing.get_json()["error"]
    assert h["title"] == m["title"]
    assert h["detail"].replace("ops.sites", "?") == m["detail"].replace(
        "ops.no_such_table", "?"
    )


def test_table_without_read_grant_is_absent_from_home(staff, admin):
    """GIVEN tables granted to staff and others not
    WHEN the staff caller opens the home page
    THEN exactly her tables are listed, while the admin's list has the others."""
    assert set(home_counts(staff.get("/"))) == STAFF_TABLES
    assert {"ops.sites", "sales.customers"} <= set(home_counts(admin.get("/")))


# --- page tokens --------------------------------------------------------------------


def by_last_name(people) -> list:
    return sorted(people, key=lambda p: (p.last_name, p.employee_id))


@pytest.mark.parametrize(
    "admin_query",
    [
        pytest.param("", id="same-state"),
        pytest.param("fc=is_active&fo=eq&fv=yes&", id="other-filter"),
    ],
)
def test_page_token_from_unfiltered_caller_reveals_no_rows_outside_filter(
    staff, admin, admin_query
):
    """GIVEN a next-page link the admin got, whose next page holds a person
    outside the staff row filter
    WHEN the staff caller follows it (same list, or without the admin's filter)
    THEN she sees only rows inside her filter, while the admin sees that person."""
    everyone = by_last_name(PEOPLE)
    # Page size such that the admin's second page starts with an invisible person.
    size = next(i for i, p in enumerate(everyone) if i and p in INVISIBLE_PEOPLE)
    href = next_href(ok_soup(admin.get(
        f"/t/hr/employees?{admin_query}sort=last_name&size={size}")))  # fmt: skip
    token = parse_qs(urlsplit(href).query)["page"][0]
    staff_url = f"/t/hr/employees?sort=last_name&size={size}&page={token}"
    staff_rows = result_links(ok_soup(staff.get(staff_url)))
    assert staff_rows and staff_rows <= {
        employee_url(p.employee_id) for p in VISIBLE_PEOPLE
    }
    admin_rows = result_links(ok_soup(admin.get(href)))
    assert admin_rows & {employee_url(p.employee_id) for p in INVISIBLE_PEOPLE}


def test_page_token_for_other_table_is_rejected(staff, admin):
    """GIVEN a valid next-page token of departments
    WHEN the staff caller uses it on employees
    THEN it is a 400 with no rows listed, while on departments it pages."""
    token = parse_qs(urlsplit(next_href(ok_soup(staff.get(
        "/t/hr/departments?size=1")))).query)["page"][0]  # fmt: skip
    response = staff.get(f"/t/hr/employees?size=1&page={token}")
    assert response.status_code == 400
    assert soup(response).select('[data-testid="row-link"]') == []
    page = ok_soup(admin.get(f"/t/hr/departments?size=1&page={token}"))
    assert len(result_links(page)) == 1


def test_page_token_count_of_other_caller_is_not_shown(staff, admin):
    """GIVEN a next-page link the admin got (the token carries his count)
    WHEN the staff caller follows the same link
    THEN her page counts her rows only, not the admin's total."""
    href = next_href(ok_soup(admin.get("/t/hr/employees?size=2")))
    assert text_of(admin.get(href), "row-count") == count_text(len(PEOPLE))
    assert text_of(staff.get(href), "row-count") == count_text(len(VISIBLE_PEOPLE))


def token_payload(href: str) -> str:
    """The page token's payload as JSON text, read without the key (as anyone can)."""
    token = parse_qs(urlsplit(href).query)["page"][0]
    _valid, payload = URLSafeSerializer("not-the-key").loads_unsafe(token)
    return json.dumps(payload)


def test_page_token_never_carries_hidden_default_sort_values(make_world):
    """GIVEN leave requests whose default sort column (start_date) staff may not see
    WHEN the staff caller lists them one per page
    THEN the next-page link carries no start date, while the admin's does."""
    app = make_world(access_toml(leave_hidden=("comment", "start_date")))
    dates = [lv.start_date.isoformat() for lv in LEAVES]
    admin_href = next_href(ok_soup(client_for(app, ADMIN_LOGIN).get(
        "/t/hr/leave_requests?size=1")))  # fmt: skip
    assert any(d in token_payload(admin_href) for d in dates)
    staff_href = next_href(ok_soup(client_for(app, STAFF_LOGIN).get(
        "/t/hr/leave_requests?size=1")))  # fmt: skip
    assert not any(d in token_payload(staff_href) for d in dates)


# --- foreign-key choices in forms -------------------------------------------------


@pytest.fixture
def creating_world(make_world) -> Flask:
    """The world with staff also allowed to create leave requests."""
    return make_world(access_toml(leave_actions=("read", "export", "create")))


@pytest.mark.parametrize("field", ["f_employee_id", "f_approved_by"])
def test_form_fk_choices_omit_rows_outside_filter(creating_world, field):
    """GIVEN staff may create leave requests, whose employee fields point at
    hr.employees (row-filtered for her)
    WHEN she opens the new-row form
    THEN the field's choices are exactly the people she may see, while the
    admin's choices are everyone."""

    def choices(login: str) -> set[str]:
        doc = ok_soup(
            client_for(creating_world, login).get("/t/hr/leave_requests/-/new")
        )
        select = doc.select_one(f'select[name="{field}"]')
        assert select is not None, f"no select {field}"
        return {o["value"] for o in select.find_all("option") if o["value"]}

    assert choices(STAFF_LOGIN) == {str(p.employee_id) for p in VISIBLE_PEOPLE}
    assert choices(ADMIN_LOGIN) == {str(p.employee_id) for p in PEOPLE}


@pytest.mark.parametrize("target", INVISIBLE_PEOPLE, ids=lambda p: p.last_name)
def test_form_fk_lookup_never_offers_rows_outside_filter(creating_world, target):
    """GIVEN staff may create leave requests
    WHEN her form's employee lookup searches the name of someone outside her filter
    THEN no option is offered, while the admin's lookup offers that person."""
    url = f"/t/hr/leave_requests/-/lookup/employee_id?q={target.last_name}"

    def offered(login: str) -> set[str]:
        response = client_for(creating_world, login).get(url)
        assert response.status_code == 200
        return {o["value"] for o in soup(response).find_all("option")}

    assert offered(STAFF_LOGIN) == set()
    assert offered(ADMIN_LOGIN) == {str(target.employee_id)}
