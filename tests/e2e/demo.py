"""The demo database behind the browser tests, and what the flows may rely on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

log = logging.getLogger(__name__)

DEMO_INIT_ARGS = ["tablefront", "demo", "init"]


@dataclass
class DemoServer:
    """The live app, its temporary folder, and whether the demo data was loaded."""

    app: Flask
    base: Path
    demo_ready: bool
    demo_problem: str = ""
    base_url: str = ""
    history_written: bool = False

    @classmethod
    def prepare(cls, app: Flask, base: Path) -> DemoServer:
        """Load the demo database with ``flask tablefront demo init``, if it exists."""
        result = app.test_cli_runner().invoke(args=DEMO_INIT_ARGS)
        if result.exit_code == 0:
            return cls(app=app, base=base, demo_ready=True)
        problem = (
            f"`flask {' '.join(DEMO_INIT_ARGS)}` exited {result.exit_code}: "
            f"{(result.output or repr(result.exception)).strip()[-400:]}"
        )
        log.warning("demo database not loaded: %s", problem)
        return cls(app=app, base=base, demo_ready=False, demo_problem=problem)

    def require_demo(self) -> None:
        """Skip (a failure where the tier is required) without the demo data."""
        if not self.demo_ready:
            pytest.skip(f"demo database not available: {self.demo_problem}")

    def ensure_history(self) -> None:
        """Write one audit entry (as an edit of employee 1 would), once per server.

        The audit pages then show a table whichever tests ran before.
        """
        if self.history_written:
            return
        from app.data.writes.audit import audit_entry, write_audit
        from app.extensions import db
        from app.models.generated.hr import HrEmployee

        with self.app.test_request_context("/"):
            old, new = {"job_title": "Analyst"}, {"job_title": "Senior analyst"}
            entry = audit_entry(
                HrEmployee.__table__,
                {"employee_id": 1},
                "update",
                "CONTOSO\\amorgan",
                old,
                new,
            )
            write_audit([entry])
            db.session.commit()
        self.history_written = True

    def has_endpoint(self, endpoint: str) -> bool:
        """True when the app has a view named ``endpoint`` (e.g. ``browse.index``)."""
        return endpoint in self.app.view_functions
