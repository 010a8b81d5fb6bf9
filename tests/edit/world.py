"""A small company database for the edit, import and audit tests.

The tables live on their own MetaData in a schema ``corp`` (ATTACHed to the test's
embedded database), so they never mix with the generated demo models. Access comes
from ``Policy``: a dict of login -> table key -> TableAccess, swapped in for
``app.access.policy.table_access`` (the data layer asks it through ``require``).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    event,
    insert,
    text,
)
from sqlalchemy.dialects import mssql

from app.access import TableAccess
from app.access import policy as access_policy
from app.access.settings import Role
from app.catalog import build_catalog, set_catalog
from app.embedded import schema_file
from app.extensions import db

SCHEMA = "corp"
WRITE = frozenset({"read", "create", "update", "delete", "import", "export"})
READ = frozenset({"read", "export"})

metadata = MetaData()

departments = Table(
    "departments",
    metadata,
    Column("department_id", Integer, primary_key=True),
    Column("code", String(10), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("Cost Center", String(20)),
    schema=SCHEMA,
)

employees = Table(
    "employees",
    metadata,
    Column("employee_id", Integer, primary_key=True),
    Column("login", String(256), nullable=False, unique=True),
    Column("first_name", String(50), nullable=False),
    Column("last_name", String(50), nullable=False),
    Column("email", String(254), nullable=False, unique=True),
    Column(
        "department_id",
        Integer,
        ForeignKey("corp.departments.department_id"),
        nullable=False,
    ),
    Column("level", mssql.TINYINT),
    Column("salary", Numeric(10, 2), CheckConstraint("salary >= 0", name="ck_salary")),
    Column("is_active", Boolean, nullable=False, server_default=text("1")),
    Column("hire_date", Date, nullable=False),
    Column("secret_notes", String(200)),
    # Stamped by a trigger (a bare FetchedValue): the database sets it. A plain
    # DEFAULT sysdatetime() would be editable (issue 13 item 4).
    Column("modified_at", DateTime, server_default=FetchedValue()),
    Column(
        "row_version", mssql.TIMESTAMP, nullable=False, server_default=FetchedValue()
    ),
    schema=SCHEMA,
)

assets = Table(
    "assets",
    metadata,
    Column("asset_id", Integer, primary_key=True),
    Column("asset_tag", String(20), nullable=False, unique=True),
    Column("assigned_to", Integer, ForeignKey("corp.employees.employee_id")),
    Column("note", String(100)),
    Column("received_on", Date),
    Column("retired_on", Date),
    # A cross-column CHECK the forms and imports check before the database.
    CheckConstraint(
        "retired_on IS NULL OR retired_on >= received_on", name="ck_assets_retired"
    ),
    schema=SCHEMA,
)

skills = Table(
    "employee_skills",
    metadata,
    Column(
        "employee_id",
        Integer,
        ForeignKey("corp.employees.employee_id"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("skill", String(30), primary_key=True),
    Column(
        "level", mssql.TINYINT, CheckConstraint("level BETWEEN 1 AND 5"), nullable=False
    ),
    schema=SCHEMA,
)

events = Table(  # no primary key: read-only everywhere
    "events",
    metadata,
    Column("happened_at", DateTime),
    Column("user", String(50)),
    schema=SCHEMA,
)


@dataclass
class Policy:
    """Test access: login (upper case) -> table key -> TableAccess; admins by login."""

    grants: dict[str, dict[str, TableAccess]] = field(default_factory=dict)
    admins: set[str] = field(default_factory=set)

    def give(
        self,
        login: str,
        table: Table,
        actions: frozenset[str] = WRITE,
        hidden: frozenset[str] = frozenset(),
        row_filter=None,
    ) -> None:
        key = f"{table.schema}.{table.name}"
        self.grants.setdefault(login.upper(), {})[key] = TableAccess(
            key, frozenset(actions), frozenset(hidden), row_filter
        )

    # The AccessPolicy interface app.access.policy calls (installed on the app).
    def groups_for(self, identity) -> frozenset[str]:
        return frozenset()

    def roles_for(self, identity, groups) -> list[Role]:
        admin = identity.login.upper() in self.admins
        return [Role("admins", admin=True)] if admin else []

    def table_access(self, identity, table: Table, roles=()) -> TableAccess:
        key = f"{table.schema}.{table.name}"
        if identity is None:
            return TableAccess(key)
        return self.grants.get(identity.login.upper(), {}).get(key, TableAccess(key))


ALEX = "CONTOSO\\amorgan"  # may do everything
LINH = "CONTOSO\\lnguyen"  # reads only
DANA = "CONTOSO\\dkowalski"  # writes, but only rows of department 1


def default_policy() -> Policy:
    policy = Policy(admins={ALEX.upper()})
    for table in (departments, employees, assets, skills, events):
        policy.give(ALEX, table)
        policy.give(LINH, table, READ, hidden=frozenset({"secret_notes"}))
    policy.give(DANA, departments, READ)
    policy.give(
        DANA,
        employees,
        hidden=frozenset({"secret_notes"}),
        row_filter=employees.c.department_id == 1,
    )
    policy.give(DANA, assets)
    return policy


def _attach(dbapi_connection, _record, path: str) -> None:
    cursor = dbapi_connection.cursor()
    names = {row[1] for row in cursor.execute("PRAGMA database_list")}
    if SCHEMA not in names:
        cursor.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (path,))
        # As app.embedded does for every schema it attaches: WAL, so a commit is one
        # append instead of a rollback journal created, synced and deleted per file.
        cursor.execute(f"PRAGMA {SCHEMA}.journal_mode=WAL")
    # Also as app.embedded: synchronous=NORMAL is per connection, not stored in the
    # file, so it is set on every new connection (a commit appends to the WAL without
    # waiting for a disk sync; the WAL is synced at checkpoints).
    cursor.execute(f"PRAGMA {SCHEMA}.synchronous=NORMAL")
    cursor.close()


def seed() -> None:
    """Two departments, three employees, one asset, one skill."""
    db.session.execute(
        insert(departments),
        [
            {"department_id": 1, "code": "IT", "name": "Information Technology"},
            {"department_id": 2, "code": "HR", "name": "Human Resources"},
        ],
    )
    people = [
        {
            "employee_id": 1,
            "login": "CONTOSO\\amorgan",
            "first_name": "Alex",
            "last_name": "Morgan",
            "email": "amorgan@contoso.com",
            "department_id": 1,
            "level": 3,
            "salary": decimal.Decimal("5000.00"),
            "hire_date": dt.date(2019, 4, 1),
            "secret_notes": "likes tea",
            "modified_at": dt.datetime(2024, 5, 2, 9, 15, 30),  # the trigger's stamp
        },
        {
            "employee_id": 2,
            "login": "CONTOSO\\pchen",
            "first_name": "Priya",
            "last_name": "Chen",
            "email": "pchen@contoso.com",
            "department_id": 2,
            "hire_date": dt.date(2020, 1, 6),
        },
        {
            "employee_id": 3,
            "login": "CONTOSO\\jokafor",
            "first_name": "James",
            "last_name": "Okafor",
            "email": "jokafor@contoso.com",
            "department_id": 1,
            "hire_date": dt.date(2021, 9, 13),
        },
    ]
    keys = {k for person in people for k in person}
    people = [{k: person.get(k) for k in keys} for person in people]
    db.session.execute(insert(employees), people)
    db.session.execute(
        insert(assets), [{"asset_id": 1, "asset_tag": "LT-0001", "assigned_to": 1}]
    )
    db.session.execute(insert(skills), [{"employee_id": 1, "skill": "SQL", "level": 4}])
    db.session.commit()


@pytest.fixture
def policy() -> Policy:
    """The test access policy (installed on the app by ``world``)."""
    return default_policy()


@pytest.fixture
def world(make_app, policy, tmp_path) -> Iterator[Flask]:
    """An app over the corp tables, seeded, with the test policy."""
    app = make_app(TABLEFRONT_SECRET_KEY="x" * 40)
    app.config["WTF_CSRF_ENABLED"] = False
    path = str(schema_file(tmp_path / "db", SCHEMA))
    with app.app_context():
        engine = db.engine
        event.listen(engine, "connect", lambda c, r: _attach(c, r, path))
        engine.dispose()
        metadata.create_all(engine)
        db.metadata.create_all(
            engine,
            tables=[t for t in db.metadata.sorted_tables if t.schema == "tablefront"],
        )
        seed()
    set_catalog(app, build_catalog(metadata.sorted_tables, None))
    app.extensions[access_policy.EXTENSION_KEY] = policy
    yield app


@pytest.fixture
def as_user(world) -> Callable[[str], object]:
    """A test client signed in as ``login`` (REMOTE_USER, as IIS passes it)."""

    def client_for(login: str):
        client = world.test_client()
        client.environ_base.update({"REMOTE_USER": login, "AUTH_TYPE": "Negotiate"})
        return client

    return client_for
