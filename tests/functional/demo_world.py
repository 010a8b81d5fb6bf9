"""The demo company at a small scale, for tests that use the app as users do.

``build_demo_app`` makes a testing app on a fresh embedded demo database (what
``flask tablefront demo init`` builds); ``LogProblems`` collects every log record
that carries a traceback or an error, so a test can say "nothing went wrong inside";
``fresh_form`` reads a form as served, to post it back with one field changed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from app import create_app
from config import TestingConfig
from tests.html import soup

SCALE = "0.02"  # a few thousand rows: built in well under a second
ADMIN = "CONTOSO\\amorgan"  # Tablefront admin: every table, every action
ROW_FILTERED = "CONTOSO\\dkowalski"  # sales manager: orders of his reports only
EMPLOYEE = "CONTOSO\\lnguyen"  # the directory, own tickets and leave requests
STRANGER = "CONTOSO\\visitor"  # signed in, not in hr.employees: read-only at most


def build_demo_app(base: Path, **settings: str) -> Flask:
    """A testing app on its own demo database under ``base``."""
    environ = {
        "TABLEFRONT_ENV": "testing",
        "TABLEFRONT_LOG_DIR": str(base / "logs"),
        "TABLEFRONT_EMBEDDED_DB_DIR": str(base / "db"),
        "TABLEFRONT_IMPORT_DIR": str(base / "imports"),
        **settings,
    }
    app = create_app(TestingConfig(environ))
    result = app.test_cli_runner().invoke(
        args=["tablefront", "demo", "init", "--scale", SCALE]
    )
    assert result.exit_code == 0, result.output
    return app


class LogProblems(logging.Handler):
    """Keeps log records with a traceback or at ERROR and above."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)

    def take(self) -> list[str]:
        """The problems since the last call, as text (and forget them)."""
        found = [
            f"{r.levelname} {r.name}: {r.getMessage()}"
            + (
                f"\n{logging.Formatter().formatException(r.exc_info)}"
                if r.exc_info
                else ""
            )
            for r in self.records
        ]
        self.records.clear()
        return found

    def __enter__(self) -> LogProblems:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)


def fresh_form(client, path: str) -> dict[str, str]:
    """The fields of the form at ``path`` as a GET hands it out now (current values
    and original_token), as a user's browser would send them back."""
    page = soup(client.get(path))
    values: dict[str, str] = {}
    for element in page.select("form input[name], form textarea[name]"):
        if element.get("type") in {"checkbox", "radio"} and not element.has_attr(
            "checked"
        ):
            continue
        values[element["name"]] = element.get("value", element.get_text())
    for select_ in page.select("form select[name]"):
        chosen = select_.select_one("option[selected]") or select_.select_one("option")
        values[select_["name"]] = chosen.get("value", "") if chosen else ""
    return values
