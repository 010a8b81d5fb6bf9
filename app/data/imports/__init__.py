"""CSV import: read, map, validate every row, preview, apply all-or-nothing.

- ``reading``: UTF-8 with or without BOM, UTF-16, else Windows-1252 (what Excel on
  Windows writes); the delimiter sniffed among ``, ; TAB |``.
- ``mapping``: CSV headers matched to columns by name or label (case, spaces and
  underscores ignored); the user can change it. Columns hidden from the caller and
  server-managed columns cannot be targets: a header naming one is an error.
- ``validating``: the column rules the forms use (``app.catalog.columns``), plus
  duplicate keys within the file, existing keys (insert mode), unique values,
  foreign keys the caller may see, and rows outside the caller's filter.
- ``applying``: one transaction; executemany for inserts and updates in chunks
  (``app.data.parameters``), one audit row per imported row, the row filter
  re-checked after writing. Any failure rolls everything back.
- ``storage``: the upload kept as a file between the steps (capped, expiring by
  mtime, on a share when there are several web servers); the browser only holds a
  signed token that binds its id to the table and the user.

``validate`` and ``apply`` take the caller's ``Scope``.
"""

from app.data.imports.applying import (
    APPLY_BATCH,
    Batch,
    ReviewAgain,
    Summary,
    apply,
)
from app.data.imports.mapping import (
    BadCell,
    Plan,
    auto_mapping,
    converter,
    ignored_headers,
    importable_columns,
    plan,
    typed_rows,
)
from app.data.imports.problems import MAX_PROBLEMS, PREVIEW_ROWS, Checked, Problem
from app.data.imports.reading import (
    DELIMITERS,
    CsvRows,
    ParsedFile,
    UnreadableFile,
    decode,
    parse,
    sniff_delimiter,
)
from app.data.imports.validating import validate

__all__ = [
    "APPLY_BATCH",
    "DELIMITERS",
    "MAX_PROBLEMS",
    "PREVIEW_ROWS",
    "BadCell",
    "Batch",
    "Checked",
    "CsvRows",
    "ParsedFile",
    "Plan",
    "Problem",
    "ReviewAgain",
    "Summary",
    "UnreadableFile",
    "apply",
    "auto_mapping",
    "converter",
    "decode",
    "ignored_headers",
    "importable_columns",
    "parse",
    "plan",
    "sniff_delimiter",
    "typed_rows",
    "validate",
]
