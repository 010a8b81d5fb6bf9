"""The access settings file (``app/settings/access.toml``): parsed and checked.

The file is versioned with the code and read once at start-up. Every mistake is
reported with the file and line so the app refuses to start with a clear message
instead of silently granting or denying: unknown keys, actions, roles, table
patterns that match nothing, columns a table does not have, malformed row filters.
"""

from __future__ import annotations

import fnmatch
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table

from app.access.names import column_named, spell_conditions, uses_caller_row
from app.access.rowfilters import (
    Condition,
    FilterError,
    check_conditions,
    parse_conditions,
)

log = logging.getLogger(__name__)

ACTIONS = ("read", "create", "update", "delete", "export", "import")
EVERYONE = "*"
APP_SCHEMAS = frozenset({"tablefront"})  # tables the app owns, not the company's


class AccessSettingsError(RuntimeError):
    """The access settings file is invalid; the message names file and line."""


@dataclass(frozen=True)
class Grant:
    """One rule: a role may take ``actions`` on tables matching ``patterns``."""

    role: str
    patterns: tuple[str, ...]
    actions: frozenset[str]
    hidden_columns: frozenset[str] = frozenset()
    rows: tuple[Condition, ...] = ()  # AND-ed; empty = every row
    line: int = 0
    source: str = ""  # "access.toml:42", shown on the admin page

    def matches(self, table_key: str) -> bool:
        return any(fnmatch.fnmatchcase(table_key, p) for p in self.patterns)


@dataclass(frozen=True)
class Role:
    """A named set of grants and the groups/users who hold it."""

    name: str
    description: str = ""
    groups: frozenset[str] = frozenset()  # upper-cased DOMAIN\group or group
    users: frozenset[str] = frozenset()  # upper-cased DOMAIN\user, or "*"
    admin: bool = False
    grants: tuple[Grant, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class CallerLookup:
    """How ``caller.<column>`` is found: the caller's row in ``table`` by login.

    ``table`` is None when the access file has no ``[caller]`` section: row filters
    on ``caller.login`` still work, and ``caller.<column>`` is refused at start-up.
    """

    table: str | None = None
    login_column: str = "login"


@dataclass(frozen=True)
class AccessSettings:
    """Everything the access file says, validated."""

    path: Path
    roles: dict[str, Role] = field(default_factory=dict)
    caller: CallerLookup = field(default_factory=CallerLookup)
    static_groups: dict[str, frozenset[str]] = field(default_factory=dict)
    demo_people: dict[str, str] = field(default_factory=dict)


class _Lines:
    """Find the line of a setting in the raw text (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, pattern: str, start: int = 1, nth: int = 0) -> int:
        regex = re.compile(pattern)
        seen = 0
        for number in range(max(start, 1), len(self.lines) + 1):
            if regex.search(self.lines[number - 1]):
                if seen == nth:
                    return number
                seen += 1
        return 0

    def role(self, name: str) -> int:
        key = re.escape(name)
        return self.find(rf'^\s*\[\s*roles\.("?){key}\1\s*\]') or self.find(
            rf"\b{key}\b"
        )

    def grant(self, role: str, index: int) -> int:
        key = re.escape(role)
        found = self.find(rf'^\s*\[\[\s*roles\.("?){key}\1\.grants\s*\]\]', nth=index)
        return found or self.role(role)

    def value(self, value: Any, start: int) -> int:
        text = str(value).replace("\\", "\\\\")
        return self.find(re.escape(f'"{text}"'), start) or start


def _upper_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().upper() for v in values)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


class _Loader:
    """Turns the parsed TOML into AccessSettings, collecting every error."""

    ROLE_KEYS = {"description", "groups", "users", "admin", "grants"}
    GRANT_KEYS = {"tables", "actions", "hidden_columns", "rows"}
    TOP_KEYS = {"version", "caller", "roles", "static_groups", "demo_people"}

    def __init__(self, path: Path, text: str, tables: Mapping[str, Table] | None):
        self.path = path
        self.where = _Lines(text)
        self.tables = tables  # None: models not generated yet, skip table checks
        self.errors: list[str] = []
        self.caller = CallerLookup()

    def error(self, line: int, message: str) -> None:
        self.errors.append(f"{self.path}:{line or '?'}: {message}")

    def load(self, data: dict[str, Any]) -> AccessSettings:
        for key in sorted(set(data) - self.TOP_KEYS):
            self.error(
                self.where.find(rf"^\s*\[?{re.escape(key)}\b"), f"unknown key {key!r}"
            )
        caller = self._caller(data.get("caller"))
        self.caller = caller
        roles = {
            name: self._role(name, raw) for name, raw in data.get("roles", {}).items()
        }
        if not roles:
            self.error(1, "no [roles.<name>] defined: nobody could see anything")
        static_groups = self._static_groups(data.get("static_groups", {}))
        demo_people = {
            str(k).upper(): str(v) for k, v in data.get("demo_people", {}).items()
        }
        settings = AccessSettings(self.path, roles, caller, static_groups, demo_people)
        if self.errors:
            raise AccessSettingsError(
                "Invalid access settings:\n  " + "\n  ".join(self.errors)
            )
        return settings

    def _caller(self, raw: Any) -> CallerLookup:
        line = self.where.find(r"^\s*\[caller\]")
        if raw is None:
            return CallerLookup()
        if not isinstance(raw, dict):
            self.error(line, "[caller] must be a table")
            return CallerLookup()
        unknown = set(raw) - {"table", "login_column"}
        for key in sorted(unknown):
            self.error(line, f"unknown key {key!r} in [caller]")
        if "table" not in raw:
            self.error(line, '[caller] needs table = "schema.table"')
            return CallerLookup()
        given_table = str(raw["table"])
        caller = CallerLookup(
            given_table.strip().lower(), str(raw.get("login_column", "login"))
        )
        if self.tables is not None:
            table = self.tables.get(caller.table)
            if table is None:
                self.error(
                    self.where.value(given_table, line),
                    f"[caller] table {given_table!r} does not exist",
                )
                return caller
            login_column = column_named(table, caller.login_column)
            if login_column is None:
                self.error(
                    self.where.value(caller.login_column, line),
                    f"[caller] column {caller.login_column!r} is not a column of "
                    f"{caller.table}",
                )
            else:
                caller = CallerLookup(caller.table, login_column)
        return caller

    def _role(self, name: str, raw: Any) -> Role:
        line = self.where.role(name)
        if not isinstance(raw, dict):
            self.error(line, f"role {name!r} must be a table")
            return Role(name)
        for key in sorted(set(raw) - self.ROLE_KEYS):
            self.error(line, f"unknown key {key!r} in role {name!r}")
        groups = _as_list(raw.get("groups", []))
        users = _as_list(raw.get("users", []))
        if not groups and not users:
            self.error(line, f"role {name!r} has no groups or users: nobody holds it")
        grants = tuple(
            self._grant(name, index, g)
            for index, g in enumerate(_as_list(raw.get("grants", [])))
        )
        if not grants and not raw.get("admin"):
            self.error(line, f"role {name!r} has no [[roles.{name}.grants]]")
        return Role(
            name=name,
            description=str(raw.get("description", "")),
            groups=_upper_set(groups),
            users=_upper_set(users),
            admin=bool(raw.get("admin", False)),
            grants=grants,
            line=line,
        )

    def _grant(self, role: str, index: int, raw: Any) -> Grant:
        line = self.where.grant(role, index)
        source = f"{self.path.name}:{line}"
        if not isinstance(raw, dict):
            self.error(line, f"grant {index + 1} of role {role!r} must be a table")
            return Grant(role, (), frozenset(), line=line, source=source)
        for key in sorted(set(raw) - self.GRANT_KEYS):
            self.error(line, f"unknown key {key!r} in a grant of role {role!r}")
        patterns = tuple(
            str(p).strip().lower() for p in _as_list(raw.get("tables", []))
        )
        if not patterns:
            self.error(line, f"a grant of role {role!r} names no tables")
        actions = set()
        for action in _as_list(raw.get("actions", [])):
            if action == "*":
                actions.update(ACTIONS)
            elif action in ACTIONS:
                actions.add(action)
            else:
                self.error(
                    self.where.value(action, line),
                    f"unknown action {action!r} (use {', '.join(ACTIONS)} or '*')",
                )
        if not actions:
            self.error(line, f"a grant of role {role!r} gives no actions")
        hidden = frozenset(str(c) for c in _as_list(raw.get("hidden_columns", [])))
        try:
            rows = parse_conditions(raw.get("rows", []))
        except FilterError as exc:
            self.error(line, f"bad row filter in a grant of role {role!r}: {exc}")
            rows = ()
        hidden, rows = self._check_tables(role, line, patterns, hidden, rows)
        return Grant(
            role, patterns, frozenset(actions), hidden, rows, line=line, source=source
        )

    def _check_tables(
        self,
        role: str,
        line: int,
        patterns: tuple[str, ...],
        hidden: frozenset[str],
        rows: tuple[Condition, ...],
    ) -> tuple[frozenset[str], tuple[Condition, ...]]:
        """Check names against the tables; return them in the database's spelling."""
        if self.caller.table is None and uses_caller_row(rows):
            self.error(
                line,
                f"a row filter of role {role!r} uses caller.<column>, but the access "
                'file has no [caller] section: add [caller] table = "schema.table" '
                'login_column = "login" naming the table of people by login',
            )
            return hidden, rows
        if self.tables is None:
            return hidden, rows
        matched: list[Table] = []
        for pattern in patterns:
            found = [
                t for k, t in self.tables.items() if fnmatch.fnmatchcase(k, pattern)
            ]
            if not found:
                self.error(
                    self.where.value(pattern, line),
                    f"table pattern {pattern!r} (role {role!r}) matches no table",
                )
            matched += found
        if not matched:
            return hidden, rows
        spelled: set[str] = set()
        for column in sorted(hidden):
            names = {column_named(t, column) for t in matched} - {None}
            if not names:
                self.error(
                    self.where.value(column, line),
                    f"hidden column {column!r} (role {role!r}) is in none of "
                    f"{', '.join(patterns)}",
                )
            spelled |= names or {column}
        caller_table = self.tables.get(self.caller.table or "")
        for table in matched:
            try:
                check_conditions(
                    spell_conditions(rows, table, self.tables, caller_table),
                    table,
                    self.tables,
                    self.caller.table or "",
                )
            except FilterError as exc:
                self.error(
                    line,
                    f"bad row filter (role {role!r}) on {table.fullname}: {exc}",
                )
        rows = spell_conditions(rows, matched[0], self.tables, caller_table)
        return frozenset(spelled), rows

    def _static_groups(self, raw: Any) -> dict[str, frozenset[str]]:
        line = self.where.find(r"^\s*\[static_groups\]")
        if not isinstance(raw, dict):
            self.error(line, "[static_groups] must map a group to a list of members")
            return {}
        return {str(g): _upper_set(_as_list(m)) for g, m in raw.items()}


def known_tables(metadata: MetaData) -> dict[str, Table] | None:
    """The company's tables by ``schema.table``; None when no models exist yet."""
    tables = {
        t.fullname.lower(): t
        for t in metadata.tables.values()
        if (t.schema or "") not in APP_SCHEMAS
    }
    return tables or None


def load_settings(path: Path | str, metadata: MetaData | None = None) -> AccessSettings:
    """Read and validate the access file; raise AccessSettingsError on any mistake."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AccessSettingsError(
            f"{path}: cannot read the access settings file: {exc.strerror}. Set "
            "TABLEFRONT_ACCESS_FILE to its path."
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessSettingsError(f"{path}: not valid TOML: {exc}") from None
    tables = known_tables(metadata) if metadata is not None else None
    if metadata is not None and tables is None:
        log.warning(
            "access settings %s: no generated models yet, table and column names "
            "are not checked (run: flask tablefront models generate)",
            path,
        )
    return _Loader(path, text, tables).load(data)
