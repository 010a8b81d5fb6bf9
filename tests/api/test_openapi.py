"""The OpenAPI document and its page: filtered to the caller, served locally."""

from __future__ import annotations

from tests.html import soup


def test_openapi_document_lists_only_what_caller_may_do(staff, admin):
    """GIVEN staff, who may write leave requests (comment hidden) and only read
    employees WHEN she reads openapi.json THEN only those operations and visible
    columns appear; the admin's document has the rest."""
    mine = staff.get("/api/openapi.json").get_json()
    theirs = admin.get("/api/openapi.json").get_json()
    assert mine["openapi"] == "3.1.0"
    assert set(mine["paths"]["/api/hr_leave_requests/{row_key}"]) >= {"patch", "delete"}
    assert set(mine["paths"]["/api/hr_employees/{row_key}"]) == {"parameters", "get"}
    assert not [p for p in mine["paths"] if p.startswith("/api/ops_")]
    assert [p for p in theirs["paths"] if p.startswith("/api/ops_")]
    assert (
        "comment"
        not in mine["components"]["schemas"]["hr_leave_requests"]["properties"]
    )
    assert (
        "comment" in theirs["components"]["schemas"]["hr_leave_requests"]["properties"]
    )


def test_api_docs_page_lists_the_callers_paths(staff):
    """GIVEN staff WHEN she opens /api/docs THEN the page lists her paths and links
    the document."""
    doc = soup(staff.get("/api/docs"))
    paths = [
        s.find("h2").get_text(strip=True) for s in doc.select("[data-testid=api-path]")
    ]
    assert "/api/hr_leave_requests" in paths
    assert not [p for p in paths if p.startswith("/api/ops_")]
    assert doc.select_one("[data-testid=openapi-link]")["href"] == "/api/openapi.json"
