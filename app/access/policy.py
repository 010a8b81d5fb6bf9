"""Access decisions for one identity on one table: the single authority on permission.

``table_access(identity, table)`` answers which actions the caller may take, which
columns they may not see and which rows exist for them; the data layer applies the
answer to every query it builds. Semantics, from the access settings file:

- default deny: a table no role of the caller grants is invisible;
- several roles: the UNION of their grants' actions;
- row filters of the grants giving an action are OR-ed; a grant without a filter
  means every row. For any action but read the read filter applies too (nobody
  changes a row they cannot see): ``filter_for(action)``;
- hidden columns are the INTERSECTION over the grants giving read: a column is hidden
  only if every one of them hides it.

Compiled answers are cached per (identity, table) for the request, and per (login,
roles held, table) for the policy's lifetime: an answer is a function of the settings
(fixed once loaded), the login and the roles, and the roles are worked out again on
every request from the caller's current groups, so a changed membership takes effect
on the next request exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app, g
from sqlalchemy import MetaData, Table, and_
from sqlalchemy.sql.elements import ColumnElement

from app.access.groups import DirectoryUnavailable, GroupProvider
from app.access.names import spell_conditions
from app.access.plain_words import rows_sentence
from app.access.rowfilters import (
    CallerContext,
    Condition,
    any_of,
    compile_conditions,
    describe,
)
from app.access.settings import (
    ACTIONS,
    APP_SCHEMAS,
    EVERYONE,
    AccessSettings,
    Role,
)
from app.errors import AppError
from app.identity import Identity

EXTENSION_KEY = "tablefront_access"
APP_TABLE_ACTIONS = frozenset({"read", "export"})  # admins, on the app's own tables

__all__ = [
    "ACTIONS",
    "AccessPolicy",
    "TableAccess",
    "caller_groups",
    "caller_roles",
    "describe_caller",
    "effective_grants",
    "is_admin",
    "require",
    "table_access",
]


@dataclass(frozen=True)
class TableAccess:
    """What one identity may do on one table."""

    table_key: str  # logical "schema.table"
    actions: frozenset[str] = frozenset()
    hidden_columns: frozenset[str] = frozenset()
    row_filter: ColumnElement[bool] | None = None  # rows outside it do not exist
    reasons: dict[str, str] = field(default_factory=dict, compare=False)
    # Per action: None = every row (still within row_filter for writes).
    action_filters: dict[str, ColumnElement[bool] | None] = field(
        default_factory=dict, compare=False
    )
    # The read grants' row rules (OR-ed, each AND-ed), for describe().
    read_rules: tuple[tuple[Condition, ...], ...] = field(default=(), compare=False)

    def describe(self, noun: str) -> str:
        """The row filter in plain words ("Showing only tickets you opened (your
        access)"), the general sentence when it cannot be said plainly, or ""."""
        if self.row_filter is None:
            return ""
        return rows_sentence(self.read_rules, noun, self.hidden_columns)

    def allows(self, action: str) -> bool:
        return action in self.actions

    def filter_for(self, action: str) -> ColumnElement[bool] | None:
        """Rows ``action`` may touch: the read filter AND the action's own filter."""
        if action == "read":
            return self.row_filter
        own = self.action_filters.get(action)
        parts = [f for f in (self.row_filter, own) if f is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else and_(*parts)


@dataclass(frozen=True)
class GrantLine:
    """One grant as it applies to one table, for /whoami and the admin page."""

    role: str
    table_key: str
    actions: tuple[str, ...]
    hidden_columns: tuple[str, ...]
    rows: str
    source: str


class AccessPolicy:
    """The validated settings plus a group provider, over the app's tables."""

    def __init__(
        self, settings: AccessSettings, provider: GroupProvider, metadata: MetaData
    ) -> None:
        self.settings = settings
        self.provider = provider
        self.metadata = metadata
        # Start-up findings shown on /admin/access (views that bypass row filters).
        self.warnings: tuple[str, ...] = ()

    @property
    def tables(self) -> dict[str, Table]:
        return {t.fullname.lower(): t for t in self.metadata.tables.values()}

    def groups_for(self, identity: Identity) -> frozenset[str]:
        """The identity's groups from the provider (may raise DirectoryUnavailable)."""
        return self.provider.groups_for(identity)

    def roles_for(self, identity: Identity, groups: Iterable[str]) -> list[Role]:
        """Roles held by the identity: by login, by any of its groups, or by ``*``."""
        login = identity.login.upper()
        names = {grp.upper() for grp in groups}
        short = {grp.rpartition("\\")[2] for grp in names}
        held = []
        for role in self.settings.roles.values():
            by_group = any(
                grp in names if "\\" in grp else grp in short for grp in role.groups
            )
            if EVERYONE in role.users or login in role.users or by_group:
                held.append(role)
        return held

    def table_access(
        self, identity: Identity, table: Table, roles: list[Role]
    ) -> TableAccess:
        """Combine the grants of ``roles`` on ``table`` into one TableAccess (made
        afresh for each request: nothing is kept across callers)."""
        return self._compile(identity, table, roles)

    def _compile(
        self, identity: Identity, table: Table, roles: list[Role]
    ) -> TableAccess:
        key = table.fullname.lower()
        if (table.schema or "") in APP_SCHEMAS:
            if any(r.admin for r in roles):
                reason = "admin role: " + ", ".join(r.name for r in roles if r.admin)
                return TableAccess(
                    key,
                    APP_TABLE_ACTIONS,
                    reasons=dict.fromkeys(APP_TABLE_ACTIONS, reason),
                )
            return TableAccess(key)
        grants = [gr for role in roles for gr in role.grants if gr.matches(key)]
        if not grants:
            return TableAccess(key)
        ctx = CallerContext(
            identity.login,
            self.tables,
            self.settings.caller.table or "",
            self.settings.caller.login_column,
        )
        columns = set(table.c.keys())
        actions: set[str] = set()
        filters: dict[str, ColumnElement[bool] | None] = {}
        reasons: dict[str, str] = {}
        read_rules: tuple[tuple[Condition, ...], ...] = ()
        for action in ACTIONS:
            giving = [gr for gr in grants if action in gr.actions]
            if not giving:
                continue
            actions.add(action)
            reasons[action] = "; ".join(
                f"role {gr.role} ({gr.source})" for gr in giving
            )
            if any(not gr.rows for gr in giving):
                filters[action] = None
            else:
                caller_table = self.tables.get(self.settings.caller.table or "")
                spelled = [
                    spell_conditions(gr.rows, table, self.tables, caller_table)
                    for gr in giving
                ]
                filters[action] = any_of(
                    [compile_conditions(rule, table, ctx) for rule in spelled]
                )
                if action == "read":
                    read_rules = tuple(spelled)
        readers = [gr for gr in grants if "read" in gr.actions]
        hidden = (
            frozenset.intersection(
                *(frozenset(gr.hidden_columns & columns) for gr in readers)
            )
            if readers
            else frozenset()
        )
        return TableAccess(
            key,
            frozenset(actions),
            hidden,
            filters.get("read"),
            reasons,
            filters,
            read_rules,
        )

    def grant_lines(self, roles: Iterable[Role]) -> list[GrantLine]:
        """Every (grant, table) pair of ``roles``, sorted by table then role."""
        lines = []
        tables = {
            k: t for k, t in self.tables.items() if (t.schema or "") not in APP_SCHEMAS
        }
        for role in roles:
            for gr in role.grants:
                for key, table in tables.items():
                    if gr.matches(key):
                        lines.append(
                            GrantLine(
                                role.name,
                                key,
                                tuple(a for a in ACTIONS if a in gr.actions),
                                tuple(sorted(gr.hidden_columns & set(table.c.keys()))),
                                describe(gr.rows),
                                gr.source,
                            )
                        )
        return sorted(lines, key=lambda line: (line.table_key, line.role))


def current_policy() -> AccessPolicy | None:
    """The app's policy (None if access was never registered: deny everything)."""
    return current_app.extensions.get(EXTENSION_KEY)


def _cache() -> dict:
    """This request's (app context's) cache of answers; a throwaway dict outside."""
    try:
        return g._access_cache
    except AttributeError:
        g._access_cache = cache = {}
        return cache
    except RuntimeError:  # no app context
        return {}


DIRECTORY_DETAIL = (
    "The directory (Active Directory) could not be reached, so Tablefront cannot tell "
    "which groups you belong to and shows nothing rather than guess. Nothing was "
    "changed; try again in a minute. If it persists, send the request id below to "
    "your administrator."
)


def caller_groups(identity: Identity) -> frozenset[str]:
    """The identity's groups, once per request; 503 when the directory is down."""
    policy = current_policy()
    if policy is None:
        return frozenset()
    cache = _cache()
    key = ("groups", identity.login)
    if key not in cache:
        try:
            cache[key] = policy.groups_for(identity)
        except DirectoryUnavailable:
            raise AppError(503, "Directory unavailable", DIRECTORY_DETAIL) from None
    return cache[key]


def caller_roles(identity: Identity | None) -> list[Role]:
    """The roles the identity holds (none without an identity or policy)."""
    policy = current_policy()
    if identity is None or policy is None:
        return []
    cache = _cache()
    key = ("roles", identity.login)
    if key not in cache:
        cache[key] = policy.roles_for(identity, caller_groups(identity))
    return cache[key]


def is_admin(identity: Identity | None) -> bool:
    """True when one of the identity's roles is an admin role (access/audit pages)."""
    return any(role.admin for role in caller_roles(identity))


def table_access(identity: Identity | None, table: Table) -> TableAccess:
    """The caller's access to ``table`` (default deny without an identity)."""
    key = table.fullname.lower()
    if identity is None or current_policy() is None:
        return TableAccess(key)
    cache = _cache()
    cache_key = ("table", identity.login, key)
    if cache_key not in cache:
        policy = current_policy()
        cache[cache_key] = policy.table_access(identity, table, caller_roles(identity))
    return cache[cache_key]


def require(identity: Identity | None, table: Table, action: str) -> TableAccess:
    """Return the access for ``action`` or raise: 404 if the table is invisible to
    the caller (no read), 403 if it is visible but the action is not granted."""
    access = table_access(identity, table)
    if not access.allows("read"):
        raise AppError(404)
    if not access.allows(action):
        raise AppError(403, detail=f"You may not {action} rows of {access.table_key}.")
    return access


def effective_grants(identity: Identity) -> list[dict]:
    """Per visible table: combined actions, hidden columns, rows, and their sources."""
    policy = current_policy()
    if policy is None:
        return []
    roles = caller_roles(identity)
    lines_by_table: dict[str, list[GrantLine]] = {}
    for line in policy.grant_lines(roles):
        lines_by_table.setdefault(line.table_key, []).append(line)
    result = []
    for key in sorted(lines_by_table):
        access = table_access(identity, policy.tables[key])
        readers = [ln for ln in lines_by_table[key] if "read" in ln.actions]
        rows = (
            "all rows"
            if access.row_filter is None
            else " or ".join(sorted({ln.rows for ln in readers}))
        )
        result.append(
            {
                "table": key,
                "actions": [a for a in ACTIONS if access.allows(a)],
                "hidden_columns": sorted(access.hidden_columns),
                "rows": rows,
                "sources": sorted(
                    {f"{ln.role} ({ln.source})" for ln in lines_by_table[key]}
                ),
            }
        )
    return result


def describe_caller(identity: Identity) -> dict:
    """Groups, roles and effective grants of ``identity`` (for /whoami and admins)."""
    roles = caller_roles(identity)
    return {
        "groups": sorted(caller_groups(identity)),
        "roles": [r.name for r in roles],
        "admin": any(r.admin for r in roles),
        "grants": effective_grants(identity),
    }
