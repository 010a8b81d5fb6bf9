"""Who is calling: the Windows user IIS put in ``environ['REMOTE_USER']``.

Identity never comes from a request header (a client can send ``Remote-User:``; it
arrives as ``HTTP_REMOTE_USER`` and is ignored). Missing or empty means
unauthenticated, and every non-public route answers 401 (fail closed). Only the
development config may inject an identity, and only it offers "act as".

Look-alikes are refused, not folded: a login with whitespace (a trailing no-break
space), a control or format character, a character NFKC normalisation changes (the
Kelvin sign K, fullwidth letters) or whose upper and lower case do not map one to
one (``ß`` -> ``SS``, dotless ``ı`` -> ``I``) would otherwise lower-case into someone
else's account, since access compares logins upper-cased. Only case is folded.

Encoding: wfastcgi (like every PEP 3333 server) hands CGI variables over as text
decoded from bytes as ISO-8859-1, one character per byte, and IIS writes a non-ASCII
REMOTE_USER as UTF-8 or in the ANSI code page (Windows-1252 on Western systems). The
bytes are recovered and read as Windows would: UTF-8, else Windows-1252. A value
with characters above U+00FF is already real text (another server) and is kept.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, request, session

from app.errors import AppError

log = logging.getLogger(__name__)

ACT_AS_SESSION_KEY = "dev_act_as"


@dataclass(frozen=True)
class Identity:
    """A Windows account: NetBIOS domain (upper case) and user name (lower case)."""

    domain: str
    name: str
    auth_type: str = field(default="", compare=False)
    source: str = field(default="REMOTE_USER", compare=False)

    @property
    def login(self) -> str:
        """``DOMAIN\\user``, the form SQL Server and AD admins recognise."""
        return f"{self.domain}\\{self.name}" if self.domain else self.name

    def __str__(self) -> str:
        return self.login


class RefusedLogin(ValueError):
    """REMOTE_USER named an account, but in a form Tablefront does not accept."""


def decode_remote_user(raw: str) -> str:
    """REMOTE_USER as Windows spells it: the WSGI text's bytes read as UTF-8, else
    as Windows-1252; RefusedLogin when they are neither."""
    if raw.isascii():
        return raw
    try:
        data = raw.encode("latin-1")
    except UnicodeEncodeError:
        return raw  # not one character per byte: already decoded by the server
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise RefusedLogin("is neither UTF-8 nor Windows-1252") from None


def login_problem(value: str) -> str | None:
    """Why ``value`` is not an acceptable login, or None when it is."""
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        return "has whitespace, a control or a format character"
    if unicodedata.normalize("NFKC", value) != value:
        return "changes under NFKC normalisation (a look-alike character)"
    if value.upper().lower() != value.lower():
        return "has a letter whose upper and lower case do not map one to one"
    return None


def parse_account(
    raw: str | None,
    domain_map: Mapping[str, str] | None = None,
    default_domain: str = "",
    auth_type: str = "",
    source: str = "REMOTE_USER",
) -> Identity | None:
    """Normalise ``DOMAIN\\user``, ``user@dns.domain`` or ``user`` into an Identity.

    ``domain_map`` maps NetBIOS names to DNS names (``CONTOSO`` -> ``contoso.com``) so
    both spellings of one account compare equal. Returns None for a missing, blank or
    malformed value, or one with a look-alike (see ``login_problem``).
    """
    if raw is None:
        return None
    value = raw
    if not value or "/" in value or login_problem(value):
        return None
    dns_to_netbios = {dns.lower(): nb.upper() for nb, dns in (domain_map or {}).items()}
    if "\\" in value:
        domain, _, name = value.partition("\\")
        domain = domain.upper()
        if "." in domain:  # DNS name written in the NetBIOS position
            domain = dns_to_netbios.get(domain.lower(), domain)
    elif "@" in value:
        name, _, dns = value.rpartition("@")
        domain = dns_to_netbios.get(dns.lower(), dns.upper())
    else:
        name, domain = value, default_domain.upper()
    name = name.lower()
    if not name or "\\" in name or "@" in name:
        return None
    return Identity(domain=domain, name=name, auth_type=auth_type, source=source)


def identity_from_environ(
    environ: Mapping[str, Any], config: Mapping[str, Any]
) -> Identity | None:
    """The caller's Identity from the WSGI environ (REMOTE_USER only), or None;
    RefusedLogin (logged) when REMOTE_USER names an account in a refused form."""
    raw = environ.get("REMOTE_USER")
    if not raw:
        return None
    try:
        value = decode_remote_user(raw)
        problem = login_problem(value)
        if problem:
            raise RefusedLogin(problem)
    except RefusedLogin as exc:
        # ascii(): the log shows which character it was, not a look-alike of it.
        log.warning("refused REMOTE_USER %s: it %s", ascii(raw), exc)
        raise
    ident = parse_account(
        value,
        config.get("DOMAIN_MAP"),
        config.get("DEFAULT_DOMAIN", ""),
        auth_type=str(environ.get("AUTH_TYPE") or ""),
    )
    if ident is None:
        log.warning("refused REMOTE_USER %s: not an account name", ascii(raw))
    return ident


def _development_identity() -> Identity | None:
    """Dev only: the session's "act as" account, else the configured dev user."""
    cfg = current_app.config
    for raw, source in (
        (session.get(ACT_AS_SESSION_KEY), "development act-as"),
        (cfg.get("DEV_USER"), "TABLEFRONT_DEV_USER"),
    ):
        ident = parse_account(
            raw, cfg["DOMAIN_MAP"], cfg["DEFAULT_DOMAIN"], "Development", source
        )
        if ident:
            return ident
    return None


def public(view: Callable) -> Callable:
    """Mark a view as reachable without an identity (health checks, static files)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def dev_identity_enabled(app: Flask | None = None) -> bool:
    """True only in development/testing configs that carry a dev identity."""
    cfg = (app or current_app).config
    return cfg["ENV_NAME"] in {"development", "testing"} and bool(cfg.get("DEV_USER"))


def load_identity() -> None:
    """before_request: set ``g.identity``; 401 when a non-public view has none."""
    refused = False
    try:
        g.identity = identity_from_environ(request.environ, current_app.config)
    except RefusedLogin:
        g.identity, refused = None, True
    # A refused REMOTE_USER never falls back to the development identity.
    if g.identity is None and not refused and dev_identity_enabled():
        g.identity = _development_identity()
    if g.identity is not None:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint == "static" or getattr(view, "is_public", False):
        return
    if refused:
        raise AppError(
            401,
            "Account name not accepted",
            "Windows signed you in with an account name that contains spaces, "
            "invisible or look-alike characters, which Tablefront does not accept "
            "so that no account can pass for another. Ask IT to check the account "
            "name.",
        )
    raise AppError(
        401,
        "Not signed in",
        "The web server did not say who you are. Tablefront relies on IIS Windows "
        "Authentication: in IIS Manager, enable Windows Authentication and disable "
        "Anonymous Authentication for this site, then reload the page.",
    )


def register_identity(app: Flask) -> None:
    """Resolve the caller before every request; expose it to templates."""
    app.before_request(load_identity)

    @app.context_processor
    def inject_identity() -> dict[str, Any]:
        return {
            "identity": g.get("identity"),
            "dev_identity": dev_identity_enabled(),
        }
