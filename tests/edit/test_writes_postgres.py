"""The write layer on PostgreSQL (marker ``postgres``): concurrency, audit in the
same transaction, sqlstates in plain words, all-or-nothing import.

The tables are small test models on their own MetaData, created with create_all in
real schemas (``corp``, and ``tablefront`` for the audit log) of a fresh database.
PostgreSQL has no rowversion, so every table here uses the compare-the-originals
predicate; the rowversion variants run on SQLite (tests/edit/test_writes.py) and are
compiled for SQL Server (tests/edit/test_mssql_writes.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Identity,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from app.access import TableAccess
from app.access import policy as access_policy
from app.catalog import build_catalog, get_catalog, set_catalog
from app.data import imports, writes
from app.extensions import db
from app.models import AuditLog
from tests.edit.scopes import write_scope
from tests.edit.test_conflict_merge import browser_fields
from tests.edit.world import ALEX, DANA, WRITE, Policy
from tests.html import soup

pytestmark = pytest.mark.postgres

metadata = MetaData()

departments = Table(
    "departments",
    metadata,
    Column("department_id", Integer, Identity(), primary_key=True),
    Column("code", String(10), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    schema="corp",
)

people = Table(
    "people",
    metadata,
    Column("person_id", Integer, Identity(), primary_key=True),
    Column("login", String(50), nullable=False, unique=True),
    Column(
        "department_id",
        Integer,
        ForeignKey("corp.departments.department_id"),
        nullable=False,
    ),
    # An arithmetic CHECK: a shape app.catalog.checks leaves to the database, so
    # the import finds it only when the database refuses.
    Column(
        "level", SmallInteger, CheckConstraint("level * 1 BETWEEN 1 AND 5", "ck_lvl")
    ),
    Column("salary", Numeric(10, 2)),
    schema="corp",
)

ACTOR = ALEX


def _access(table: Table) -> TableAccess:
    return TableAccess(f"{table.schema}.{table.name}", WRITE)


@pytest.fixture
def pg_world(make_app, pg_database) -> Iterator[Flask]:
    """An app on a fresh PostgreSQL database with corp tables and the audit log."""
    url = pg_database.render_as_string(hide_password=False)
    app = make_app(TABLEFRONT_DATABASE_URL=url, TABLEFRONT_SECRET_KEY="p" * 40)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("CREATE SCHEMA corp"))
            conn.execute(text("CREATE SCHEMA tablefront"))
            # The audit log's T-SQL default, as app.embedded registers it on SQLite.
            conn.execute(
                text(
                    "CREATE FUNCTION sysutcdatetime() RETURNS timestamp LANGUAGE sql "
                    "AS $$ SELECT now() AT TIME ZONE 'utc' $$"
                )
            )
        metadata.create_all(db.engine)
        db.metadata.create_all(db.engine, tables=[AuditLog.__table__])
        db.session.execute(
            insert(departments),
            [
                {"code": "IT", "name": "Information Technology"},
                {"code": "HR", "name": "HR"},
            ],
        )
        db.session.execute(
            insert(people),
            [{"login": "CONTOSO\\jokafor", "department_id": 1, "level": 2}],
        )
        db.session.commit()
    set_catalog(app, build_catalog(metadata.sorted_tables, None))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _audit() -> list[dict]:
    return [dict(r) for r in db.session.execute(select(AuditLog.__table__)).mappings()]


def _count(table: Table) -> int:
    return db.session.execute(select(func.count()).select_from(table)).scalar()


def test_pg_update_row_with_current_originals_writes_row_and_audit(pg_world):
    """GIVEN a department read with its values
    WHEN its name is updated with those originals
    THEN the row changes and one audit row holds the old and new name."""
    with pg_world.test_request_context():
        row = writes.read(
            write_scope(departments, _access(departments)), {"department_id": 1}
        )
        writes.update(
            write_scope(departments, _access(departments), ACTOR, _access),
            {"department_id": 1},
            {"name": "IT Services"},
            {"code": row["code"], "name": row["name"]},
        )
        audit = _audit()
        assert [a["action"] for a in audit] == ["update"]
        assert json.loads(audit[0]["old_values"]) == {"name": "Information Technology"}
        assert json.loads(audit[0]["new_values"]) == {"name": "IT Services"}


def test_pg_update_row_changed_by_another_connection_raises_conflict(pg_world):
    """GIVEN a department read by one user, then renamed through another connection
    WHEN the first user saves with the originals they read
    THEN Conflict carries the other connection's name and no audit row is written."""
    with pg_world.test_request_context():
        row = writes.read(
            write_scope(departments, _access(departments)), {"department_id": 2}
        )
        db.session.rollback()
        other = create_engine(db.engine.url)
        with other.begin() as conn:
            conn.execute(
                update(departments)
                .where(departments.c.department_id == 2)
                .values(name="People")
            )
        other.dispose()
        with pytest.raises(writes.Conflict) as caught:
            writes.update(
                write_scope(departments, _access(departments), ACTOR, _access),
                {"department_id": 2},
                {"name": "Human Resources"},
                {"code": row["code"], "name": row["name"]},
            )
        assert caught.value.current["name"] == "People"
        assert _audit() == []


def test_pg_insert_row_returns_identity_key_and_audits(pg_world):
    """GIVEN a new department without a key
    WHEN inserted
    THEN the identity value comes back (RETURNING) and the audit row names it."""
    with pg_world.test_request_context():
        pk = writes.insert(
            write_scope(departments, _access(departments), ACTOR, _access),
            {"code": "FIN", "name": "Finance"},
        )
        assert pk == {"department_id": 3}
        assert json.loads(_audit()[0]["row_key"]) == {"department_id": 3}


def test_pg_insert_row_refused_by_check_leaves_no_row_and_no_audit(pg_world):
    """GIVEN the level check 1..5 (known only to the database)
    WHEN a person with level 9 is inserted
    THEN FieldErrors names level, and neither the row nor an audit row exists."""
    with pg_world.test_request_context():
        with pytest.raises(writes.FieldErrors) as caught:
            writes.insert(
                write_scope(people, _access(people), ACTOR, _access),
                {"login": "CONTOSO\\x", "department_id": 1, "level": 9},
            )
        assert caught.value.errors == {
            "level": [
                "This value is not allowed by a rule of the database (rule ck_lvl)."
            ]
        }
        assert _count(people) == 1
        assert _audit() == []


@pytest.mark.parametrize(
    ("table", "values", "sqlstate", "kind", "column"),
    [
        (departments, {"code": "IT", "name": "Again"}, "23505", "unique", "code"),
        (people, {"login": "a", "department_id": 99}, "23503", "foreign_key", None),
        (
            people,
            {"login": "b", "department_id": 1, "level": 7},
            "23514",
            "check",
            None,
        ),
        (departments, {"code": "XX", "name": None}, "23502", "not_null", "name"),
        (departments, {"code": "X" * 11, "name": "n"}, "22001", "truncation", "code"),
    ],
)
def test_pg_database_refusal_is_classified_to_its_column(
    pg_world, table, values, sqlstate, kind, column
):
    """GIVEN a statement PostgreSQL refuses (unique, FK, check, NOT NULL, too long)
    WHEN the refusal is turned into form errors
    THEN its sqlstate maps to the kind, the right column and plain words."""
    column = column or {"foreign_key": "department_id", "check": "level"}[kind]
    with pg_world.test_request_context():
        with pytest.raises(DBAPIError) as caught:
            db.session.execute(insert(table).values(values))
        db.session.rollback()
        assert caught.value.orig.sqlstate == sqlstate
        errors = writes.field_errors_from(table, caught.value)
        (message,) = errors.errors[column]
        assert list(errors.errors) == [column]
        # the plain words, with the constraint named when PostgreSQL names one
        assert message.startswith(writes.PLAIN_WORDS[kind][:-1])


def test_pg_delete_row_with_referencing_rows_is_refused(pg_world):
    """GIVEN a department one person belongs to
    WHEN it is deleted
    THEN DeleteRefused counts the person and the department stays."""
    with pg_world.test_request_context():
        row = writes.read(
            write_scope(departments, _access(departments)), {"department_id": 1}
        )
        with pytest.raises(writes.DeleteRefused) as caught:
            writes.delete(
                write_scope(departments, _access(departments), ACTOR, _access),
                {"department_id": 1},
                {"code": row["code"], "name": row["name"]},
            )
        assert any(
            "1 row in " in r and "(corp.people)" in r for r in caught.value.reasons
        ), caught.value.reasons
        assert _count(departments) == 2


def test_pg_import_refused_midway_writes_nothing(pg_world):
    """GIVEN a reviewed file of 3,000 people whose last row breaks the level check
    (a rule only the database knows), so it fails in the second batch
    WHEN it is applied
    THEN ReviewAgain is raised and no person and no audit row was written."""
    lines = ["login,department_id,level"]
    lines += [f"CONTOSO\\p{n},{n % 2 + 1},{n % 5 + 1}" for n in range(2999)]
    lines.append("CONTOSO\\last,1,9")
    data = ("\r\n".join(lines) + "\r\n").encode()
    with pg_world.test_request_context():
        info = get_catalog().get("corp.people")
        parsed = imports.parse(data)
        mapping = imports.auto_mapping(parsed.headers, info, ())
        scope = write_scope(people, _access(people), ACTOR, _access)
        checked = imports.validate(scope, parsed, mapping, "insert")
        assert checked.total_problems == 0
        with pytest.raises(imports.ReviewAgain):
            imports.apply(scope, parsed, mapping, "insert")
        assert _count(people) == 1
        assert _audit() == []


def test_pg_import_clean_file_inserts_all_with_audit(pg_world):
    """GIVEN a clean file of 2,500 people (two batches)
    WHEN it is applied
    THEN every row is inserted with one audit row each, keys from RETURNING."""
    lines = ["login,department_id,level,salary"]
    lines += [f"CONTOSO\\q{n},{n % 2 + 1},{n % 5 + 1},{n}.50" for n in range(2500)]
    data = ("\r\n".join(lines) + "\r\n").encode()
    with pg_world.test_request_context():
        info = get_catalog().get("corp.people")
        parsed = imports.parse(data)
        mapping = imports.auto_mapping(parsed.headers, info, ())
        scope = write_scope(people, _access(people), ACTOR, _access)
        summary = imports.apply(scope, parsed, mapping, "insert")
        assert summary.inserted == 2500
        assert _count(people) == 2501
        audit = _audit()
        keys = {json.loads(a["row_key"])["person_id"] for a in audit}
        assert len(audit) == 2500 and len(keys) == 2500
        assert json.loads(audit[0]["new_values"])["login"].startswith("CONTOSO\\q")


# --- edit conflicts between two sessions (pages) ------------------------------------


@pytest.fixture
def pg_clients(pg_world):
    """Two signed-in test clients (separate cookies) over the PostgreSQL tables."""
    policy = Policy()
    for login in (ALEX, DANA):
        for table in (departments, people):
            policy.give(login, table)
    pg_world.config["WTF_CSRF_ENABLED"] = False
    pg_world.extensions[access_policy.EXTENSION_KEY] = policy
    clients = []
    for login in (ALEX, DANA):
        client = pg_world.test_client()
        client.environ_base.update({"REMOTE_USER": login, "AUTH_TYPE": "Negotiate"})
        clients.append(client)
    return clients


def _pg_person(pg_world) -> dict:
    with pg_world.app_context():
        found = db.session.execute(select(people).where(people.c.person_id == 1))
        return dict(found.mappings().one())


def _pg_save(client, changes: dict[str, str], page=None):
    url = "/t/corp/people/1/edit"
    data = browser_fields(page or client.get(url), "edit-form")
    data.update({f"f_{k}": v for k, v in changes.items()})
    return client.post(url, data=data)


def test_pg_apply_mine_after_conflict_keeps_their_change_to_another_field(
    pg_world, pg_clients
):
    """GIVEN Alex and Dana open person 1 (original-value concurrency on PostgreSQL)
    and Dana saves level 4
    WHEN Alex saves a new login, gets the conflict page and applies his version
    THEN the login is Alex's and the level stays Dana's 4."""
    alex, dana = pg_clients
    alex_page = alex.get("/t/corp/people/1/edit")
    assert _pg_save(dana, {"level": "4"}).status_code == 302
    conflict = _pg_save(alex, {"login": "CONTOSO\\jokafor2"}, page=alex_page)
    assert conflict.status_code == 409
    url = "/t/corp/people/1/edit"
    applied = alex.post(url, data=browser_fields(conflict, "conflict-form"))
    assert applied.status_code == 302
    person = _pg_person(pg_world)
    assert (person["login"], person["level"]) == ("CONTOSO\\jokafor2", 4)


def test_pg_apply_mine_after_a_third_change_gives_the_conflict_page_again(
    pg_world, pg_clients
):
    """GIVEN Alex got the conflict page after Dana saved level 4
    WHEN Dana saves a salary before Alex applies his login
    THEN applying answers 409 again and Dana's level and salary are both kept."""
    alex, dana = pg_clients
    alex_page = alex.get("/t/corp/people/1/edit")
    assert _pg_save(dana, {"level": "4"}).status_code == 302
    conflict = _pg_save(alex, {"login": "CONTOSO\\jokafor2"}, page=alex_page)
    assert conflict.status_code == 409
    assert _pg_save(dana, {"salary": "1234.50"}).status_code == 302
    url = "/t/corp/people/1/edit"
    again = alex.post(url, data=browser_fields(conflict, "conflict-form"))
    assert again.status_code == 409
    person = _pg_person(pg_world)
    assert person["login"] == "CONTOSO\\jokafor"
    assert (person["level"], str(person["salary"])) == (4, "1234.50")


def test_pg_check_row_finds_every_clash_and_missing_reference_in_one_query(pg_world):
    """GIVEN a login person 1 already has and a department that does not exist
    WHEN the row is checked before writing (writes.check_row) on PostgreSQL
    THEN both problems come back, from one statement."""
    statements: list[str] = []
    with pg_world.app_context():

        def count(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            errors = writes.check_row(
                people,
                {"login": "CONTOSO\\jokafor", "department_id": 99, "level": 1},
                None,
                _access,
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert set(errors.errors) == {"login", "department_id"}
    assert len(statements) == 1


def test_pg_new_row_form_lists_every_problem_at_once(pg_world, pg_clients):
    """GIVEN a new person with a level that is not a number, a login person 1
    has and a department that does not exist
    WHEN Alex submits the new-row form once on PostgreSQL
    THEN the summary links all three fields and nothing is saved."""
    alex, _dana = pg_clients
    url = "/t/corp/people/-/new"
    data = browser_fields(alex.get(url), "edit-form")
    data.update(f_login="CONTOSO\\jokafor", f_department_id="99", f_level="x")
    page = alex.post(url, data=data)
    assert page.status_code == 422
    links = {a["href"] for a in soup(page).select('[data-testid="problem"] a')}
    assert {"#f_login", "#f_department_id", "#f_level"} <= links
    with pg_world.app_context():
        assert _count(people) == 1
