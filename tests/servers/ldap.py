"""A throwaway OpenLDAP ``slapd`` for the ``ldap`` test tier.

Fixture (registered for every test by the root conftest's ``pytest_plugins``):

``ldap_server`` (session)
    A ``Directory`` (url, base_dn, bind_dn, bind_password, people/groups DNs) of a
    slapd started once per test session (once per xdist worker) from a generated
    ``slapd.conf`` in a temporary directory: mdb backend, the ``memberof`` overlay
    (maintains ``memberOf`` on users *and* groups, so nesting is walkable) and
    ``refint``, listening on ``ldap://127.0.0.1:<free port>`` only. The directory is
    loaded with ``DIRECTORY_LDIF`` through ``ldapadd`` (the overlay only fills
    ``memberOf`` for entries added over LDAP, not by ``slapadd``). The server is
    stopped and its folder deleted at session end. Tests carry ``@pytest.mark.ldap``.

When ``slapd`` or ``ldapadd`` is missing (Debian packages ``slapd``, ``ldap-utils``) the
fixture skips with the reason; CI turns that skip into a failure through
``TABLEFRONT_REQUIRE_TIERS``. slapd does not implement Active Directory's
``LDAP_MATCHING_RULE_IN_CHAIN``; the provider's ``memberof`` mode is what runs here.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BASE_DN = "dc=contoso,dc=test"
BIND_DN = f"cn=admin,{BASE_DN}"
BIND_PASSWORD = "throwaway-test-password"
PEOPLE_DN = f"ou=people,{BASE_DN}"
GROUPS_DN = f"ou=groups,{BASE_DN}"

MODULE_DIRS = ("/usr/lib/ldap", "/usr/lib/x86_64-linux-gnu/ldap", "/usr/lib64/openldap")
SCHEMA_DIRS = ("/etc/ldap/schema", "/etc/openldap/schema")

# Users: the demo personas plus one account that belongs to no group (lnguyen).
USERS = ("amorgan", "pchen", "dkowalski", "jokafor", "lnguyen")

# Groups and their members; a member that is a group makes the nesting:
# amorgan -> IT-Admins -> IT-Support -> All-Staff (three levels).
GROUPS: dict[str, list[str]] = {
    "IT-Admins": ["uid=amorgan"],
    "IT-Support": ["uid=jokafor", "cn=IT-Admins"],
    "HR-Staff": ["uid=pchen"],
    "Managers": ["uid=dkowalski"],
    "Tablefront-Admins": ["uid=amorgan"],
    "All-Staff": ["cn=IT-Support", "cn=HR-Staff", "cn=Managers"],
}


@dataclass(frozen=True)
class Directory:
    """Where the throwaway directory listens and how to bind to it."""

    url: str
    base_dn: str
    bind_dn: str
    bind_password: str
    password_file: Path
    people_dn: str = PEOPLE_DN
    groups_dn: str = GROUPS_DN

    def user_dn(self, uid: str) -> str:
        return f"uid={uid},{self.people_dn}"

    def group_dn(self, cn: str) -> str:
        return f"cn={cn},{self.groups_dn}"


def _dn(member: str) -> str:
    parent = PEOPLE_DN if member.startswith("uid=") else GROUPS_DN
    return f"{member},{parent}"


def directory_ldif() -> str:
    """The test directory as LDIF: base, two OUs, users, then groups inner-first."""
    parts = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\n"
        "dc: contoso\no: Contoso test\n",
        f"dn: {PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for uid in USERS:
        parts.append(
            f"dn: uid={uid},{PEOPLE_DN}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
            f"cn: {uid}\nsn: {uid}\n"
        )
    for cn, members in GROUPS.items():  # dict order adds nested groups first
        lines = [f"dn: cn={cn},{GROUPS_DN}", "objectClass: groupOfNames", f"cn: {cn}"]
        lines += [f"member: {_dn(m)}" for m in members]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def _first_existing(candidates: tuple[str, ...], probe: str) -> Path | None:
    for candidate in candidates:
        if (Path(candidate) / probe).exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _slapd_conf(root: Path, module_dir: Path, schema_dir: Path) -> str:
    return f"""\
include {schema_dir}/core.schema
include {schema_dir}/cosine.schema
include {schema_dir}/inetorgperson.schema
modulepath {module_dir}
moduleload back_mdb
moduleload memberof
moduleload refint
pidfile {root}/slapd.pid
argsfile {root}/slapd.args

database mdb
maxsize 16777216
suffix "{BASE_DN}"
rootdn "{BIND_DN}"
rootpw {BIND_PASSWORD}
directory {root}/data
index objectClass eq
index uid eq
index member eq

overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE

overlay refint
refint_attributes member
"""


def _wait_for_port(port: int, process: subprocess.Popen, log_file: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited early:\n{log_file.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"slapd did not listen on {port} in 15 s")


@pytest.fixture(scope="session")
def ldap_server() -> Iterator[Directory]:
    """A slapd on 127.0.0.1 loaded with users and nested groups (see GROUPS)."""
    slapd = shutil.which("slapd") or (
        "/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None
    )
    if not slapd:
        pytest.skip("slapd not found; install the Debian package slapd")
    ldapadd = shutil.which("ldapadd")
    if not ldapadd:
        pytest.skip("ldapadd not found; install the Debian package ldap-utils")
    module_dir = _first_existing(MODULE_DIRS, "back_mdb.la") or _first_existing(
        MODULE_DIRS, "back_mdb.so"
    )
    schema_dir = _first_existing(SCHEMA_DIRS, "core.schema")
    if module_dir is None or schema_dir is None:
        pytest.skip("slapd modules or schema files not found (package slapd)")
    root = Path(tempfile.mkdtemp(prefix="tablefront-ldap-"))
    (root / "data").mkdir()
    conf = root / "slapd.conf"
    conf.write_text(_slapd_conf(root, module_dir, schema_dir))
    password_file = root / "bind-password"
    password_file.write_text(BIND_PASSWORD + "\n")
    log_file = root / "slapd.log"
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    with log_file.open("w") as log:
        # -d 0: stay in the foreground (so we own the process) and log nothing.
        process = subprocess.Popen(
            [slapd, "-f", str(conf), "-h", f"{url}/", "-d", "0"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, process, log_file)
        ldif = root / "directory.ldif"
        ldif.write_text(directory_ldif())
        result = subprocess.run(
            [ldapadd, "-x", "-H", url, "-D", BIND_DN, "-w", BIND_PASSWORD,
             "-f", str(ldif)],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"ldapadd failed:\n{result.stdout}\n{result.stderr}")
        yield Directory(url, BASE_DN, BIND_DN, BIND_PASSWORD, password_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(root, ignore_errors=True)
