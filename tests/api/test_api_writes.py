"""JSON API writes: JSON only, same-origin only, ETags, audited, row filter kept.

Staff (CONTOSO\\lnguyen) may create, change and delete leave requests of her own
department (the comment hidden); leave 102 is hers, 101 is Alex's (not visible).
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditLog

LEAVE = {
    "employee_id": 3,
    "leave_type": "vacation",
    "start_date": "2031-09-01",
    "end_date": "2031-09-05",
    "days": "5.0",
}
JSON = {"Content-Type": "application/json"}


def audit_actions(app, key: str) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditLog.action, AuditLog.user_login).where(
                AuditLog.table_name == key
            )
        ).all()
        return [tuple(r) for r in rows]


def leave_count(app) -> int:
    with app.app_context():
        table = db.metadata.tables["hr.leave_requests"]
        return len(db.session.execute(select(table.c.leave_request_id)).all())


def test_api_post_json_creates_row_audited(world, staff):
    """GIVEN staff WHEN she POSTs a leave request as JSON
    THEN 201 with the row, an ETag, and an audit entry in her name."""
    response = staff.post("/api/hr_leave_requests", json=LEAVE)
    assert response.status_code == 201
    assert response.get_json()["leave_type"] == "vacation"
    assert response.headers["ETag"].startswith('"')
    assert ("create", "CONTOSO\\lnguyen") in audit_actions(world, "hr.leave_requests")


def test_api_post_text_plain_is_415_saving_nothing(world, staff):
    """GIVEN a text/plain body (what a cross-site form can send)
    WHEN POSTed THEN 415 and no row is added."""
    before = leave_count(world)
    response = staff.post(
        "/api/hr_leave_requests",
        data='{"employee_id": 3}',
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert leave_count(world) == before


def test_api_post_form_is_415_saving_nothing(world, staff):
    """GIVEN a urlencoded form WHEN POSTed THEN 415 and nothing saved."""
    before = leave_count(world)
    assert staff.post("/api/hr_leave_requests", data=LEAVE).status_code == 415
    assert leave_count(world) == before


def test_api_cross_origin_request_is_403_saving_nothing(world, staff):
    """GIVEN a JSON POST whose Origin is another site WHEN sent THEN 403."""
    before = leave_count(world)
    response = staff.post(
        "/api/hr_leave_requests",
        json=LEAVE,
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert leave_count(world) == before


def test_api_patch_without_if_match_is_428(staff):
    """GIVEN no If-Match WHEN PATCHing THEN 428 (never a blind overwrite)."""
    response = staff.patch("/api/hr_leave_requests/102", json={"leave_type": "sick"})
    assert response.status_code == 428


def test_api_patch_with_etag_saves_and_stale_etag_is_412(world, staff):
    """GIVEN the row's ETag WHEN PATCHed twice with it THEN the first saves (audited)
    and the second gets 412 with the current row."""
    etag = staff.get("/api/hr_leave_requests/102").headers["ETag"]
    first = staff.patch(
        "/api/hr_leave_requests/102", json={"leave_type": "sick"},
        headers={"If-Match": etag},
    )  # fmt: skip
    assert first.status_code == 200
    assert ("update", "CONTOSO\\lnguyen") in audit_actions(world, "hr.leave_requests")
    second = staff.patch(
        "/api/hr_leave_requests/102", json={"leave_type": "other"},
        headers={"If-Match": etag},
    )  # fmt: skip
    assert second.status_code == 412
    assert second.get_json()["current"]["leave_type"] == "sick"


def test_api_patch_hidden_column_is_400(staff):
    """GIVEN the hidden comment column WHEN staff PATCHes it THEN 400."""
    etag = staff.get("/api/hr_leave_requests/102").headers["ETag"]
    response = staff.patch(
        "/api/hr_leave_requests/102", json={"comment": "x"},
        headers={"If-Match": etag},
    )  # fmt: skip
    assert response.status_code == 400


def test_api_row_outside_filter_is_404(staff, admin):
    """GIVEN Alex's leave 101, outside staff's row filter WHEN staff GETs or
    DELETEs it THEN 404, while the admin reads it."""
    assert admin.get("/api/hr_leave_requests/101").status_code == 200
    assert staff.get("/api/hr_leave_requests/101").status_code == 404
    assert staff.delete("/api/hr_leave_requests/101").status_code == 404


def test_api_delete_with_etag_removes_row(world, staff):
    """GIVEN the row's ETag WHEN DELETE THEN 204, the row is gone, audited."""
    etag = staff.get("/api/hr_leave_requests/102").headers["ETag"]
    response = staff.delete("/api/hr_leave_requests/102", headers={"If-Match": etag})
    assert response.status_code == 204
    assert staff.get("/api/hr_leave_requests/102").status_code == 404
    assert ("delete", "CONTOSO\\lnguyen") in audit_actions(world, "hr.leave_requests")
