"""ops.tickets: the service desk's tickets over the last three years."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from app.demo.seed.draws import LAST_MOMENT, REFERENCE_DATE, state_by_age

if TYPE_CHECKING:
    from app.demo.seed.company import Company

TICKET_TEMPLATES = {
    "hardware": [
        "{asset} will not power on",
        "{asset} screen flickering",
        "{asset} battery drains quickly",
        "Replace broken {asset}",
        "{asset} keyboard keys sticking",
    ],
    "software": [
        "Excel crashes when opening large files",
        "Outlook keeps asking for password",
        "Install Power BI Desktop",
        "Teams camera not detected",
        "VPN client update fails",
        "Request licence for Visio",
    ],
    "access": [
        "Access to finance share needed",
        "Password reset for SAP",
        "Add me to the {dept} distribution list",
        "MFA device replaced",
        "New starter account for {dept}",
    ],
    "network": [
        "Wi-Fi drops in meeting rooms at {site}",
        "Slow network on floor 3",
        "Cannot reach intranet from {site}",
        "Printer offline at {site}",
    ],
    "facilities": [
        "Desk move request",
        "Projector in boardroom at {site} not working",
        "Badge reader broken at {site}",
        "Air conditioning too cold",
    ],
}
TICKET_CATEGORY_WEIGHTS = [30, 30, 20, 12, 8]
RESOLUTIONS = [
    "Reinstalled the application.",
    "Replaced the device.",
    "Password reset and MFA re-registered.",
    "Driver updated.",
    "Access granted after manager approval.",
    "Duplicate ticket.",
    "Could not reproduce; closed after follow-up.",
]
SLA = {
    1: dt.timedelta(hours=4),
    2: dt.timedelta(hours=24),
    3: dt.timedelta(days=3),
    4: dt.timedelta(days=10),
}


# Tickets older than a month are closed or resolved; newer ones in any state.
SETTLED_TICKET_STATES = {"closed": 90, "resolved": 10}
TICKET_STATES = {
    "open": 25,
    "in_progress": 25,
    "waiting": 10,
    "resolved": 20,
    "closed": 20,
}


def ticket_rows(company: Company) -> Iterator[dict]:
    """ops.tickets, oldest first, some assigned to the persona James Okafor."""
    rng = company.rng("ops.tickets")
    support = [p for p in company.employees if p.department_code in {"IT", "ITSUP"}]
    support = [p for p in support if p.is_active] or company.employees[:1]
    jokafor = next(p for p in company.employees if p.login.endswith("\\jokafor"))
    categories = list(TICKET_TEMPLATES)
    total = company.count("ops.tickets")
    for number in range(1, total + 1):
        opener = rng.choice(company.employees)
        category = rng.choices(categories, TICKET_CATEGORY_WEIGHTS)[0]
        owned = company.assets_by_owner.get(opener.employee_id, [])
        asset = rng.choice(owned) if owned and category == "hardware" else None
        # Older tickets first, so ticket_id order follows opened_at roughly.
        age_days = (total - number) * 1100 / total + rng.uniform(0, 3)
        opened = LAST_MOMENT - dt.timedelta(days=age_days, minutes=rng.randint(0, 600))
        priority = rng.choices([1, 2, 3, 4], [4, 16, 60, 20])[0]
        status = state_by_age(rng, age_days, 30, SETTLED_TICKET_STATES, TICKET_STATES)
        resolved = (
            opened + dt.timedelta(hours=rng.uniform(0.2, 24 * 9))
            if status in {"resolved", "closed"}
            else None
        )
        if resolved and resolved.date() > REFERENCE_DATE:
            resolved = opened + dt.timedelta(minutes=rng.randint(5, 90))
        assignee = None
        if status != "open" or rng.random() < 0.5:
            assignee = jokafor if rng.random() < 0.08 else rng.choice(support)
        title = rng.choice(TICKET_TEMPLATES[category]).format(
            asset=asset[1] if asset else "Laptop",
            dept=opener.department_code,
            site=company.site_names[(opener.site_id or 1) - 1],
        )
        yield {
            "ticket_id": number,
            "title": title,
            "description": rng.choice([None, f"Reported by {opener.first_name}."]),
            "category": category,
            "priority": priority,
            "status": status,
            "opened_by": opener.employee_id,
            "assigned_to": assignee.employee_id if assignee else None,
            "asset_id": asset[0] if asset else None,
            "site_id": opener.site_id,
            "opened_at": opened.replace(microsecond=0),
            "due_at": (opened + SLA[priority]).replace(microsecond=0),
            "resolved_at": resolved.replace(microsecond=0) if resolved else None,
            "resolution": rng.choice(RESOLUTIONS) if resolved else None,
        }
