"""A tiny company on the generated demo models, for the access bypass tests.

The demo tables are created in the test's embedded SQLite database (as ``flask
tablefront demo init`` does, views included) and filled with a handful of rows whose
sensitive values are distinctive strings, so a leak can be searched for anywhere in a
page or a file. The access file gives everyone (role ``staff``) the employees and
leave requests of their own department, with some columns hidden, and departments
read-only (no export); nothing in ``ops`` or ``sales``. ``CONTOSO\\amorgan`` holds
the admin role and sees everything: the control that proves each page works.
"""

from __future__ import annotations

import datetime as dt
import decimal
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import insert

from app.demo.commands import create_demo_views
from app.extensions import db

ADMIN_LOGIN = "CONTOSO\\amorgan"
STAFF_LOGIN = "CONTOSO\\lnguyen"

STAFF_GRANTS = """
[[roles.staff.grants]]
tables = ["hr.employees"]
actions = ["read", "export"]
hidden_columns = ["salary", "notes", "email"]
rows = [{ column = "department_id", equals = "caller.department_id" }]

[[roles.staff.grants]]
tables = ["hr.leave_requests"]
actions = [{leave_actions}]
hidden_columns = [{leave_hidden}]
[[roles.staff.grants.rows]]
column = "employee_id"
in.table = "hr.employees"
in.column = "employee_id"
in.where = [{ column = "department_id", equals = "caller.department_id" }]

[[roles.staff.grants]]
tables = ["hr.departments"]
actions = ["read"]
"""

ACCESS_HEAD = """
version = 1

[caller]
table = "hr.employees"
login_column = "login"

[roles.admin]
users = ["CONTOSO\\\\amorgan"]
admin = true
[[roles.admin.grants]]
tables = ["*.*"]
actions = ["*"]

[roles.staff]
users = ["*"]
"""


def access_toml(
    leave_hidden: tuple[str, ...] = ("comment",),
    leave_actions: tuple[str, ...] = ("read", "export"),
) -> str:
    """The access file; ``leave_*`` are what staff may do and not see on leave."""

    def quoted(names: tuple[str, ...]) -> str:
        return ", ".join(f'"{n}"' for n in names)

    return ACCESS_HEAD + STAFF_GRANTS.replace(
        "{leave_hidden}", quoted(leave_hidden)
    ).replace("{leave_actions}", quoted(leave_actions))


@dataclass(frozen=True)
class Person:
    """One employee row; the secrets are what staff must never see."""

    employee_id: int
    login: str
    first_name: str
    last_name: str
    department_id: int
    manager_id: int | None
    salary: decimal.Decimal
    notes: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Leave:
    """One leave request."""

    leave_request_id: int
    employee_id: int
    approved_by: int | None
    start_date: dt.date
    comment: str


DEPARTMENTS = {
    1: ("IT", "Information Technology"),
    2: ("SAL", "Field Sales"),
    3: (
        "PPL",
        "People Operations",
    ),
}
SITE = (1, "HBT", "Harbourview Tower")

# Alex (IT, admin) manages Dana; Dana (Sales) manages Linh and Sam; Priya is in
# People Operations. Linh sees only Sales people: Dana, Linh, Sam.
PEOPLE = (
    Person(1, ADMIN_LOGIN, "Alex", "Morgan", 1, None, decimal.Decimal("123456.78"),
           "Board-only remark alpha", "alex.m-x41@contoso.example"),
    Person(2, "CONTOSO\\dkowalski", "Dana", "Kowalski", 2, 1,
           decimal.Decimal("98765.43"), "Retention bonus pending",
           "dk-private-7@contoso.example"),
    Person(3, STAFF_LOGIN, "Linh", "Nguyen", 2, 2, decimal.Decimal("54321.09"),
           "Probation ends soon", "ln-quiet-3@contoso.example"),
    Person(4, "CONTOSO\\ssmith", "Sam", "Smith", 2, 2, decimal.Decimal("61234.56"),
           "Asked about relocation", "ss-zz-9@contoso.example"),
    Person(5, "CONTOSO\\pchen", "Priya", "Chen", 3, None, decimal.Decimal("88888.12"),
           "Union liaison", "pc-hr-5@contoso.example"),
)  # fmt: skip

# Leave 101 is Alex's (invisible to Linh) but approved by Dana (visible to Linh).
LEAVES = (
    Leave(101, 1, 2, dt.date(2031, 3, 1), "Offsite retreat in Lisbon"),
    Leave(102, 3, 2, dt.date(2031, 4, 2), "Family wedding abroad"),
    Leave(103, 2, 1, dt.date(2031, 5, 3), "Knee surgery recovery"),
    Leave(104, 5, None, dt.date(2031, 6, 4), "Sabbatical planning"),
)


def person(employee_id: int) -> Person:
    """The person with ``employee_id``."""
    return next(p for p in PEOPLE if p.employee_id == employee_id)


def sees_person(viewer: Person, other: Person) -> bool:
    """Whether the staff row filter lets ``viewer`` see ``other`` (same department)."""
    return viewer.department_id == other.department_id


def sees_leave(viewer: Person, leave: Leave) -> bool:
    """Whether the staff row filter lets ``viewer`` see ``leave``."""
    return sees_person(viewer, person(leave.employee_id))


STAFF = next(p for p in PEOPLE if p.login == STAFF_LOGIN)
ADMIN = next(p for p in PEOPLE if p.login == ADMIN_LOGIN)
VISIBLE_PEOPLE = tuple(p for p in PEOPLE if sees_person(STAFF, p))
INVISIBLE_PEOPLE = tuple(p for p in PEOPLE if not sees_person(STAFF, p))
VISIBLE_LEAVES = tuple(lv for lv in LEAVES if sees_leave(STAFF, lv))
INVISIBLE_LEAVES = tuple(lv for lv in LEAVES if not sees_leave(STAFF, lv))


def _now() -> dt.datetime:
    return dt.datetime(2030, 1, 2, 9, 30)


def seed(app: Flask) -> None:
    """Create every demo table (and SQLite view) and insert the rows above."""
    md = db.metadata
    with app.app_context(), db.engine.begin() as conn:
        tables = [t for t in md.sorted_tables if not t.info.get("is_view")]
        md.create_all(conn, tables=tables)
        create_demo_views(conn, app)
        conn.execute(
            insert(md.tables["hr.departments"]),
            [
                {
                    "department_id": i,
                    "code": code,
                    "name": name,
                    "division": "Corporate",
                    "is_active": True,
                    "created_at": _now(),
                }
                for i, (code, name) in DEPARTMENTS.items()
            ],
        )
        site_id, code, name = SITE
        conn.execute(
            insert(md.tables["ops.sites"]),
            [
                {
                    "site_id": site_id,
                    "code": code,
                    "name": name,
                    "city": "Rotterdam",
                    "country_code": "NL",
                    "time_zone": "Europe/Amsterdam",
                    "is_active": True,
                }
            ],
        )
        conn.execute(
            insert(md.tables["hr.employees"]),
            [
                {
                    "employee_id": p.employee_id,
                    "employee_guid": uuid.UUID(int=p.employee_id),
                    "login": p.login,
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "email": p.email,
                    "job_title": "Specialist",
                    "department_id": p.department_id,
                    "manager_id": p.manager_id,
                    "site_id": site_id,
                    "hire_date": dt.date(2020, 1, p.employee_id),
                    "salary": p.salary,
                    "is_active": True,
                    "notes": p.notes,
                    "modified_at": _now(),
                }
                for p in PEOPLE
            ],
        )
        conn.execute(
            insert(md.tables["hr.leave_requests"]),
            [
                {
                    "leave_request_id": lv.leave_request_id,
                    "employee_id": lv.employee_id,
                    "leave_type": "vacation",
                    "start_date": lv.start_date,
                    "end_date": lv.start_date + dt.timedelta(days=4),
                    "days": decimal.Decimal("5.0"),
                    "status": "approved" if lv.approved_by else "pending",
                    "approved_by": lv.approved_by,
                    "requested_at": _now(),
                    "comment": lv.comment,
                }
                for lv in LEAVES
            ],
        )


def build_world(
    make_app: Callable[..., Flask],
    directory: Path,
    template: Path,
    db_dir: Path,
    access: str | None = None,
) -> Flask:
    """A testing app from ``make_app`` with the access file ``access`` over a copy
    of the seeded ``template`` database in ``db_dir``."""
    shutil.copytree(template, db_dir, dirs_exist_ok=True)
    path = directory / "bypass-access.toml"
    path.write_text(access or access_toml(), encoding="utf-8")
    return make_app(TABLEFRONT_ACCESS_FILE=str(path))


def seed_template(directory: Path) -> Path:
    """Build and seed the demo tables once under ``directory``; return the db folder.

    Each test copies the files into its own embedded database folder, so every test
    gets a fresh app from ``make_app`` without paying for DDL and inserts again.
    """
    from app import create_app
    from config import TestingConfig

    db_dir = directory / "db"
    app = create_app(
        TestingConfig(
            {
                "TABLEFRONT_ENV": "testing",
                "TABLEFRONT_LOG_DIR": str(directory / "logs"),
                "TABLEFRONT_EMBEDDED_DB_DIR": str(db_dir),
            }
        )
    )
    seed(app)
    with app.app_context():
        db.engine.dispose()  # closes the files: the WAL is checkpointed into them
    return db_dir
