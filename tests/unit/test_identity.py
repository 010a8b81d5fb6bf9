"""Identity: REMOTE_USER normalised into one account, nothing else trusted."""

from __future__ import annotations

import pytest

from app.identity import Identity, identity_from_environ, parse_account

DOMAINS = {"CONTOSO": "contoso.com"}


@pytest.mark.parametrize(
    "raw",
    [
        "CONTOSO\\jdoe",
        "contoso\\JDoe",
        "jdoe@contoso.com",
        "JDOE@CONTOSO.COM",
        "contoso.com\\jdoe",
        "  CONTOSO\\jdoe  ",
    ],
)
def test_parse_account_spellings_of_one_account_are_equal(raw):
    """GIVEN the same account written as DOMAIN\\user or user@dns in any case WHEN
    parsed THEN it is one Identity."""
    assert parse_account(raw, DOMAINS) == Identity("CONTOSO", "jdoe")


def test_parse_account_unknown_dns_domain_is_kept_whole():
    """GIVEN a UPN whose domain is not in the map WHEN parsed THEN the DNS name is the
    domain, so it never collides with a NetBIOS domain."""
    assert parse_account("jdoe@fabrikam.com", DOMAINS) == Identity(
        "FABRIKAM.COM", "jdoe"
    )


def test_parse_account_bare_name_takes_default_domain():
    """GIVEN a bare name and a default domain WHEN parsed THEN the default is used."""
    assert parse_account("jdoe", DOMAINS, "contoso").login == "CONTOSO\\jdoe"


@pytest.mark.parametrize(
    "raw", [None, "", "   ", "CONTOSO\\", "@contoso.com", "a\\b\\c"]
)
def test_parse_account_missing_or_malformed_is_none(raw):
    """GIVEN an empty or malformed value WHEN parsed THEN there is no identity."""
    assert parse_account(raw, DOMAINS) is None


def test_identity_from_environ_reads_remote_user_and_auth_type():
    """GIVEN IIS's environ WHEN read THEN the identity and auth type come from it."""
    ident = identity_from_environ(
        {"REMOTE_USER": "CONTOSO\\jdoe", "AUTH_TYPE": "Negotiate"},
        {"DOMAIN_MAP": DOMAINS, "DEFAULT_DOMAIN": ""},
    )
    assert ident == Identity("CONTOSO", "jdoe")
    assert ident.auth_type == "Negotiate"


@pytest.mark.parametrize(
    "header", ["HTTP_REMOTE_USER", "HTTP_X_REMOTE_USER", "HTTP_X_FORWARDED_USER"]
)
def test_identity_from_environ_ignores_headers(header):
    """GIVEN only a header claiming a user WHEN read THEN there is no identity."""
    environ = {header: "CONTOSO\\admin"}
    assert identity_from_environ(environ, {"DOMAIN_MAP": DOMAINS}) is None
