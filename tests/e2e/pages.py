"""The main pages of the demo that the accessibility, phone and tour tests visit.

To cover a new page, add one ``MainPage`` to ``MAIN_PAGES``: the axe test, the
phone-width test and the screenshot tour all read this list.
"""

from __future__ import annotations

from dataclasses import dataclass

# A ticket of the deterministic seed that the browser tests never change.
TICKET = "/t/ops/tickets/39911"
EMPLOYEE = "/t/hr/employees/1"


@dataclass(frozen=True)
class MainPage:
    """One page: a short name (used in test ids and screenshot names) and its path."""

    name: str
    path: str
    status: int = 200  # what the admin gets; other personas may get 403/404


@dataclass(frozen=True)
class Persona:
    """A demo account and what it stands for (README: The demo database)."""

    login: str
    role: str


MAIN_PAGES = [
    MainPage("home", "/"),
    MainPage("list", "/t/ops/tickets"),
    MainPage("list-filter", "/t/ops/tickets?fc=status&fo=eq&fv=open"),
    MainPage("list-employees", "/t/hr/employees"),
    MainPage("detail", TICKET),
    MainPage("detail-employee", EMPLOYEE),
    MainPage("edit", f"{TICKET}/edit"),
    MainPage("new", "/t/ops/tickets/-/new"),
    MainPage("delete", f"{TICKET}/delete"),
    MainPage("import", "/t/ops/tickets/-/import"),
    MainPage("audit", "/audit"),
    MainPage("access", "/admin/access"),
    MainPage("error-404", "/no/such/page", status=404),
    MainPage("api-docs", "/api/docs"),
]

# The development user (the admin) first: the phone and tour tests use it alone.
PERSONAS = [
    Persona("CONTOSO\\amorgan", "IT, Tablefront admin"),
    Persona("CONTOSO\\pchen", "HR"),
    Persona("CONTOSO\\dkowalski", "sales manager"),
    Persona("CONTOSO\\jokafor", "IT support"),
    Persona("CONTOSO\\lnguyen", "employee"),
]
ADMIN = PERSONAS[0]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"1366": DESKTOP, "390": PHONE}
