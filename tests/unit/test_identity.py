"""Identity: REMOTE_USER normalised into one account, nothing else trusted."""

from __future__ import annotations

import pytest

from app.identity import (
    Identity,
    RefusedLogin,
    decode_remote_user,
    identity_from_environ,
    parse_account,
)

DOMAINS = {"CONTOSO": "contoso.com"}


@pytest.mark.parametrize(
    "raw",
    [
        "CONTOSO\\jdoe",
        "contoso\\JDoe",
        "jdoe@contoso.com",
        "JDOE@CONTOSO.COM",
        "contoso.com\\jdoe",
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


LOOK_ALIKES = [
    "CONTOSO\\d\u212aowalski",  # Kelvin sign K
    "CONTOSO\\\uff41morgan",  # fullwidth a
    "CONTOSO\\amorgan\u00a0",  # trailing no-break space
    "CONTOSO\\amorgan ",  # trailing space
    "  CONTOSO\\amorgan",  # leading spaces
    "CONTOSO\\a morgan",
    "CONTOSO\\amorgan\t",
    "CONTOSO\\amorgan\x85",  # C1 control (NEL)
    "CONTOSO\\am\u200borgan",  # zero-width space (format)
    "CONTOSO\\amorgan\u202e",  # right-to-left override (format)
    "CONTOSO\\amorgan\u2028",  # line separator
    "CONTOSO\\amorgan\ufeff",  # byte order mark
    "CONTOSO\\stra\u00dfe",  # sharp s: upper-cases to SS, like "strasse"
    "CONTOSO\\\u0131an",  # dotless i: upper-cases to I, like "ian"
]


@pytest.mark.parametrize("raw", LOOK_ALIKES)
def test_identity_from_environ_look_alike_login_is_refused(raw, caplog):
    """GIVEN REMOTE_USER with whitespace, a control or format character, or a
    character that changes under NFKC or round-trips case to another letter
    WHEN read
    THEN it is refused (RefusedLogin), and the log names it escaped."""
    with pytest.raises(RefusedLogin):
        identity_from_environ({"REMOTE_USER": raw}, {"DOMAIN_MAP": DOMAINS})
    assert ascii(raw) in caplog.text


@pytest.mark.parametrize("raw", LOOK_ALIKES)
def test_parse_account_look_alike_is_none(raw):
    """GIVEN a look-alike account name (typed by an admin, or in a setting)
    WHEN parsed
    THEN there is no identity: no look-alike folds into another account."""
    assert parse_account(raw, DOMAINS) is None


def test_parse_account_folds_only_case():
    """GIVEN a non-ASCII name in mixed case WHEN parsed THEN only its case folds."""
    assert parse_account("contoso\\JÖSÉ") == Identity("CONTOSO", "jösé")


@pytest.mark.parametrize(
    "wsgi_text",
    [
        "CONTOSO\\jösé".encode().decode("latin-1"),  # IIS wrote UTF-8
        "CONTOSO\\jösé".encode("cp1252").decode("latin-1"),  # IIS wrote ANSI
        "CONTOSO\\jösé",  # a server that hands over real text
    ],
)
def test_decode_remote_user_recovers_what_iis_sent(wsgi_text):
    """GIVEN REMOTE_USER's bytes as wfastcgi hands them over (ISO-8859-1 text of
    UTF-8 or Windows-1252 bytes)
    WHEN decoded
    THEN the login reads as Windows spells it."""
    assert decode_remote_user(wsgi_text) == "CONTOSO\\jösé"


def test_identity_from_environ_utf8_bytes_give_the_non_ascii_login():
    """GIVEN REMOTE_USER holding the UTF-8 bytes of CONTOSO\\Jösé
    WHEN read
    THEN the identity is CONTOSO\\jösé, not the mojibake of its bytes."""
    raw = "CONTOSO\\Jösé".encode().decode("latin-1")
    ident = identity_from_environ({"REMOTE_USER": raw}, {"DOMAIN_MAP": DOMAINS})
    assert ident == Identity("CONTOSO", "jösé")


def test_decode_remote_user_bytes_of_no_windows_encoding_are_refused():
    """GIVEN bytes that are neither UTF-8 nor Windows-1252 (0x81 is unassigned)
    WHEN decoded THEN the login is refused."""
    with pytest.raises(RefusedLogin):
        decode_remote_user("CONTOSO\\j\x81se")
