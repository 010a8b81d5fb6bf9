"""FK choices of a form: one statement per unfiltered table; filters kept."""

from __future__ import annotations

from app.access import TableAccess
from app.data import writes
from tests.edit.world import departments

EVERY = TableAccess("corp.departments", frozenset({"read"}))
FIRST_ONLY = TableAccess(
    "corp.departments",
    frozenset({"read"}),
    row_filter=departments.c.department_id == 1,
)


def _keys(access: TableAccess) -> list[int]:
    found = writes.reference_choices(departments, "department_id", ["name"], access)
    return [key for key, _ in found]


def test_reference_choices_filtered_after_unfiltered_keep_the_filter(world):
    """GIVEN the department choices read once for a caller who sees every row
    WHEN a caller who sees department 1 only asks for them
    THEN she gets department 1 alone."""
    with world.test_request_context():
        assert _keys(EVERY) == [2, 1]  # ordered by name: HR, IT
        assert _keys(FIRST_ONLY) == [1]


def test_reference_choices_unfiltered_after_filtered_show_every_row(world):
    """GIVEN the department choices read for a caller who sees department 1 only
    WHEN a caller who sees every row asks for them
    THEN he gets both departments (no filter carried over)."""
    with world.test_request_context():
        assert _keys(FIRST_ONLY) == [1]
        assert _keys(EVERY) == [2, 1]
