"""Group membership providers: which AD groups the caller belongs to.

IIS/wfastcgi hands the app only a user name, so groups are looked up. One small
interface, ``groups_for(identity) -> frozenset[str]`` of upper-cased
``DOMAIN\\GROUP`` names, and two providers:

``static``  groups listed in the access file's ``[static_groups]`` (development,
            tests, or a small site without a directory).
``ldap``    Active Directory through ldap3, transitive membership, cached per user
            for ``TABLEFRONT_LDAP_CACHE_SECONDS``. ``ad`` mode asks AD once with the
            chain rule ``(member:1.2.840.113556.1.4.1941:=<user DN>)``; ``memberof``
            mode walks ``memberOf`` upwards (OpenLDAP with the memberof overlay and
            other directories). Any directory failure raises DirectoryUnavailable,
            which the app turns into a 503: a lookup that failed never means "allow".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from app.identity import Identity

log = logging.getLogger(__name__)

AD_CHAIN_RULE = "1.2.840.113556.1.4.1941"
MAX_GROUPS_WALKED = 2000  # a guard against a runaway walk in a huge directory


class DirectoryUnavailable(RuntimeError):
    """The directory could not be reached or refused us: fail closed."""


class GroupProvider(Protocol):
    """Anything that can say which groups an identity belongs to."""

    name: str

    def groups_for(self, identity: Identity) -> frozenset[str]: ...


class StaticGroups:
    """Groups from the settings file; a group may list groups (nesting)."""

    name = "static"

    def __init__(self, members_by_group: Mapping[str, frozenset[str]]) -> None:
        self.members_by_group = {
            g: frozenset(m.upper() for m in members)
            for g, members in members_by_group.items()
        }
        self._by_login: dict[str, frozenset[str]] = {}

    def groups_for(self, identity: Identity) -> frozenset[str]:
        """Every group that lists the login, directly or through another group
        (worked out once per login: the settings file does not change while the
        app runs)."""
        login = identity.login.upper()
        found = self._by_login.get(login)
        if found is None:
            if len(self._by_login) >= 4096:
                self._by_login.clear()
            found = self._by_login[login] = self._expand(login)
        return found

    def _expand(self, login: str) -> frozenset[str]:
        found: set[str] = set()
        frontier = {login}
        while frontier:
            new = {
                group
                for group, members in self.members_by_group.items()
                if group not in found and members & frontier
            }
            found |= new
            frontier = {group.upper() for group in new}
        return frozenset(found)


@dataclass(frozen=True)
class LdapSettings:
    """Connection settings for the ldap provider (from TABLEFRONT_LDAP_*)."""

    url: str
    base_dn: str
    bind_user: str | None = None
    bind_password: str | None = None
    auth: str = "simple"  # simple | ntlm | kerberos | anonymous
    start_tls: bool = False
    timeout: float = 3.0
    cache_seconds: float = 300.0
    mode: str = "ad"  # ad | memberof
    user_attribute: str | None = None  # default sAMAccountName (ad) / uid (memberof)
    group_name_attribute: str | None = None  # default sAMAccountName (ad) / cn
    domain: str | None = None  # NetBIOS prefix for group names; default the caller's

    @property
    def user_attr(self) -> str:
        return self.user_attribute or ("sAMAccountName" if self.mode == "ad" else "uid")

    @property
    def group_attr(self) -> str:
        return self.group_name_attribute or (
            "sAMAccountName" if self.mode == "ad" else "cn"
        )


def ad_group_filter(user_dn: str) -> str:
    """The one AD query of ``ad`` mode: every group the user is in, transitively."""
    from ldap3.utils.conv import escape_filter_chars

    dn = escape_filter_chars(user_dn)
    return f"(&(objectClass=group)(member:{AD_CHAIN_RULE}:={dn}))"


def user_filter(attribute: str, name: str) -> str:
    """Find the user entry by account name, with the name escaped."""
    from ldap3.utils.conv import escape_filter_chars

    return f"({attribute}={escape_filter_chars(name)})"


class TtlCache:
    """login -> groups for ``seconds``; thread-safe (IIS may run threads)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self._items: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> frozenset[str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] <= self.clock():
                self._items.pop(key, None)
                return None
            return item[1]

    def put(self, key: str, value: frozenset[str]) -> None:
        with self._lock:
            self._items[key] = (self.clock() + self.seconds, value)


class LdapGroups:
    """Groups from Active Directory (or any LDAP directory) through ldap3."""

    name = "ldap"

    def __init__(
        self, settings: LdapSettings, clock: Callable[[], float] = time.monotonic
    ):
        self.settings = settings
        self.cache = TtlCache(settings.cache_seconds, clock)
        self.searches = 0  # how many LDAP searches were sent (tests count them)

    def groups_for(self, identity: Identity) -> frozenset[str]:
        """The caller's groups, cached or from the directory; raise if unreachable."""
        key = identity.login.upper()
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        groups = self._lookup(identity)
        self.cache.put(key, groups)
        return groups

    def _connection(self) -> Any:
        import ldap3

        s = self.settings
        server = ldap3.Server(s.url, connect_timeout=s.timeout, get_info=ldap3.NONE)
        # receive_timeout must be whole seconds: ldap3 packs it into SO_RCVTIMEO.
        receive = max(1, round(s.timeout))
        options: dict[str, Any] = {"receive_timeout": receive, "read_only": True}
        if s.auth == "simple":
            options.update(user=s.bind_user, password=s.bind_password)
            options["authentication"] = ldap3.SIMPLE
        elif s.auth == "ntlm":
            options.update(user=s.bind_user, password=s.bind_password)
            options["authentication"] = ldap3.NTLM
        elif s.auth == "kerberos":
            # The app pool's own Kerberos ticket (gMSA / machine account).
            options.update(authentication=ldap3.SASL, sasl_mechanism=ldap3.KERBEROS)
        else:
            options["authentication"] = ldap3.ANONYMOUS
        conn = ldap3.Connection(server, **options)
        conn.open()
        if s.start_tls:
            conn.start_tls()
        if not conn.bind():
            raise DirectoryUnavailable(
                f"bind refused: {conn.result.get('description')}"
            )
        return conn

    def _search(self, conn: Any, base: str, flt: str, attrs: list[str], scope: str):
        import ldap3

        self.searches += 1
        conn.search(
            base,
            flt,
            search_scope={"base": ldap3.BASE, "sub": ldap3.SUBTREE}[scope],
            attributes=attrs,
            time_limit=max(1, int(self.settings.timeout)),
        )
        return list(conn.response or [])

    def _lookup(self, identity: Identity) -> frozenset[str]:
        s = self.settings
        started = time.perf_counter()
        try:
            conn = self._connection()
            try:
                groups = self._groups(conn, identity)
            finally:
                conn.unbind()
        except DirectoryUnavailable:
            log.error("directory %s refused the lookup for %s", s.url, identity.login)
            raise
        except Exception as exc:  # any failure is "unreachable": never allow
            log.error("directory %s unreachable for %s: %s", s.url, identity.login, exc)
            raise DirectoryUnavailable(str(exc)) from exc
        log.info(
            "directory lookup for %s: %d groups in %.0f ms",
            identity.login,
            len(groups),
            (time.perf_counter() - started) * 1000,
        )
        return groups

    def _groups(self, conn: Any, identity: Identity) -> frozenset[str]:
        s = self.settings
        users = [
            e
            for e in self._search(
                conn, s.base_dn, user_filter(s.user_attr, identity.name),
                ["memberOf"], "sub",
            )
            if e.get("type") == "searchResEntry"
        ]  # fmt: skip
        if not users:
            log.info("directory has no user %s: no groups", identity.login)
            return frozenset()
        user = users[0]
        domain = (s.domain or identity.domain).upper()
        if s.mode == "ad":
            entries = self._search(
                conn, s.base_dn, ad_group_filter(user["dn"]), [s.group_attr], "sub"
            )
            names = {
                self._name(e) for e in entries if e.get("type") == "searchResEntry"
            }
        else:
            names = self._walk_member_of(conn, user)
        return frozenset(
            f"{domain}\\{n}".upper() if domain else n.upper() for n in names if n
        )

    def _walk_member_of(self, conn: Any, user: dict) -> set[str]:
        """Breadth-first up the memberOf links; a visited set stops cycles."""
        pending = list(_values(user, "memberOf"))
        seen: set[str] = set()
        names: set[str] = set()
        while pending and len(seen) < MAX_GROUPS_WALKED:
            dn = pending.pop(0)
            if dn.lower() in seen:
                continue
            seen.add(dn.lower())
            for entry in self._search(
                conn,
                dn,
                "(objectClass=*)",
                [self.settings.group_attr, "memberOf"],
                "base",
            ):
                if entry.get("type") != "searchResEntry":
                    continue
                names.add(self._name(entry))
                pending.extend(_values(entry, "memberOf"))
        return names

    def _name(self, entry: dict) -> str:
        values = _values(entry, self.settings.group_attr)
        return values[0] if values else ""


def _values(entry: dict, attribute: str) -> list[str]:
    value = (entry.get("attributes") or {}).get(attribute) or []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def read_password_file(path: str | None) -> str | None:
    """The bind password from a file readable only by the app pool identity."""
    if not path:
        return None
    return Path(path).read_text(encoding="utf-8").strip()
