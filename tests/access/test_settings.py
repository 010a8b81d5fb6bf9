"""The access file is checked at start-up: each mistake is named with file and line."""

from __future__ import annotations

import pytest

from app.access.settings import AccessSettingsError, load_settings
from config import PROJECT_ROOT

VALID_ROLE = """
[roles.employee]
users = ["*"]
[[roles.employee.grants]]
tables = ["hr.employees"]
actions = ["read"]
"""

CALLER = '[caller]\ntable = "hr.employees"\nlogin_column = "login"\n'

BAD_GRANTS = {
    "unknown action": (
        'tables = ["hr.employees"]\nactions = ["read", "approve"]',
        "unknown action 'approve'",
        'actions = ["read", "approve"]',
    ),
    "pattern matching nothing": (
        'tables = ["hr.employes"]\nactions = ["read"]',
        "table pattern 'hr.employes' (role 'clerk') matches no table",
        'tables = ["hr.employes"]',
    ),
    "unknown hidden column": (
        'tables = ["hr.*"]\nactions = ["read"]\nhidden_columns = ["wage"]',
        "hidden column 'wage'",
        'hidden_columns = ["wage"]',
    ),
    "filter on a missing column": (
        'tables = ["ops.tickets"]\nactions = ["read"]\n'
        'rows = [{ column = "owner", equals = "caller.login" }]',
        "column 'owner' is not in ops.tickets",
        "[[roles.clerk.grants]]",
    ),
    "caller attribute not in the caller table": (
        'tables = ["ops.tickets"]\nactions = ["read"]\n'
        'rows = [{ column = "opened_by", equals = "caller.badge" }]',
        "caller.badge",
        "[[roles.clerk.grants]]",
    ),
    "literal given to equals": (
        'tables = ["ops.tickets"]\nactions = ["read"]\n'
        'rows = [{ column = "priority", equals = 3 }]',
        "equals takes caller.login or caller.<column>",
        "[[roles.clerk.grants]]",
    ),
    "unknown operator": (
        'tables = ["ops.tickets"]\nactions = ["read"]\n'
        'rows = [{ column = "priority", op = "~", value = 3 }]',
        "unknown op '~'",
        "[[roles.clerk.grants]]",
    ),
    "unknown grant key": (
        'tables = ["hr.employees"]\nactions = ["read"]\nhide = ["salary"]',
        "unknown key 'hide'",
        "[[roles.clerk.grants]]",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_GRANTS), ids=str)
def test_load_settings_bad_grant_names_file_and_line(case, write_settings, metadata):
    """GIVEN an access file with one mistake in a grant WHEN it is loaded
    THEN the error names the file, the mistake and the line it is on."""
    body, message, line_text = BAD_GRANTS[case]
    text = CALLER + VALID_ROLE + '\n[roles.clerk]\nusers = ["CONTOSO\\\\clerk"]\n'
    text += "[[roles.clerk.grants]]\n" + body + "\n"
    path = write_settings(text)
    line = text.splitlines().index(line_text) + 1
    with pytest.raises(AccessSettingsError) as info:
        load_settings(path, metadata)
    assert f"{path}:{line}: " in str(info.value)
    assert message in str(info.value)


def test_load_settings_role_without_members_is_refused(write_settings, metadata):
    """GIVEN a role with grants but no groups or users WHEN loaded
    THEN start-up fails naming the role's line."""
    text = VALID_ROLE + '\n[roles.ghost]\n[[roles.ghost.grants]]\ntables = ["hr.*"]\n'
    text += 'actions = ["read"]\n'
    path = write_settings(text)
    with pytest.raises(AccessSettingsError, match=r"access.toml:8: role 'ghost' has"):
        load_settings(path, metadata)


def test_load_settings_invalid_toml_names_the_file(write_settings, metadata):
    """GIVEN a file that is not TOML WHEN loaded THEN the error names the file."""
    path = write_settings("[roles.employee\nusers = *")
    with pytest.raises(AccessSettingsError, match="not valid TOML"):
        load_settings(path, metadata)


def test_load_settings_missing_file_names_the_setting(tmp_path, metadata):
    """GIVEN no file at the path WHEN loaded THEN the error names the setting."""
    with pytest.raises(AccessSettingsError, match="TABLEFRONT_ACCESS_FILE"):
        load_settings(tmp_path / "nope.toml", metadata)


def test_create_app_with_invalid_access_file_refuses_to_start(make_app, write_settings):
    """GIVEN TABLEFRONT_ACCESS_FILE points at a file with an unknown action
    WHEN the app is created THEN start-up fails with the access error."""
    path = write_settings(VALID_ROLE.replace('"read"', '"browse"'))
    with pytest.raises(AccessSettingsError, match="unknown action 'browse'"):
        make_app(TABLEFRONT_ACCESS_FILE=str(path))


def test_demo_settings_load_with_every_role(metadata):
    """GIVEN the shipped demo access file WHEN loaded without generated models
    THEN its six roles load and the admin role opens the access pages."""
    settings = load_settings(PROJECT_ROOT / "app" / "settings" / "access.toml")
    assert set(settings.roles) == {"employee", "hr", "manager", "sales", "it", "admin"}
    assert [r.name for r in settings.roles.values() if r.admin] == ["admin"]


def test_demo_settings_match_the_demo_database():
    """GIVEN the demo database's T-SQL (sql/demo) WHEN the demo access file is checked
    against it THEN every table pattern, column and row filter exists."""
    from app.codegen.tsql_ddl import metadata_from_tsql

    metadata = metadata_from_tsql([PROJECT_ROOT / "sql" / "demo"])
    settings = load_settings(
        PROJECT_ROOT / "app" / "settings" / "access.toml", metadata
    )
    assert "sales.orders" in {
        key for role in settings.roles.values() for gr in role.grants
        for key in metadata.tables if gr.matches(key)
    }  # fmt: skip


def test_demo_row_filters_compile_to_tsql():
    """GIVEN the demo settings on the demo database WHEN each persona's row filter on
    each table is compiled for SQL Server THEN none fails and no login is inlined."""
    from sqlalchemy import select

    from app.access.groups import StaticGroups
    from app.access.policy import AccessPolicy
    from app.codegen.tsql_ddl import metadata_from_tsql
    from tests.access.conftest import identity
    from tests.mssql import compile_mssql

    metadata = metadata_from_tsql([PROJECT_ROOT / "sql" / "demo"])
    settings = load_settings(
        PROJECT_ROOT / "app" / "settings" / "access.toml", metadata
    )
    policy = AccessPolicy(settings, StaticGroups(settings.static_groups), metadata)
    compiled = 0
    for login in settings.demo_people:
        ident = identity(login)
        roles = policy.roles_for(ident, policy.groups_for(ident))
        for table in metadata.tables.values():
            access = policy.table_access(ident, table, roles)
            if access.row_filter is not None:
                sql = compile_mssql(select(*table.c).where(access.row_filter))
                assert ident.name not in sql.lower()
                compiled += 1
    assert compiled >= 5
