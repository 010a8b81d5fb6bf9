"""Start-up: load and check the access file, pick the group provider, wire the app."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, g

from app.access.groups import (
    DirectoryUnavailable,
    GroupProvider,
    LdapGroups,
    LdapSettings,
    StaticGroups,
    read_password_file,
)
from app.access.policy import EXTENSION_KEY, AccessPolicy, is_admin
from app.access.settings import (
    AccessSettings,
    AccessSettingsError,
    known_tables,
    load_settings,
)
from app.access.view_checks import view_filter_warnings
from app.cli import tolerate_settings_error
from app.errors import AppError
from app.extensions import db
from app.identity import dev_identity_enabled, parse_account
from config import ConfigError

log = logging.getLogger(__name__)

PROVIDERS = ("static", "ldap")
LDAP_MODES = ("ad", "memberof")
LDAP_AUTHS = ("simple", "ntlm", "kerberos", "anonymous")


def build_provider(
    config: Mapping[str, Any], settings: AccessSettings
) -> GroupProvider:
    """The configured group provider; ConfigError names the setting that is wrong."""
    name = config.get("GROUPS_PROVIDER", "static")
    if name == "static":
        return StaticGroups(settings.static_groups)
    if name != "ldap":
        raise ConfigError(
            f"TABLEFRONT_GROUPS_PROVIDER={name!r} is not one of: {', '.join(PROVIDERS)}"
        )
    if not config.get("LDAP_URL") or not config.get("LDAP_BASE_DN"):
        raise ConfigError(
            "TABLEFRONT_GROUPS_PROVIDER=ldap needs TABLEFRONT_LDAP_URL "
            "(ldaps://dc.contoso.com) and TABLEFRONT_LDAP_BASE_DN (DC=contoso,DC=com)"
        )
    mode, auth = config.get("LDAP_MODE", "ad"), config.get("LDAP_AUTH", "simple")
    if mode not in LDAP_MODES:
        raise ConfigError(f"TABLEFRONT_LDAP_MODE={mode!r} is not one of: ad, memberof")
    if auth not in LDAP_AUTHS:
        raise ConfigError(
            f"TABLEFRONT_LDAP_AUTH={auth!r} is not one of: {', '.join(LDAP_AUTHS)}"
        )
    try:
        password = read_password_file(config.get("LDAP_BIND_PASSWORD_FILE"))
    except OSError as exc:
        raise ConfigError(
            f"TABLEFRONT_LDAP_BIND_PASSWORD_FILE cannot be read: {exc.strerror}"
        ) from None
    if auth in ("simple", "ntlm") and not (config.get("LDAP_BIND_USER") and password):
        raise ConfigError(
            f"TABLEFRONT_LDAP_AUTH={auth} needs TABLEFRONT_LDAP_BIND_USER and "
            "TABLEFRONT_LDAP_BIND_PASSWORD_FILE (or use kerberos)"
        )
    return LdapGroups(
        LdapSettings(
            url=config["LDAP_URL"],
            base_dn=config["LDAP_BASE_DN"],
            bind_user=config.get("LDAP_BIND_USER"),
            bind_password=password,
            auth=auth,
            start_tls=bool(config.get("LDAP_START_TLS")),
            timeout=float(config.get("LDAP_TIMEOUT", 3)),
            cache_seconds=float(config.get("LDAP_CACHE_SECONDS", 300)),
            mode=mode,
            user_attribute=config.get("LDAP_USER_ATTRIBUTE"),
            group_name_attribute=config.get("LDAP_GROUP_ATTRIBUTE"),
            domain=config.get("LDAP_DOMAIN"),
        )
    )


def demo_accounts(settings: AccessSettings) -> list[dict[str, str]]:
    """Accounts worth trying in development: everyone the settings file names."""
    logins: dict[str, str] = {}
    for members in settings.static_groups.values():
        for member in members:
            logins.setdefault(member, "")
    for role in settings.roles.values():
        for user in role.users:
            if user != "*":
                logins.setdefault(user, "")
    group_names = {g.upper() for g in settings.static_groups}
    logins = {k: v for k, v in logins.items() if k not in group_names}
    for login, label in settings.demo_people.items():
        logins[login] = label
    accounts = []
    for raw, label in logins.items():
        ident = parse_account(raw)
        if ident is None:
            continue
        groups = sorted(
            g.rpartition("\\")[2]
            for g, members in settings.static_groups.items()
            if raw in members
        )
        suffix = f" — groups: {', '.join(groups)}" if groups else " — no groups"
        accounts.append(
            {"login": ident.login, "label": (label or ident.login) + suffix}
        )
    return sorted(accounts, key=lambda a: a["login"])


def register_access(app: Flask) -> None:
    """Load the access file (refusing to start if invalid) and the group provider."""
    path = app.config["ACCESS_FILE"]
    try:
        settings = load_settings(path, db.metadata)
    except AccessSettingsError as exc:
        if not tolerate_settings_error(app, exc):
            raise
        settings = AccessSettings(path)
    provider = build_provider(app.config, settings)
    policy = AccessPolicy(settings, provider, db.metadata)
    policy.warnings = tuple(
        view_filter_warnings(settings, known_tables(db.metadata) or {})
    )
    for warning in policy.warnings:
        log.warning("access settings %s: %s", path, warning)
    app.extensions[EXTENSION_KEY] = policy
    if dev_identity_enabled(app):
        app.extensions["tablefront_dev_accounts"] = lambda: demo_accounts(settings)
    app.context_processor(_inject_admin_check)
    log.info(
        "access settings %s: %d roles, groups from the %s provider",
        path,
        len(settings.roles),
        provider.name,
    )


def _inject_admin_check() -> dict[str, Any]:
    """Templates ask ``caller_is_admin()`` to offer the admin pages in the header."""

    def caller_is_admin() -> bool:
        try:
            return is_admin(g.get("identity"))
        except (DirectoryUnavailable, AppError):  # the error page must still render
            return False

    return {"caller_is_admin": caller_is_admin}
