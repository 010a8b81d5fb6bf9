"""The "Excel / Power BI" panel: the list view's feed URL and M line."""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

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
