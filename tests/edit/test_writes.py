"""The write layer: concurrency, audit in one transaction, errors in plain words."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.access import TableAccess
from app.data import writes
from app.extensions import db
from app.models import AuditLog
from tests.edit.scopes import write_scope
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
        row = writes.read(write_scope(employees, FULL), {"employee_id": 1})
        writes.update(
            write_scope(employees, FULL, "CONTOSO\\amorgan", _access_for),
            {"employee_id": 1},
            {"email": "alex@contoso.com"},
            {"row_version": row["row_version"]},
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
        old = writes.read(write_scope(employees, FULL), {"employee_id": 1})
        writes.update(
            write_scope(employees, FULL, "CONTOSO\\pchen", _access_for),
            {"employee_id": 1},
            {"first_name": "Alexandra"},
            {"row_version": old["row_version"]},
        )
        with pytest.raises(writes.Conflict) as caught:
            writes.update(
                write_scope(employees, FULL, "CONTOSO\\amorgan", _access_for),
                {"employee_id": 1},
                {"first_name": "Al"},
                {"row_version": old["row_version"]},
            )
        assert caught.value.current["first_name"] == "Alexandra"
        assert len(_audit_rows()) == 1


def test_update_row_without_rowversion_compares_original_values(world):
    """GIVEN an asset (no rowversion) whose note changed since it was read
    WHEN saved with the original note
    THEN Conflict is raised."""
    acc = TableAccess("corp.assets", WRITE)
    with world.test_request_context():
        writes.update(
            write_scope(assets, acc, "CONTOSO\\pchen", _access_for),
            {"asset_id": 1},
            {"note": "new"},
            {"note": None},
        )
        with pytest.raises(writes.Conflict):
            writes.update(
                write_scope(assets, acc, "CONTOSO\\amorgan", _access_for),
                {"asset_id": 1},
                {"note": "mine"},
                {"note": None},
            )


def test_update_row_deleted_meanwhile_raises_row_gone(world):
    """GIVEN an asset deleted by someone else
    WHEN an update is attempted
    THEN RowGone is raised."""
    acc = TableAccess("corp.assets", WRITE)
    with world.test_request_context():
        writes.delete(
            write_scope(assets, acc, "X\\y", _access_for),
            {"asset_id": 1},
            {"note": None},
        )
        with pytest.raises(writes.RowGone):
            writes.update(
                write_scope(assets, acc, "X\\y", _access_for),
                {"asset_id": 1},
                {"note": "x"},
                {"note": None},
            )


def test_insert_row_duplicate_unique_value_names_the_field(world):
    """GIVEN a department with code IT
    WHEN another department with code IT is inserted
    THEN a field error on code says so and nothing is written."""
    acc = TableAccess("corp.departments", WRITE)
    with world.test_request_context():
        with pytest.raises(writes.FieldErrors) as caught:
            writes.insert(
                write_scope(departments, acc, "X\\y", _access_for),
                {"code": "IT", "name": "Again"},
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
            writes.insert(
                write_scope(skills, acc, "X\\y", _access_for),
                {"employee_id": 3, "skill": "Go", "level": 9},
            )
        assert "rule" in str(caught.value)
        assert _audit_rows() == []


def test_insert_row_returns_generated_key_and_audits(world):
    """GIVEN a new department without a key
    WHEN inserted
    THEN the generated key comes back and the audit row has it."""
    acc = TableAccess("corp.departments", WRITE)
    with world.test_request_context():
        pk = writes.insert(
            write_scope(departments, acc, "X\\y", _access_for),
            {"code": "FIN", "name": "Finance"},
        )
        assert pk == {"department_id": 3}
        assert json.loads(_audit_rows()[0]["row_key"]) == {"department_id": 3}


def test_delete_row_with_referencing_rows_explains_count(world):
    """GIVEN an employee one asset points at
    WHEN the employee is deleted
    THEN DeleteRefused says 1 row in corp.assets still points at it."""
    with world.test_request_context():
        row = writes.read(write_scope(employees, FULL), {"employee_id": 1})
        with pytest.raises(writes.DeleteRefused) as caught:
            writes.delete(
                write_scope(employees, FULL, "X\\y", _access_for),
                {"employee_id": 1},
                {"row_version": row["row_version"]},
            )
        assert any(
            "1 row in Assets (corp.assets) still points at this row through "
            "Assigned to." in r
            for r in caught.value.reasons
        ), caught.value.reasons


def test_delete_refusal_never_names_a_column_hidden_from_the_caller(world):
    """GIVEN a caller from whom the assets' assigned_to column is hidden
    WHEN the refusal text for an asset pointing at an employee is made
    THEN it names the table by label and key but not the hidden column."""
    fk = next(iter(assets.c.assigned_to.foreign_keys)).constraint
    hidden = TableAccess(
        "corp.assets", WRITE, hidden_columns=frozenset({"assigned_to"})
    )
    with world.test_request_context():
        assert writes.referring_names(assets, fk, hidden) == (
            "Assets (corp.assets)",
            "",
        )
        shown = writes.referring_names(assets, fk, TableAccess("corp.assets", WRITE))
    assert shown == ("Assets (corp.assets)", " through Assigned to")


def test_reused_update_template_follows_each_save_original_nulls(world):
    """GIVEN an asset saved once from a NULL note (the UPDATE template for "note IS
    NULL" is built) and then from the note that save wrote
    WHEN a third save still claims the note was NULL
    THEN the second save succeeds (a template with "note = ?") and the third
    conflicts: a cached statement never mixes up the NULL and non-NULL shapes."""
    acc = TableAccess("corp.assets", WRITE)
    with world.test_request_context():
        for note, original in (("first", None), ("second", "first")):
            writes.update(
                write_scope(assets, acc, "CONTOSO\\pchen", _access_for),
                {"asset_id": 1},
                {"note": note},
                {"note": original},
            )
        with pytest.raises(writes.Conflict) as caught:
            writes.update(
                write_scope(assets, acc, "CONTOSO\\amorgan", _access_for),
                {"asset_id": 1},
                {"note": "third"},
                {"note": None},
            )
        assert caught.value.current["note"] == "second"


def test_reused_read_and_update_templates_keep_each_callers_row_filter(world):
    """GIVEN two accesses to employees, one limited to department 2
    WHEN both read and update employee 1 (department 1), the unlimited one first
    THEN the limited caller still finds no row and cannot update it (RowGone):
    statements built for one access are never used for another."""
    limited = TableAccess(
        "corp.employees", WRITE, row_filter=employees.c.department_id == 2
    )
    with world.test_request_context():
        row = writes.read(write_scope(employees, FULL), {"employee_id": 1}, "update")
        assert row is not None
        writes.update(
            write_scope(employees, FULL, "CONTOSO\\amorgan", _access_for),
            {"employee_id": 1},
            {"first_name": "Alexandra"},
            {"row_version": row["row_version"]},
        )
        fresh = writes.read(write_scope(employees, FULL), {"employee_id": 1}, "update")
        assert (
            writes.read(write_scope(employees, limited), {"employee_id": 1}, "update")
            is None
        )
        with pytest.raises(writes.RowGone):
            writes.update(
                write_scope(employees, limited, "CONTOSO\\dkowalski", _access_for),
                {"employee_id": 1},
                {"first_name": "Al"},
                {"row_version": fresh["row_version"]},
            )
        assert writes.read(write_scope(employees, FULL), {"employee_id": 1})[
            "first_name"
        ] == ("Alexandra")


def test_corp_test_schema_is_wal_with_synchronous_normal_like_app_embedded(world):
    """GIVEN the corp test schema (ATTACHed by tests.edit.world, used by the edit
    benchmark)
    WHEN its journal mode and synchronous setting are read on a pooled connection
    THEN they are WAL and NORMAL (1), as app.embedded sets every attached file."""
    with world.app_context():
        mode = db.session.execute(db.text("PRAGMA corp.journal_mode")).scalar()
        sync = db.session.execute(db.text("PRAGMA corp.synchronous")).scalar()
    assert (mode, sync) == ("wal", 1)
