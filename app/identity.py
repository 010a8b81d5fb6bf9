"""Who is calling: the Windows user IIS put in ``environ['REMOTE_USER']``.

Identity never comes from a request header (a client can send ``Remote-User:``; it
arrives as ``HTTP_REMOTE_USER`` and is ignored). Missing or empty means
unauthenticated, and every non-public route answers 401 (fail closed). Only the
development config may inject an identity, and only it offers "act as".
"""

from __future__ import annotations

import logging
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
    malformed value.
    """
    if raw is None:
        return None
    value = raw.strip()
    if not value or any(ch in value for ch in "\r\n\t\0/"):
        return None
    dns_to_netbios = {dns.lower(): nb.upper() for nb, dns in (domain_map or {}).items()}
    if "\\" in value:
        domain, _, name = value.partition("\\")
        domain = domain.strip().upper()
        if "." in domain:  # DNS name written in the NetBIOS position
            domain = dns_to_netbios.get(domain.lower(), domain)
    elif "@" in value:
        name, _, dns = value.rpartition("@")
        domain = dns_to_netbios.get(dns.strip().lower(), dns.strip().upper())
    else:
        name, domain = value, default_domain.upper()
    name = name.strip().lower()
    if not name or "\\" in name or "@" in name:
        return None
    return Identity(domain=domain, name=name, auth_type=auth_type, source=source)


def identity_from_environ(
    environ: Mapping[str, Any], config: Mapping[str, Any]
) -> Identity | None:
    """The caller's Identity from the WSGI environ (REMOTE_USER only), or None."""
    return parse_account(
        environ.get("REMOTE_USER"),
        config.get("DOMAIN_MAP"),
        config.get("DEFAULT_DOMAIN", ""),
        auth_type=str(environ.get("AUTH_TYPE") or ""),
    )


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
    g.identity = identity_from_environ(request.environ, current_app.config)
    if g.identity is None and dev_identity_enabled():
        g.identity = _development_identity()
    if g.identity is not None:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if request.endpoint == "static" or getattr(view, "is_public", False):
        return
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
