"""Writes and imports take the caller's Scope, as reads do (issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.catalog import get_catalog
from app.data import imports, writes
from app.data.scope import Scope, open_scope
from app.extensions import db
from app.identity import Identity
from app.models import AuditLog
from tests.edit.world import departments, employees

DANA = Identity("CONTOSO", "dkowalski")  # writes employees of department 1 only
ALEX = Identity("CONTOSO", "amorgan")  # may do everything


def _scope(identity: Identity, action: str, key: str = "corp.employees") -> Scope:
    return open_scope(identity, get_catalog(), key, action)


def _person(n: int, department_id: int = 1) -> dict:
    return {
        "login": f"CONTOSO\\new{n}",
        "first_name": "Nia",
        "last_name": "New",
        "email": f"new{n}@contoso.com",
        "department_id": department_id,
        "hire_date": dt.date(2024, 5, 1),
    }


def _audit_logins() -> list[str]:
    table = AuditLog.__table__
    return list(db.session.execute(select(table.c.user_login)).scalars())


def test_insert_with_scope_audits_under_the_scope_login(world):
    """GIVEN Dana's scope on employees
    WHEN a row is inserted through writes.insert(scope, values)
    THEN its audit row names Dana's login."""
    with world.test_request_context():
        writes.insert(_scope(DANA, "create"), _person(1))
        assert _audit_logins() == ["CONTOSO\\dkowalski"]


def test_insert_with_scope_refuses_a_column_hidden_from_the_caller(world):
    """GIVEN Dana's scope, where secret_notes is hidden
    WHEN an insert carries secret_notes
    THEN FieldErrors refuses it as an unknown column and nothing is written."""
    with world.test_request_context():
        with pytest.raises(writes.FieldErrors) as caught:
            writes.insert(_scope(DANA, "create"), {**_person(2), "secret_notes": "x"})
        assert caught.value.errors == {None: ["Unknown column 'secret_notes'."]}
        assert _audit_logins() == []


def test_update_with_scope_outside_its_row_filter_raises_row_gone(world):
    """GIVEN Dana's scope (department 1) and Priya in department 2
    WHEN Dana's scope updates Priya's row
    THEN RowGone: the row is outside what the scope may change."""
    with world.test_request_context():
        full = writes.read(_scope(ALEX, "update"), {"employee_id": 2})
        with pytest.raises(writes.RowGone):
            writes.update(
                _scope(DANA, "update"),
                {"employee_id": 2},
                {"first_name": "P."},
                {"row_version": full["row_version"]},
            )


def test_delete_with_scope_checks_references_with_the_callers_access(world):
    """GIVEN Alex's scope and employee 1, whom an asset and a skill point at
    WHEN the row is deleted through writes.delete(scope, pk, original)
    THEN DeleteRefused names the referring table by the caller's access."""
    with world.test_request_context():
        scope = _scope(ALEX, "delete")
        row = writes.read(scope, {"employee_id": 1}, "delete")
        with pytest.raises(writes.DeleteRefused) as caught:
            writes.delete(
                scope, {"employee_id": 1}, {"row_version": row["row_version"]}
            )
        assert any("corp.assets" in reason for reason in caught.value.reasons)


def test_scope_access_for_is_the_same_callers_access_to_another_table(world):
    """GIVEN Dana, who may only read departments
    WHEN her employees scope is asked for her access to departments
    THEN it allows read and refuses update."""
    with world.test_request_context():
        access = _scope(DANA, "update").access_for(departments)
        assert (access.allows("read"), access.allows("update")) == (True, False)


def test_import_apply_with_scope_audits_under_the_scope_login(world):
    """GIVEN a valid CSV of one employee and Dana's import scope
    WHEN imports.validate and imports.apply take the scope
    THEN the row is inserted and audited under Dana's login."""
    data = (
        b"login,first_name,last_name,email,department_id,hire_date\r\n"
        b"CONTOSO\\new3,Nia,New,new3@contoso.com,1,2024-05-01\r\n"
    )
    with world.test_request_context():
        scope = _scope(DANA, "import")
        parsed = imports.parse(data)
        mapping = imports.auto_mapping(parsed.headers, scope.info, scope.hidden)
        checked = imports.validate(scope, parsed, mapping, "insert")
        assert checked.problems == []
        summary = imports.apply(scope, parsed, mapping, "insert")
        assert summary.inserted == 1
        assert _audit_logins() == ["CONTOSO\\dkowalski"]


def test_import_validate_with_scope_refuses_rows_outside_its_row_filter(world):
    """GIVEN Dana's import scope (department 1) and a CSV updating Priya (dept 2)
    WHEN imports.validate takes the scope in upsert mode
    THEN the row is reported as not among the rows she may change."""
    data = b"employee_id,first_name,last_name\r\n2,Priya,Chen-Li\r\n"
    with world.test_request_context():
        scope = _scope(DANA, "import")
        parsed = imports.parse(data)
        mapping = imports.auto_mapping(
            parsed.headers, scope.info, scope.hidden, "upsert"
        )
        checked = imports.validate(scope, parsed, mapping, "upsert")
        assert [p.message for p in checked.problems] == [
            "this key is not among the rows you may change"
        ]
        assert (
            db.session.execute(
                select(employees.c.last_name).where(employees.c.employee_id == 2)
            ).scalar_one()
            == "Chen"
        )


def test_reference_choices_show_a_row_added_by_another_process_at_once(world):
    """GIVEN the department choices of a form, listed once
    WHEN another server adds a department (not through this process's writes)
    THEN the next form lists it: choices are read, not kept for seconds."""
    from sqlalchemy import insert

    with world.test_request_context():
        access = _scope(ALEX, "create").access_for(departments)
        before = writes.reference_choices(
            departments, "department_id", ["name"], access
        )
        db.session.execute(
            insert(departments).values(department_id=3, code="OPS", name="Operations")
        )
        db.session.commit()
        after = writes.reference_choices(departments, "department_id", ["name"], access)
    assert (len(before), (3, "Operations (3)") in after) == (2, True)
