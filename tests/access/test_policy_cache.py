"""The policy keeps compiled answers across requests, keyed so that they can never
be another caller's or another set of roles' answer."""

from __future__ import annotations

import pytest

from app.access.groups import StaticGroups
from app.access.policy import AccessPolicy
from app.access.settings import load_settings
from tests.access.conftest import identity
from tests.access.test_policy import SETTINGS, visible_ids


@pytest.fixture
def policy(write_settings, metadata) -> AccessPolicy:
    settings = load_settings(write_settings(SETTINGS), metadata)
    return AccessPolicy(settings, StaticGroups(settings.static_groups), metadata)


def test_compiled_access_follows_the_roles_held_now(policy):
    """GIVEN HR staff whose answer on hr.employees was already compiled
    WHEN the same login is asked about again holding no role (membership removed)
    THEN nothing is granted, and with the role back the full grant returns."""
    ident = identity("CONTOSO\\pchen")
    table = policy.metadata.tables["hr.employees"]
    roles = policy.roles_for(ident, policy.groups_for(ident))
    assert "delete" in policy.table_access(ident, table, roles).actions
    assert policy.table_access(ident, table, []).actions == frozenset()
    assert "delete" in policy.table_access(ident, table, roles).actions


def test_compiled_access_is_per_login_for_the_same_role(policy, engine, metadata):
    """GIVEN the employee role, whose ticket filter reads the caller's own row
    WHEN two logins holding exactly that role ask, one after the other
    THEN each sees only the tickets they opened (no answer reused across logins)."""
    table = policy.metadata.tables["ops.tickets"]
    seen = []
    for login in ("CONTOSO\\lnguyen", "CONTOSO\\dkowalski", "CONTOSO\\lnguyen"):
        ident = identity(login)
        employee = [r for r in policy.settings.roles.values() if r.name == "employee"]
        access = policy.table_access(ident, table, employee)
        seen.append(visible_ids(engine, metadata, "ops.tickets", access))
    assert seen[0] != seen[1]
    assert seen[0] == seen[2]
