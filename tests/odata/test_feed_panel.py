"""The "Excel / Power BI" panel: the list view's feed URL and M line."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import unquote, urlsplit

import pytest

from tests.html import soup


def test_list_page_has_feed_panel_with_link_endpoint(admin):
    """GIVEN a list page WHEN rendered THEN it holds the panel, its copy button,
    the Excel steps and the address that translates the view."""
    doc = soup(admin.get("/t/hr/employees"))
    panel = doc.select_one("[data-testid=feed-panel]")
    assert panel["data-link-url"] == "/odata/-/link/hr/employees"
    assert panel.select_one("[data-testid=feed-copy]")
    steps = panel.select_one("[data-testid=feed-steps-excel]").get_text(" ")
    assert "From OData Feed" in steps and "Windows" in steps


def test_feed_link_translates_filters_and_sort(admin):
    """GIVEN a list view filtered (contains, from) and sorted descending
    WHEN its feed link is asked for THEN $filter and $orderby say the same."""
    args = "fc=last_name&fo=contains&fv=n&fc=employee_id&fo=gte&fv=2&sort=-first_name"
    link = json.loads(admin.get(f"/odata/-/link/hr/employees?{args}").data)
    query = unquote(urlsplit(link["url"]).query)
    assert "$filter=contains(last_name,'n') and employee_id ge 2" in query
    assert "$orderby=first_name desc" in query
    assert link["m"].startswith('OData.Feed("http://localhost/odata/hr_employees?')


def test_feed_link_rows_match_the_list_view(admin):
    """GIVEN a filtered, sorted list view WHEN its feed URL is read THEN the feed
    gives the same rows in the same order as the list's CSV export."""
    args = "fc=last_name&fo=contains&fv=n&sort=-first_name"
    link = json.loads(admin.get(f"/odata/-/link/hr/employees?{args}").data)
    feed = json.loads(admin.get(link["url"].removeprefix("http://localhost")).data)
    exported = admin.get(f"/t/hr/employees/-/export.csv?{args}").get_data(as_text=True)
    names = [line.split(",")[0] for line in exported.splitlines()[1:]]
    assert [str(r["employee_id"]) for r in feed["value"]] == [
        n.lstrip("\ufeff") for n in names
    ]


def test_list_page_panel_without_script_shows_absolute_feed_url(admin):
    """GIVEN a list page as rendered (before its script asks for the view's URL)
    WHEN the panel's Feed URL field is read THEN it is the entity set's absolute URL,
    which Excel can open as it is."""
    doc = soup(admin.get("/t/hr/employees"))
    field = doc.select_one("[data-testid=feed-panel] [data-testid=feed-url]")
    assert field["value"] == "http://localhost/odata/hr_employees"


def _a_modified_day(admin) -> str:
    """The day of the first employee's ``modified_at``, as the feed gives it."""
    feed = admin.get(
        "/odata/hr_employees?$top=1&$orderby=employee_id&$select=modified_at"
    )
    return json.loads(feed.data)["value"][0]["modified_at"][:10]


@pytest.mark.parametrize(
    ("op", "day", "expected", "rows"),
    [
        ("lte", None, "modified_at lt {next}T00:00:00Z", True),
        (
            "eq",
            None,
            "(modified_at ge {day}T00:00:00Z and modified_at lt {next}T",
            True,
        ),
        ("gte", None, "modified_at ge {day}T00:00:00Z", True),
        ("lte", "9999-12-31", "modified_at ne null", True),
        ("eq", "9999-12-31", "modified_at ge 9999-12-31T00:00:00Z", False),
    ],
)
def test_feed_link_of_a_day_filter_reads_the_days_the_list_reads(
    admin, op, day, expected, rows
):
    """GIVEN a list view filtered to a day of a datetime column: a day with rows,
    or the type's last day (9999-12-31, which has no next day to stop before)
    WHEN its feed link is asked for THEN the $filter bounds the same days, and the
    feed gives the rows the list's export gives."""
    if day is None:
        day = _a_modified_day(admin)
        after = dt.date.fromisoformat(day) + dt.timedelta(days=1)
        expected = expected.format(day=day, next=after.isoformat())
    args = f"fc=modified_at&fo={op}&fv={day}&sort=employee_id"
    response = admin.get(f"/odata/-/link/hr/employees?{args}")
    assert response.status_code == 200
    link = json.loads(response.data)
    assert expected in unquote(urlsplit(link["url"]).query)
    feed = json.loads(admin.get(link["url"].removeprefix("http://localhost")).data)
    exported = admin.get(f"/t/hr/employees/-/export.csv?{args}").get_data(as_text=True)
    keys = [line.split(",")[0].lstrip("\ufeff") for line in exported.splitlines()[1:]]
    assert bool(keys) == rows
    assert [str(r["employee_id"]) for r in feed["value"]] == keys
