"""sqlcmd scripts as the batches SQL Server runs: files in run order, split on GO.

What sqlcmd does before a batch reaches the server, and no more: the ``.sql`` files of
a folder in name order, one batch per run of lines between lines that are exactly
``GO`` (batches of only comments dropped), and ``$(Name)`` variables replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

GO_LINE = re.compile(r"^[ \t]*GO[ \t]*$", re.IGNORECASE | re.MULTILINE)
SQLCMD_VARIABLE = re.compile(r"\$\((\w+)\)")


def split_batches(script: str) -> list[str]:
    """Split a sqlcmd script into batches on lines that are exactly GO; drop empties."""
    return [batch.strip() for batch in GO_LINE.split(script) if _has_code(batch)]


def substitute_sqlcmd_variables(script: str, values: dict[str, str]) -> str:
    """Replace ``$(Name)`` sqlcmd variables; an unknown name raises KeyError."""
    return SQLCMD_VARIABLE.sub(lambda m: values[m.group(1)], script)


def script_batches(paths: Iterable[Path | str]) -> Iterator[tuple[Path, int, str]]:
    """Yield (file, batch number from 1, batch text) for each .sql file in run order."""
    for path in _sql_files(paths):
        text_ = path.read_text(encoding="utf-8")
        for number, batch in enumerate(split_batches(text_), start=1):
            yield path, number, batch


def _sql_files(paths: Iterable[Path | str]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(sorted(path.rglob("*.sql")) if path.is_dir() else [path])
    return files


def _has_code(batch: str) -> bool:
    without_comments = re.sub(r"--[^\n]*", "", batch)
    return bool(without_comments.strip())
