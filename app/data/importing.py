"""Compatibility names for ``app.data.imports`` with the old loose signatures.

``validate`` and ``apply`` here take (info, access, hidden, ..., access_for) as the
views still call them; new code calls ``app.data.imports.validate(scope, ...)`` and
``apply(scope, ...)``. Remove this module once no view imports it.
"""

from app.data.imports import (
    BadCell,
    Checked,
    ParsedFile,
    Problem,
    ReviewAgain,
    Summary,
    UnreadableFile,
    auto_mapping,
    converter,
    ignored_headers,
    importable_columns,
    parse,
    plan,
)
from app.data.imports import apply_rows as apply
from app.data.imports import validate_rows as validate

__all__ = [
    "BadCell",
    "Checked",
    "ParsedFile",
    "Problem",
    "ReviewAgain",
    "Summary",
    "UnreadableFile",
    "apply",
    "auto_mapping",
    "converter",
    "ignored_headers",
    "importable_columns",
    "parse",
    "plan",
    "validate",
]
