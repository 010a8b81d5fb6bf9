"""The write layer: concurrency, audit in one transaction, errors in plain words."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.access import TableAccess
from app.data import writes
from app.extensions import db
from app.models import AuditLog
from tests.edit.world import WRITE, assets, departments, employees, skills

FULL = TableAccess("corp.employees", WRITE)


def _access_for(table):
    return TableAccess(f"{table.schema}.{table.name}", WRITE)


def _audit_rows():
    return db.session.execute(select(AuditLog.__table__)).mappings().all()


def test_update_row_with_current_rowversion_writes_row_and_audit(world):
    """GIVEN an employee read with its rowversion
    WHEN the email is updated with that rowversion
    THEN the row changes and one audit row holds the old and new email."""
    with world.test_request_context():
        row = writes.read_row(employees, FULL, {"employee_id": 1})
        writes.update_row(
            employees,
            FULL,
            {"employee_id": 1},
            {"email": "alex@contoso.com"},
            {"row_version": row["row_version"]},
            "CONTOSO\\amorgan",
            _access_for,
        )
        audit = _audit_rows()
        assert [a["action"] for a in audit] == ["update"]
        assert json.loads(audit[0]["old_values"]) == {"email": "amorgan@contoso.com"}
        assert json.loads(audit[0]["new_values"]) == {"email": "alex@contoso.com"}
        assert json.loads(audit[0]["row_key"]) == {"employee_id": 1}


def test_update_row_with_stale_rowversion_raises_conflict_with_current(world):
    """GIVEN an employee changed by someone else after it was read
    WHEN the first reader saves with the old rowversion
    THEN Conflict carries the other person's values and nothing is audited."""
    with world.test_request_context():
        old = writes.read_row(employees, FULL, {"employee_id": 1})
        writes.update_row(
            employees,
            FULL,
            {"employee_id": 1},
            {"first_name": "Alexandra"},
            {"row_version": old["row_version"]},
            "CONTOSO\\pchen",
            _access_for,
        )
        with pytest.raises(writes.Conflict) as caught:
            writes.update_row(
                employees,
                FULL,
                {"employee_id": 1},
                {"first_name": "Al"},
                {"row_version": old["row_version"]},
                "CONTOSO\\amorgan",
                _access_for,
            )
        assert caught.value.current["first_name"] == "Alexandra"
        assert len(_audit_rows()) == 1


def test_update_row_without_rowversion_compares_original_values(world):
    """GIVEN an asset (no rowversion) whose note changed since it was read
    WHEN saved with the original note
    THEN Conflict is raised."""
    acc = TableAccess("corp.assets", WRITE)
    with world.test_request_context():
        writes.update_row(
            assets,
            acc,
            {"asset_id": 1},
            {"note": "new"},
            {"note": None},
            "CONTOSO\\pchen",
            _access_for,
        )
        with pytest.raises(writes.Conflict):
            writes.update_row(
                assets,
                acc,
                {"asset_id": 1},
                {"note": "mine"},
                {"note": None},
                "CONTOSO\\amorgan",
                _access_for,
            )


def test_update_row_deleted_meanwhile_raises_row_gone(world):
    """GIVEN an asset deleted by someone else
    WHEN an update is attempted
    THEN RowGone is raised."""
    acc = TableAccess("corp.assets", WRITE)
    with world.test_request_context():
        writes.delete_row(
            assets, acc, {"asset_id": 1}, {"note": None}, "X\\y", _access_for
        )
        with pytest.raises(writes.RowGone):
            writes.update_row(
                assets,
                acc,
                {"asset_id": 1},
                {"note": "x"},
                {"note": None},
                "X\\y",
                _access_for,
            )


def test_insert_row_duplicate_unique_value_names_the_field(world):
    """GIVEN a department with code IT
    WHEN another department with code IT is inserted
    THEN a field error on code says so and nothing is written."""
    acc = TableAccess("corp.departments", WRITE)
    with world.test_request_context():
        with pytest.raises(writes.FieldErrors) as caught:
            writes.insert_row(
                departments, acc, {"code": "IT", "name": "Again"}, "X\\y", _access_for
            )
        assert "code" in caught.value.errors
        assert _audit_rows() == []


def test_insert_row_check_violation_becomes_field_error_and_rolls_back(world):
    """GIVEN a skill level check of 1..5
    WHEN a level of 9 reaches the database
    THEN FieldErrors (check) is raised and no audit row remains."""
    acc = TableAccess("corp.employee_skills", WRITE)
    with world.test_request_context():
        with pytest.raises(writes.FieldErrors) as caught:
            writes.insert_row(
                skills,
                acc,
                {"employee_id": 3, "skill": "Go", "level": 9},
                "X\\y",
                _access_for,
            )
        assert "rule" in str(caught.value)
        assert _audit_rows() == []


def test_insert_row_returns_generated_key_and_audits(world):
    """GIVEN a new department without a key
    WHEN inserted
    THEN the generated key comes back and the audit row has it."""
    acc = TableAccess("corp.departments", WRITE)
    with world.test_request_context():
        pk = writes.insert_row(
            departments, acc, {"code": "FIN", "name": "Finance"}, "X\\y", _access_for
        )
        assert pk == {"department_id": 3}
        assert json.loads(_audit_rows()[0]["row_key"]) == {"department_id": 3}


def test_delete_row_with_referencing_rows_explains_count(world):
    """GIVEN an employee one asset points at
    WHEN the employee is deleted
    THEN DeleteRefused says 1 row in corp.assets still points at it."""
    with world.test_request_context():
        row = writes.read_row(employees, FULL, {"employee_id": 1})
        with pytest.raises(writes.DeleteRefused) as caught:
            writes.delete_row(
                employees,
                FULL,
                {"employee_id": 1},
                {"row_version": row["row_version"]},
                "X\\y",
                _access_for,
            )
        assert any("1 row in corp.assets" in r for r in caught.value.reasons)
