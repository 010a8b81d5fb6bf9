"""The audit pages name and link the rows they are about, under their crumbs."""

from __future__ import annotations

from tests.audit.test_audit_pages import _edit
from tests.edit.world import ALEX, employees
from tests.html import by_testid, soup, text_of

EMP = "/t/corp/employees"
ASSET = "/t/corp/assets/1"


def _delete(client, url: str) -> None:
    token = by_testid(client.get(f"{url}/delete"), "original-token")["value"]
    assert (
        client.post(f"{url}/delete", data={"original_token": token}).status_code == 302
    )


def test_history_title_and_heading_name_the_row(as_user):
    """GIVEN asset 1 (tag LT-0001)
    WHEN Alex opens its history
    THEN the title and heading say "History of Asset 1 · LT-0001"."""
    page = soup(as_user(ALEX).get(f"{ASSET}/history"))
    assert page.title.get_text(strip=True).startswith("History of Asset 1 · LT-0001")
    assert text_of(page, "history-title") == "History of Asset 1 · LT-0001"


def test_history_breadcrumbs_lead_home_table_row_history(as_user):
    """GIVEN asset 1
    WHEN Alex opens its history
    THEN the crumbs read Home > corp > Assets > Asset 1 · LT-0001 > History, the row
    crumb linking to its detail page."""
    items = by_testid(as_user(ALEX).get(f"{ASSET}/history"), "breadcrumbs").select("li")
    assert [li.get_text(strip=True) for li in items] == [
        "Home",
        "corp",
        "Assets",
        "Asset 1 · LT-0001",
        "History",
    ]
    assert items[3].a["href"] == ASSET


def test_audit_page_links_an_existing_row_to_its_detail_page(as_user):
    """GIVEN Alex changed employee 1
    WHEN he opens /audit
    THEN the entry's row key links to employee 1's detail page."""
    alex = as_user(ALEX)
    _edit(alex, 1, f_first_name="Al")
    (entry,) = soup(alex.get("/audit")).select('[data-testid="audit-entry"]')
    link = entry.select_one('[data-testid="audit-row-link"]')
    assert link is not None and link["href"] == f"{EMP}/1"


def test_audit_page_deleted_row_key_without_link(as_user):
    """GIVEN Alex deleted asset 1
    WHEN he opens /audit
    THEN the delete entry shows the row's key as text, with no link to a page that
    no longer exists."""
    alex = as_user(ALEX)
    _delete(alex, ASSET)
    (entry,) = soup(alex.get("/audit")).select('[data-testid="audit-entry"]')
    key = entry.select_one('[data-testid="audit-entry-key"]')
    assert key.get_text(strip=True).endswith(": 1")
    assert key.select('[data-testid="audit-row-link"]') == []


def test_audit_page_row_filtered_admin_sees_and_links_rows_inside_the_filter(
    as_user, policy
):
    """GIVEN Alex changed employee 1 (department 1), and his access to employees is
    then limited to department 1
    WHEN he opens /audit
    THEN the entry is listed (its key read back through the column's type) and
    linked to the row."""
    alex = as_user(ALEX)
    _edit(alex, 1, f_first_name="Al")
    policy.give(ALEX, employees, row_filter=employees.c.department_id == 1)
    (entry,) = soup(alex.get("/audit")).select('[data-testid="audit-entry"]')
    assert entry.select_one('[data-testid="audit-row-link"]')["href"] == f"{EMP}/1"
