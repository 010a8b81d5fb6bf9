"""Group providers: static from the settings file, LDAP against a real slapd."""

from __future__ import annotations

import socket
import time

import pytest

from app.access.groups import (
    AD_CHAIN_RULE,
    DirectoryUnavailable,
    LdapGroups,
    LdapSettings,
    StaticGroups,
    ad_group_filter,
)
from tests.access.conftest import identity


def _ldap(directory, **overrides) -> LdapGroups:
    options = {
        "url": directory.url,
        "base_dn": directory.base_dn,
        "bind_user": directory.bind_dn,
        "bind_password": directory.bind_password,
        "mode": "memberof",
        "timeout": 2.0,
    }
    return LdapGroups(LdapSettings(**{**options, **overrides}))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


def test_static_groups_nested_group_is_followed():
    """GIVEN amorgan in IT-Admins, itself a member of IT-Support WHEN asked
    THEN both groups are returned."""
    provider = StaticGroups(
        {
            "CONTOSO\\IT-Admins": frozenset({"CONTOSO\\AMORGAN"}),
            "CONTOSO\\IT-Support": frozenset({"CONTOSO\\IT-ADMINS"}),
            "CONTOSO\\HR-Staff": frozenset({"CONTOSO\\PCHEN"}),
        }
    )
    assert provider.groups_for(identity("CONTOSO\\amorgan")) == {
        "CONTOSO\\IT-Admins",
        "CONTOSO\\IT-Support",
    }


def test_ad_group_filter_uses_the_chain_rule_with_escaped_dn():
    """GIVEN a user DN with a parenthesis WHEN the ad-mode filter is built
    THEN it uses AD's in-chain matching rule and escapes the DN."""
    flt = ad_group_filter("CN=Okafor (IT),OU=People,DC=contoso,DC=com")
    assert flt == (
        f"(&(objectClass=group)(member:{AD_CHAIN_RULE}:="
        "CN=Okafor \\28IT\\29,OU=People,DC=contoso,DC=com))"
    )


def test_ad_mode_sends_the_chain_rule_query(monkeypatch):
    """GIVEN ad mode WHEN groups are looked up THEN after finding the user, exactly one
    subtree search with the chain-rule filter asks for sAMAccountName."""
    sent = []
    users = [{"type": "searchResEntry", "dn": "CN=Linh,DC=contoso,DC=com"}]
    groups = [{"type": "searchResEntry", "attributes": {"sAMAccountName": "Staff"}}]

    def fake_search(self, conn, base, flt, attrs, scope):
        sent.append((base, flt, attrs, scope))
        return users if len(sent) == 1 else groups

    monkeypatch.setattr(LdapGroups, "_search", fake_search)
    provider = LdapGroups(LdapSettings("ldaps://dc", "DC=contoso,DC=com", mode="ad"))
    found = provider._groups(object(), identity("CONTOSO\\lnguyen"))
    assert sent == [
        ("DC=contoso,DC=com", "(sAMAccountName=lnguyen)", ["memberOf"], "sub"),
        ("DC=contoso,DC=com", ad_group_filter("CN=Linh,DC=contoso,DC=com"),
         ["sAMAccountName"], "sub"),
    ]  # fmt: skip
    assert found == {"CONTOSO\\STAFF"}


@pytest.mark.ldap
def test_ldap_memberof_nested_groups_are_transitive(ldap_server):
    """GIVEN amorgan in IT-Admins in IT-Support in All-Staff, and Tablefront-Admins
    WHEN looked up in slapd THEN all four groups come back."""
    groups = _ldap(ldap_server).groups_for(identity("CONTOSO\\amorgan"))
    assert groups == {
        "CONTOSO\\IT-ADMINS",
        "CONTOSO\\IT-SUPPORT",
        "CONTOSO\\ALL-STAFF",
        "CONTOSO\\TABLEFRONT-ADMINS",
    }


@pytest.mark.ldap
def test_ldap_user_in_no_group_gets_no_groups(ldap_server):
    """GIVEN lnguyen exists but belongs to no group WHEN looked up THEN no groups."""
    assert _ldap(ldap_server).groups_for(identity("CONTOSO\\lnguyen")) == frozenset()


@pytest.mark.ldap
def test_ldap_unknown_user_gets_no_groups(ldap_server):
    """GIVEN an account the directory does not know WHEN looked up THEN no groups."""
    assert _ldap(ldap_server).groups_for(identity("CONTOSO\\nobody")) == frozenset()


@pytest.mark.ldap
def test_ldap_second_call_is_served_from_cache(ldap_server):
    """GIVEN a looked-up user WHEN asked again within the TTL
    THEN no further LDAP search is sent."""
    provider = _ldap(ldap_server)
    first = provider.groups_for(identity("CONTOSO\\jokafor"))
    searches = provider.searches
    assert provider.groups_for(identity("CONTOSO\\jokafor")) == first
    assert provider.searches == searches


@pytest.mark.ldap
def test_ldap_cache_expires_after_ttl(ldap_server):
    """GIVEN a TTL of 300 s WHEN the clock passes it THEN the directory is asked
    again."""
    now = [1000.0]
    provider = LdapGroups(_ldap(ldap_server).settings, clock=lambda: now[0])
    provider.groups_for(identity("CONTOSO\\pchen"))
    searches = provider.searches
    now[0] += 301
    assert provider.groups_for(identity("CONTOSO\\pchen")) == {
        "CONTOSO\\HR-STAFF",
        "CONTOSO\\ALL-STAFF",
    }
    assert provider.searches > searches


@pytest.mark.ldap
def test_ldap_wrong_bind_password_fails_closed(ldap_server):
    """GIVEN a wrong service-account password WHEN a lookup runs
    THEN DirectoryUnavailable is raised, never an empty 'allow'."""
    provider = _ldap(ldap_server, bind_password="wrong")
    with pytest.raises(DirectoryUnavailable, match="bind refused"):
        provider.groups_for(identity("CONTOSO\\amorgan"))


def test_ldap_directory_down_fails_within_timeout():
    """GIVEN nothing listens on the port WHEN a lookup runs
    THEN DirectoryUnavailable is raised within the timeout."""
    settings = LdapSettings(
        f"ldap://127.0.0.1:{_closed_port()}", "dc=x", "cn=a", "b", timeout=1.0
    )
    started = time.monotonic()
    with pytest.raises(DirectoryUnavailable):
        LdapGroups(settings).groups_for(identity("CONTOSO\\amorgan"))
    assert time.monotonic() - started < 1.5
