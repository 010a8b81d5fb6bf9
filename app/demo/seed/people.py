"""hr.employees: the organisation chart of the demo company, personas included.

A CEO, division heads, department heads, team leads and staff; the five personas
(employee ids 1-5) sit where the demo scenarios need them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from app.demo.seed.draws import REFERENCE_DATE, phone_number, random_days
from app.demo.seed.hr import department_name
from app.demo.seed.names import FIRST_NAMES, LAST_NAMES, unique

if TYPE_CHECKING:
    from app.demo.seed.company import Company

DOMAIN = "CONTOSO"
MAIL_DOMAIN = "contoso.com"
DIVISION_VP_TITLES = {
    "Technology": "Chief Technology Officer",
    "Corporate Services": "Chief Financial Officer",
    "Sales & Marketing": "Chief Revenue Officer",
    "Operations": "Chief Operating Officer",
}
STAFF_TITLES = {
    "IT": ["Systems Administrator", "Network Engineer", "IT Support Specialist"],
    "ITSUP": ["Service Desk Analyst", "IT Support Specialist", "Desktop Technician"],
    "HR": ["HR Generalist", "HR Business Partner", "HR Coordinator"],
    "SALES": ["Account Executive", "Sales Representative", "Sales Coordinator"],
    "FIN": ["Financial Analyst", "Accounts Payable Specialist", "Controller"],
    "ENG": ["Software Engineer", "Senior Software Engineer", "QA Engineer"],
    "WH": ["Warehouse Associate", "Forklift Operator", "Inventory Clerk"],
}
GENERIC_TITLES = ["Specialist", "Senior Specialist", "Analyst", "Coordinator"]
# (login, first, last, department code, job title, manager: None = department head)
PERSONAS = [
    ("amorgan", "Alex", "Morgan", "IT", "IT Applications Manager", None),
    ("pchen", "Priya", "Chen", "HR", "HR Business Partner", None),
    ("dkowalski", "Dana", "Kowalski", "SALES", "Regional Sales Manager", None),
    ("jokafor", "James", "Okafor", "IT", "IT Support Specialist", "amorgan"),
    ("lnguyen", "Linh", "Nguyen", "FIN", "Accounts Payable Specialist", None),
]
EMPLOYEE_NOTES = [
    "Works remotely on Fridays.",
    "Mentor for new starters.",
    "Fire warden for floor 2.",
    "On the works council.",
]


class Person:
    """One employee while the chart is built; ``row()`` gives the hr.employees row."""

    __slots__ = (
        "employee_id",
        "guid",
        "login",
        "first_name",
        "last_name",
        "email",
        "job_title",
        "department_id",
        "department_code",
        "manager_id",
        "site_id",
        "hire_date",
        "termination_date",
        "salary",
        "is_active",
        "phone",
        "notes",
        "depth",
    )

    def row(self) -> dict:
        """The hr.employees row."""
        return {
            "employee_id": self.employee_id,
            "employee_guid": self.guid,
            "login": self.login,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "job_title": self.job_title,
            "department_id": self.department_id,
            "manager_id": self.manager_id,
            "site_id": self.site_id,
            "hire_date": self.hire_date,
            "termination_date": self.termination_date,
            "salary": self.salary,
            "is_active": self.is_active,
            "phone": self.phone,
            "notes": self.notes,
            "modified_at": dt.datetime.combine(
                self.termination_date or self.hire_date, dt.time(8, 30)
            ),
        }


class Organisation:
    """A CEO, division heads, department heads, team leads and staff; personas 1-5."""

    def __init__(self, company: Company, rng: random.Random) -> None:
        self.company = company
        self.rng = rng
        self.logins: set[str] = {p[0] for p in PERSONAS}
        self.emails: set[str] = {f"{p[1]}.{p[2]}".lower() for p in PERSONAS}
        self.people: list[Person] = []
        self.next_id = len(PERSONAS) + 1

    def build(self, total: int) -> list[Person]:
        departments = {
            code: (dep_id, division)
            for dep_id, code, division in self.company.departments
        }
        ceo = self.hire(None, "EXEC", departments, "Chief Executive Officer", senior=3)
        heads: dict[str, Person] = {"EXEC": ceo}
        vps: dict[str, Person] = {}
        for code, (_dep_id, division) in departments.items():
            if code == "EXEC":
                continue
            if division not in vps and division in DIVISION_VP_TITLES:
                vps[division] = self.hire(
                    ceo, "EXEC", departments, DIVISION_VP_TITLES[division], senior=3
                )
            boss = vps.get(division, ceo)
            heads[code] = self.hire(
                boss, code, departments, f"Head of {department_name(code)}", senior=2
            )
        personas = {}
        for number, (login, first, last, code, title, manager) in enumerate(
            PERSONAS, 1
        ):
            boss = personas[manager] if manager else heads[code]
            personas[login] = self.hire(
                boss,
                code,
                departments,
                title,
                senior=1 if "Manager" in title else 0,
                identity=(number, login, first, last),
            )
        # Dana Kowalski's sales team: 10 reps.
        for _ in range(10):
            self.hire(personas["dkowalski"], "SALES", departments, "Account Executive")
        # Everyone else: team leads under each head, staff under the leads.
        codes = list(heads)
        weights = [
            6 if c in {"IT", "SALES", "OPS", "WH", "CS", "ENG", "MFG"} else 2
            for c in codes
        ]
        leads: dict[str, list[Person]] = {c: [] for c in codes}
        while len(self.people) < total:
            code = self.rng.choices(codes, weights)[0]
            team = leads[code]
            if not team or (len(team) < 12 and self.rng.random() < 0.12):
                team.append(
                    self.hire(
                        heads[code],
                        code,
                        departments,
                        f"{department_name(code)} Team Lead",
                        senior=1,
                    )
                )
            else:
                lead = self.rng.choice(team)
                title = self.rng.choice(STAFF_TITLES.get(code, GENERIC_TITLES))
                self.hire(lead, code, departments, title)
        self.retire_some()
        return self.people

    def hire(
        self,
        manager: Person | None,
        code: str,
        departments: dict[str, tuple[int, str]],
        title: str,
        senior: int = 0,
        identity: tuple[int, str, str, str] | None = None,
    ) -> Person:
        rng = self.rng
        person = Person()
        if identity:
            person.employee_id, login, first, last = identity
        else:
            person.employee_id = self.next_id
            self.next_id += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            login = unique(self.logins, f"{first[0]}{last}".lower())
        person.guid = uuid.UUID(int=rng.getrandbits(128), version=4)
        person.login = f"{DOMAIN}\\{login}"
        person.first_name, person.last_name = first, last
        email_local = (
            unique(self.emails, f"{first}.{last}".lower())
            if not identity
            else f"{first}.{last}".lower()
        )
        person.email = f"{email_local}@{MAIL_DOMAIN}"
        person.job_title = title
        person.department_id = departments[code][0]
        person.department_code = code
        person.manager_id = manager.employee_id if manager else None
        person.depth = manager.depth + 1 if manager else 0
        person.site_id = (
            manager.site_id
            if manager and rng.random() < 0.7
            else rng.choice(self.company.site_ids)
        )
        earliest = dt.date(2004, 1, 5) if senior else dt.date(2008, 1, 1)
        person.hire_date = earliest + random_days(
            rng, 0, (REFERENCE_DATE - earliest).days - 20
        )
        person.termination_date = None
        base = [52000, 78000, 135000, 240000][senior]
        person.salary = Decimal(round(base * rng.uniform(0.85, 1.3), -2))
        person.is_active = True
        person.phone = phone_number(rng) if rng.random() < 0.9 else None
        person.notes = rng.choice([None] * 12 + EMPLOYEE_NOTES)
        self.people.append(person)
        return person

    def retire_some(self) -> None:
        """About 6% of staff without reports have left; their rows stay (history)."""
        managers = {p.manager_id for p in self.people}
        for person in self.people:
            if person.employee_id in managers or person.employee_id <= len(PERSONAS):
                continue
            if self.rng.random() < 0.06:
                span = (REFERENCE_DATE - person.hire_date).days
                person.termination_date = person.hire_date + random_days(
                    self.rng, 1, max(2, span)
                )
                person.is_active = False


def employee_rows(company: Company) -> Iterator[dict]:
    """hr.employees, managers before their reports (the manager_id foreign key)."""
    rng = company.rng("hr.employees")
    people = Organisation(company, rng).build(company.count("hr.employees"))
    company.employees = sorted(people, key=lambda p: p.employee_id)
    for person in sorted(people, key=lambda p: (p.depth, p.employee_id)):
        yield person.row()
