"""What an import check reports: problems by row and column, counts, a preview."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PREVIEW_ROWS = 10
MAX_PROBLEMS = 500


@dataclass(frozen=True)
class Problem:
    """One problem: 1-based data row (0 = the file itself), column, message."""

    row: int
    column: str
    message: str


@dataclass
class Checked:
    """The outcome of validation: counts of rows to insert/update (row numbers),
    a preview of typed rows, or problems."""

    inserts: Sequence[int] = field(default_factory=list)
    updates: Sequence[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    preview_rows: list[int] = field(default_factory=list)  # row numbers of preview
    total_problems: int = 0
    ignored: list[Problem] = field(default_factory=list)  # skipped read-only columns

    def add(self, row: int, column: str, message: str) -> None:
        self.total_problems += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, message))
