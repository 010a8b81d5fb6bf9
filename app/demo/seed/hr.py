"""The hr schema's departments, skills, employee skills and leave requests.

hr.employees, the organisation chart, is in ``people``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from app.demo.seed.draws import REFERENCE_DATE, moment_on, random_days
from app.demo.seed.volumes import fair_share

if TYPE_CHECKING:
    from app.demo.seed.company import Company

# (code, name, division); the first eight exist at every scale (personas need them).
DEPARTMENTS = [
    ("EXEC", "Executive Office", "Executive"),
    ("IT", "Information Technology", "Technology"),
    ("HR", "Human Resources", "Corporate Services"),
    ("SALES", "Sales", "Sales & Marketing"),
    ("FIN", "Finance", "Corporate Services"),
    ("OPS", "Operations", "Operations"),
    ("MKT", "Marketing", "Sales & Marketing"),
    ("CS", "Customer Service", "Operations"),
    ("LEGAL", "Legal", "Corporate Services"),
    ("PROC", "Procurement", "Operations"),
    ("FAC", "Facilities", "Operations"),
    ("LOG", "Logistics", "Operations"),
    ("WH", "Warehouse", "Operations"),
    ("QA", "Quality Assurance", "Operations"),
    ("RND", "Research and Development", "Technology"),
    ("ENG", "Engineering", "Technology"),
    ("DATA", "Data and Analytics", "Technology"),
    ("SEC", "Information Security", "Technology"),
    ("ITSUP", "IT Service Desk", "Technology"),
    ("ACCT", "Accounting", "Corporate Services"),
    ("PAY", "Payroll", "Corporate Services"),
    ("TAX", "Tax", "Corporate Services"),
    ("AUDIT", "Internal Audit", "Corporate Services"),
    ("TREAS", "Treasury", "Corporate Services"),
    ("REC", "Talent Acquisition", "Corporate Services"),
    ("LND", "Learning and Development", "Corporate Services"),
    ("COMMS", "Corporate Communications", "Executive"),
    ("STRAT", "Strategy", "Executive"),
    ("PMO", "Project Management Office", "Technology"),
    ("PROD", "Product Management", "Technology"),
    ("INSIDE", "Inside Sales", "Sales & Marketing"),
    ("KEYACC", "Key Accounts", "Sales & Marketing"),
    ("CHAN", "Channel Partners", "Sales & Marketing"),
    ("PRESALE", "Pre-Sales Engineering", "Sales & Marketing"),
    ("EVENTS", "Events", "Sales & Marketing"),
    ("FIELD", "Field Service", "Operations"),
    ("HSE", "Health, Safety and Environment", "Operations"),
    ("PLAN", "Supply Planning", "Operations"),
    ("MFG", "Manufacturing", "Operations"),
    ("REPAIR", "Repair Center", "Operations"),
]
SKILLS = {
    "Technical": [
        "SQL",
        "Python",
        "PowerShell",
        "C#",
        "JavaScript",
        "Networking",
        "Windows Server",
        "Active Directory",
        "Azure",
        "AWS",
        "Linux",
        "Cybersecurity",
        "Data Analysis",
        "Power BI",
        "Excel",
        "SharePoint",
        "ITIL",
        "Docker",
        "Git",
        "SAP",
    ],
    "Language": [
        "Spanish",
        "French",
        "German",
        "Polish",
        "Japanese",
        "Mandarin",
        "Portuguese",
        "Hindi",
        "Arabic",
        "Dutch",
    ],
    "Management": [
        "People Management",
        "Project Management",
        "Budgeting",
        "Coaching",
        "Change Management",
        "Agile",
        "Scrum",
        "Vendor Management",
        "Risk Management",
        "Strategic Planning",
    ],
    "Business": [
        "Negotiation",
        "Public Speaking",
        "Contract Law",
        "Payroll",
        "Accounts Payable",
        "Financial Reporting",
        "Forecasting",
        "Customer Service",
        "Salesforce",
        "Marketing Analytics",
    ],
    "Safety": [
        "First Aid",
        "Forklift Certification",
        "Fire Warden",
        "OSHA 30",
        "Hazardous Materials",
        "Lean Six Sigma",
        "ISO 9001",
        "Electrical Safety",
        "Working at Heights",
        "Defensive Driving",
    ],
}
LEAVE_TYPES = ["vacation", "sick", "parental", "training", "unpaid"]
LEAVE_COMMENTS = [
    "Family trip",
    "Doctor's appointment",
    "Conference attendance",
    "Moving house",
    "School holidays",
]


def department_name(code: str) -> str:
    """The department's name from its code."""
    return next(name for c, name, _ in DEPARTMENTS if c == code)


def department_rows(company: Company) -> Iterator[dict]:
    """hr.departments: the first departments of ``DEPARTMENTS``, as many as scaled."""
    rng = company.rng("hr.departments")
    for number, (code, name, division) in enumerate(
        DEPARTMENTS[: min(len(DEPARTMENTS), company.count("hr.departments"))], 1
    ):
        company.departments.append((number, code, division))
        yield {
            "department_id": number,
            "code": code,
            "name": name,
            "division": division,
            "Cost Center": f"CC-{1000 + number * 10}",
            "is_active": True,
            "created_at": moment_on(
                dt.date(2004, 1, 5) + random_days(rng, 0, 3000), rng
            ),
        }


def skill_rows(company: Company) -> Iterator[dict]:
    """hr.skills: the first skills of ``SKILLS``, as many as scaled."""
    rng = company.rng("hr.skills")
    skills = [(name, cat) for cat, names in SKILLS.items() for name in names]
    for number, (name, category) in enumerate(skills[: company.count("hr.skills")], 1):
        company.skill_ids.append(number)
        yield {
            "skill_id": number,
            "name": name,
            "category": category,
            "description": rng.choice([None, f"{category} skill: {name}."]),
        }


def employee_skill_rows(company: Company) -> Iterator[dict]:
    """hr.employee_skills: a few skills per employee, about as many as wanted."""
    rng = company.rng("hr.employee_skills")
    wanted = company.count("hr.employee_skills")
    made = 0
    for index, person in enumerate(company.employees):
        target = fair_share(wanted, made, len(company.employees) - index)
        k = max(0, min(len(company.skill_ids), target + rng.randint(-1, 1)))
        for skill_id in sorted(rng.sample(company.skill_ids, k)):
            made += 1
            yield {
                "employee_id": person.employee_id,
                "skill_id": skill_id,
                "level": rng.choices([1, 2, 3, 4, 5], [15, 30, 30, 18, 7])[0],
                "certified": rng.random() < 0.2,
                "assessed_on": rng.choice(
                    [None, person.hire_date + random_days(rng, 30, 400)]
                ),
            }


def leave_request_rows(company: Company) -> Iterator[dict]:
    """hr.leave_requests over the last two years and the next three months."""
    rng = company.rng("hr.leave_requests")
    by_id = {p.employee_id: p for p in company.employees}
    for number in range(1, company.count("hr.leave_requests") + 1):
        person = rng.choice(company.employees)
        start = REFERENCE_DATE - random_days(rng, -90, 720)
        start = max(start, person.hire_date + dt.timedelta(days=30))
        days = Decimal(rng.choice(["0.5", "1", "1", "2", "3", "5", "5", "10"]))
        end = start + dt.timedelta(days=max(0, int(days) - 1))
        kind = rng.choices(LEAVE_TYPES, [60, 25, 3, 8, 4])[0]
        past = start < REFERENCE_DATE
        status = rng.choices(
            ["approved", "rejected", "cancelled", "pending"],
            [85, 5, 10, 0] if past else [45, 5, 5, 45],
        )[0]
        manager = by_id.get(person.manager_id) if person.manager_id else None
        decided = status in {"approved", "rejected"} and manager is not None
        yield {
            "leave_request_id": number,
            "employee_id": person.employee_id,
            "leave_type": kind,
            "start_date": start,
            "end_date": end,
            "days": days,
            "status": status,
            "approved_by": manager.employee_id if decided else None,
            "requested_at": moment_on(start - random_days(rng, 3, 60), rng),
            "comment": rng.choice([None, None, None, *LEAVE_COMMENTS]),
        }
