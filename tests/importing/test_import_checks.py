"""Imports check the table's CHECK constraints per row, with the forms' words."""

from __future__ import annotations

from app import models  # noqa: F401  (the demo models on db.metadata)
from app.access import TableAccess
from app.catalog import DEFAULT_SETTINGS, catalog_from_metadata
from app.data import imports
from app.data.imports.problems import Problem
from app.data.scope import Scope
from app.extensions import db

DEMO = catalog_from_metadata(db.metadata, DEFAULT_SETTINGS)


def _access(table) -> TableAccess:
    return TableAccess(f"{table.schema}.{table.name}", frozenset({"read", "update"}))


def test_import_rows_breaking_check_constraints_are_reported_per_row():
    """GIVEN a tickets file whose row 1 is resolved before it was opened and whose
    row 2 has priority 7 (CHECK priority BETWEEN 1 AND 4)
    WHEN it is validated for update
    THEN each row gets its problem in the rule's words, before any database check."""
    info = DEMO.get("ops.tickets")
    parsed = imports.parse(
        b"ticket_id,opened_at,resolved_at,priority\r\n"
        b"1,2026-01-02 10:00,2026-01-02 09:00,2\r\n"
        b"2,2026-01-02 10:00,2026-01-03 09:00,7\r\n"
    )
    mapping = imports.auto_mapping(parsed.headers, info, ())
    scope = Scope(info, _access(info.table), None, DEMO)
    checked = imports.validate(scope, parsed, mapping, "update")
    assert checked.problems == [
        Problem(1, "resolved_at", "Resolved at must be after Opened at, or the same"),
        Problem(2, "priority", "Priority must be 1–4"),
    ]
