"""The table settings file (TOML): labels, hidden columns, search, sort, page size.

It survives model regeneration and is validated at start-up: an unknown table, an
unknown column or a wrong-typed value is a ``SettingsError`` naming the file and line.

Format (every key optional)::

    [tables."hr.employees"]
    label = "Employees"
    description = "Everyone on the payroll."
    hidden = ["row_version"]                  # never shown, to anyone
    list_columns = ["last_name", "first_name"]  # the list's columns, in order
                                              # (default: every column; detail
                                              # pages always show every column)
    search = ["last_name", "first_name"]      # the search box looks here
    search_mode = "words"                     # "prefix" | "words" | "contains"
    sort = "last_name"                        # "-hire_date" for descending
    label_column = ["first_name", "last_name"]  # names a row pointed at (str or list)
    page_size = 50
    read_only = false

    [tables."hr.employees".columns]
    hire_date = "Hired on"                    # column labels

    [tables."hr.employees".help]
    login = "DOMAIN\\user as in Active Directory"  # help text under form fields
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.catalog.model import SEARCH_MODES
from config import ConfigError

MAX_PAGE_SIZE = 500
TABLE_KEYS = {
    "label": str,
    "description": str,
    "hidden": list,
    "list_columns": list,
    "search": list,
    "search_mode": str,
    "sort": str,
    "label_column": (str, list),
    "page_size": int,
    "read_only": bool,
    "columns": dict,
    "help": dict,
}


class SettingsError(ConfigError):
    """The settings file is wrong; the message names the file and line."""


@dataclass
class TableSettings:
    """Validated-by-shape settings of one table (columns checked by the catalog)."""

    key: str
    line: int
    label: str | None = None
    description: str | None = None
    hidden: list[str] = field(default_factory=list)
    list_columns: list[str] | None = None
    search: list[str] | None = None
    search_mode: str | None = None
    sort: str | None = None
    label_column: list[str] | None = None
    page_size: int | None = None
    read_only: bool = False
    column_labels: dict[str, str] = field(default_factory=dict)
    column_help: dict[str, str] = field(default_factory=dict)  # [..help] column = text


@dataclass
class SettingsFile:
    """The parsed file and the text lines, to point errors at a line."""

    path: Path
    lines: list[str]
    tables: dict[str, TableSettings]

    def error(self, message: str, line: int) -> SettingsError:
        return SettingsError(f"{self.path}:{line}: {message}")

    def line_of(self, settings: TableSettings, word: str) -> int:
        """The first line at or after the table's header that mentions ``word``."""
        pattern = re.compile(r"(^|[^\w])" + re.escape(word) + r"($|[^\w])")
        for number in range(settings.line, len(self.lines) + 1):
            text = self.lines[number - 1]
            stripped = text.lstrip()
            if (
                number > settings.line
                and stripped.startswith("[tables.")
                and not stripped.startswith(f'[tables."{settings.key}".')
            ):
                break
            if pattern.search(text):
                return number
        return settings.line


def _header_line(lines: list[str], key: str) -> int:
    pattern = re.compile(r'^\s*\[\s*tables\s*\.\s*"' + re.escape(key) + r'"\s*\]')
    for number, text in enumerate(lines, start=1):
        if pattern.match(text):
            return number
    return 1


def load_settings(path: Path) -> SettingsFile:
    """Parse and shape-check the settings file; a missing file means no settings."""
    if not path.exists():
        return SettingsFile(path=path, lines=[], tables={})
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _lineno_from_message(str(exc))
        raise SettingsError(f"{path}:{line}: not valid TOML: {exc}") from None
    unknown_top = set(data) - {"tables"}
    file = SettingsFile(path=path, lines=lines, tables={})
    if unknown_top:
        name = sorted(unknown_top)[0]
        raise file.error(
            f'unknown section {name!r} (only [tables."schema.table"])',
            _first_line_with(lines, name),
        )
    tables = data.get("tables", {})
    for key, raw in tables.items():
        line = _header_line(lines, key)
        settings = TableSettings(key=key, line=line)
        if not isinstance(raw, dict):
            raise file.error(f"tables.{key!r} must be a table of settings", line)
        for name, value in raw.items():
            expected = TABLE_KEYS.get(name)
            if expected is None:
                raise file.error(
                    f"unknown setting {name!r} for {key!r} "
                    f"(known: {', '.join(TABLE_KEYS)})",
                    file.line_of(settings, name),
                )
            if not isinstance(value, expected) or (
                expected is int and isinstance(value, bool)
            ):
                raise file.error(
                    f"{key}.{name} has the wrong type ({type(value).__name__})",
                    file.line_of(settings, name),
                )
        _fill(file, settings, raw)
        file.tables[key] = settings
    return file


def _fill(file: SettingsFile, settings: TableSettings, raw: dict[str, Any]) -> None:
    def strings(name: str) -> list[str]:
        value = raw[name]
        value = [value] if isinstance(value, str) else value
        if not all(isinstance(v, str) for v in value):
            raise file.error(
                f"{settings.key}.{name} must list column names",
                file.line_of(settings, name),
            )
        return list(value)

    settings.label = raw.get("label")
    settings.description = raw.get("description")
    settings.hidden = strings("hidden") if "hidden" in raw else []
    settings.list_columns = strings("list_columns") if "list_columns" in raw else None
    if settings.list_columns is not None and not settings.list_columns:
        raise file.error(
            f"{settings.key}.list_columns must name at least one column",
            file.line_of(settings, "list_columns"),
        )
    settings.search = strings("search") if "search" in raw else None
    if "search_mode" in raw:
        mode = raw["search_mode"].strip().lower()
        if mode not in SEARCH_MODES:
            raise file.error(
                f"{settings.key}.search_mode must be one of "
                f"{', '.join(map(repr, SEARCH_MODES))} (not {raw['search_mode']!r})",
                file.line_of(settings, "search_mode"),
            )
        settings.search_mode = mode
    settings.sort = raw.get("sort")
    settings.label_column = strings("label_column") if "label_column" in raw else None
    settings.read_only = bool(raw.get("read_only", False))
    if "page_size" in raw:
        size = raw["page_size"]
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise file.error(
                f"{settings.key}.page_size must be between 1 and {MAX_PAGE_SIZE}",
                file.line_of(settings, "page_size"),
            )
        settings.page_size = size
    for column, label in raw.get("columns", {}).items():
        if not isinstance(label, str):
            raise file.error(
                f"{settings.key}.columns.{column} must be a label (text)",
                file.line_of(settings, column),
            )
        settings.column_labels[column] = label
    for column, text in raw.get("help", {}).items():
        if not isinstance(text, str) or not text.strip():
            raise file.error(
                f"{settings.key}.help.{column} must be a help text",
                file.line_of(settings, column),
            )
        settings.column_help[column] = text.strip()


def _first_line_with(lines: list[str], word: str) -> int:
    for number, text in enumerate(lines, start=1):
        if word in text:
            return number
    return 1


def _lineno_from_message(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1
