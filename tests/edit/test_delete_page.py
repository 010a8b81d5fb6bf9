"""The delete page names the row, keeps the crumbs, and links its refusals."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from tests.edit.world import ALEX, DANA
from tests.html import by_testid, soup, text_of

EMP = "/t/corp/employees"
ASSET = "/t/corp/assets/1"


def _refused(client, url: str):
    """The response to confirming the delete of the row at ``url``."""
    token = by_testid(client.get(f"{url}/delete"), "original-token")["value"]
    return client.post(f"{url}/delete", data={"original_token": token})


def test_delete_page_title_and_heading_name_the_row(as_user):
    """GIVEN asset 1 (tag LT-0001)
    WHEN Alex opens its delete page
    THEN the title and heading name it "Asset 1 · LT-0001", not "this row"."""
    page = soup(as_user(ALEX).get(f"{ASSET}/delete"))
    assert page.title.get_text(strip=True) == "Delete Asset 1 · LT-0001 · Tablefront"
    assert text_of(page, "delete-title") == "Delete Asset 1 · LT-0001?"


def test_delete_page_breadcrumbs_lead_home_table_row_action(as_user):
    """GIVEN asset 1
    WHEN Alex opens its delete page
    THEN the crumbs read Home > corp > Assets > Asset 1 · LT-0001 > Delete, the
    row crumb linking to its detail page and the last one the current page."""
    crumbs = by_testid(as_user(ALEX).get(f"{ASSET}/delete"), "breadcrumbs")
    items = crumbs.select("li")
    assert [li.get_text(strip=True) for li in items] == [
        "Home",
        "corp",
        "Assets",
        "Asset 1 · LT-0001",
        "Delete",
    ]
    assert items[3].a["href"] == ASSET
    assert items[4]["aria-current"] == "page"


def test_delete_flash_names_the_deleted_row(as_user):
    """GIVEN asset 1
    WHEN Alex confirms its deletion and the list opens
    THEN the flash says "Deleted Asset 1 · LT-0001."."""
    client = as_user(ALEX)
    token = by_testid(client.get(f"{ASSET}/delete"), "original-token")["value"]
    response = client.post(
        f"{ASSET}/delete", data={"original_token": token}, follow_redirects=True
    )
    assert text_of(response, "flash") == "Deleted Asset 1 · LT-0001."


def test_delete_refused_links_to_the_referencing_rows_by_key(as_user):
    """GIVEN employee 1, whom asset 1 points at through assigned_to
    WHEN Alex's delete is refused
    THEN the reason links to the assets list filtered to assigned_to = 1, and that
    list shows asset 1."""
    client = as_user(ALEX)
    response = _refused(client, f"{EMP}/1")
    assert response.status_code == 409
    links = {
        a.get_text(" ", strip=True): a["href"]
        for a in soup(response).select('[data-testid="delete-referrers-link"]')
    }
    (href,) = [h for text, h in links.items() if "Assets (corp.assets)" in text]
    url = urlsplit(href)
    assert url.path == "/t/corp/assets"
    assert parse_qsl(url.query) == [("fc", "assigned_to"), ("fo", "eq"), ("fv", "1")]
    listed = soup(client.get(href)).select('[data-testid="row-link"]')
    assert [a.get_text(strip=True) for a in listed][:1] == ["1"]


def test_delete_refused_by_unreadable_table_counts_without_link(as_user):
    """GIVEN Dana, who may delete employees of department 1 and read assets but
    not employee skills, and employee 1 whom both an asset and a skill point at
    WHEN her delete of employee 1 is refused
    THEN the assets reason links, the skills one is plain text naming no table."""
    response = _refused(as_user(DANA), f"{EMP}/1")
    assert response.status_code == 409
    reasons = soup(response).select('[data-testid="delete-reason"]')
    linked = [r.get_text(" ", strip=True) for r in reasons if r.a is not None]
    plain = [r.get_text(" ", strip=True) for r in reasons if r.a is None]
    assert len(linked) == 1 and "corp.assets" in linked[0]
    assert plain == ["Rows in a table you cannot see still point at this row."]
