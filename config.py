"""Configuration classes, chosen by the TABLEFRONT_ENV environment variable.

Every setting can come from an environment variable: under IIS, wfastcgi copies the
``<appSettings>`` of web.config into the environment before the app starts. The
default class is Production, which refuses to start with an insecure setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENV_VAR = "TABLEFRONT_ENV"
PROJECT_ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
BUNDLED_SETTINGS = PROJECT_ROOT / "app" / "settings"
MODELS_DIR_VAR = "TABLEFRONT_MODELS_DIR"

# Secrets seen in docs, tutorials and our own development config: never in production.
KNOWN_DEFAULT_SECRETS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "changeme",
        "change-me",
        "your-secret-key",
        "development-only-secret-key-not-for-production",
        "testing-only-secret-key",
    }
)
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names the setting."""


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _pairs(value: str | None) -> dict[str, str]:
    """Parse ``a=b;c=d`` (or comma-separated) into a dict, keys and values stripped."""
    result: dict[str, str] = {}
    if not value:
        return result
    for part in value.replace(",", ";").split(";"):
        if not part.strip():
            continue
        key, sep, val = part.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise ConfigError(
                f"Expected NAME=VALUE pairs separated by ';', got {part!r}"
            )
        result[key.strip()] = val.strip()
    return result


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _models_dir(environ: Mapping[str, str]) -> Path | None:
    """TABLEFRONT_MODELS_DIR: a generated-models package outside the install folder."""
    raw = environ.get(MODELS_DIR_VAR)
    if not raw or not raw.strip():
        return None
    path = Path(raw.strip())
    if not (path / "__init__.py").is_file() and not _generating_models():
        raise ConfigError(
            f"{MODELS_DIR_VAR} {raw!r} holds no __init__.py: generate the models "
            f"there (flask tablefront models generate --out {raw}) or unset it."
        )
    return path


def _generating_models() -> bool:
    """True in `flask tablefront models generate`: the first run fills the folder."""
    from app.cli import running_models_generate

    return running_models_generate()


class Config:
    """Settings shared by every environment; read from the environment at creation."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        e = os.environ if environ is None else environ
        self.SECRET_KEY = self._secret_key(e)
        self.DATABASE_URL = e.get("TABLEFRONT_DATABASE_URL") or None
        self.DB_SERVER = e.get("TABLEFRONT_DB_SERVER") or None
        self.DB_NAME = e.get("TABLEFRONT_DB_NAME") or None
        self.DB_DRIVER = e.get("TABLEFRONT_DB_DRIVER", "ODBC Driver 18 for SQL Server")
        self.DB_USER = e.get("TABLEFRONT_DB_USER") or None
        self.DB_PASSWORD = e.get("TABLEFRONT_DB_PASSWORD") or None
        self.DB_ENCRYPT = e.get("TABLEFRONT_DB_ENCRYPT", "yes")
        self.DB_TRUST_SERVER_CERTIFICATE = _flag(
            e.get("TABLEFRONT_DB_TRUST_SERVER_CERTIFICATE")
        )
        # The name the server's certificate carries when it differs from DB_SERVER
        # (a short name, an alias, an Always On listener).
        self.DB_HOSTNAME_IN_CERTIFICATE = (
            e.get("TABLEFRONT_DB_HOSTNAME_IN_CERTIFICATE") or None
        )
        self.DB_MULTI_SUBNET_FAILOVER = _flag(
            e.get("TABLEFRONT_DB_MULTI_SUBNET_FAILOVER")
        )
        # Shown as program_name in sys.dm_exec_sessions, so DBAs can tell us apart.
        self.DB_APP_NAME = e.get("TABLEFRONT_DB_APP_NAME") or "Tablefront"
        self.DB_LOGIN_TIMEOUT = _int(e, "TABLEFRONT_DB_LOGIN_TIMEOUT", 5)
        self.DB_QUERY_TIMEOUT = _int(e, "TABLEFRONT_DB_QUERY_TIMEOUT", 30)
        # The login timeout is per packet; this bounds the whole connect (app/
        # connect_guard.py). Then N failures within the window open the breaker.
        self.DB_CONNECT_DEADLINE = _float(
            e, "TABLEFRONT_DB_CONNECT_DEADLINE", float(self.DB_LOGIN_TIMEOUT)
        )
        self.DB_BREAKER_FAILURES = _int(e, "TABLEFRONT_DB_BREAKER_FAILURES", 3)
        self.DB_BREAKER_WINDOW = _float(e, "TABLEFRONT_DB_BREAKER_WINDOW", 30.0)
        self.DB_BREAKER_OPEN_SECONDS = _float(
            e, "TABLEFRONT_DB_BREAKER_OPEN_SECONDS", 15.0
        )
        if self.DB_CONNECT_DEADLINE <= 0:
            raise ConfigError("TABLEFRONT_DB_CONNECT_DEADLINE must be above 0 seconds")
        self.SCHEMA_MAP = _pairs(e.get("TABLEFRONT_SCHEMA_MAP"))
        self.EMBEDDED_DB_DIR = Path(
            e.get("TABLEFRONT_EMBEDDED_DB_DIR") or INSTANCE_DIR / "embedded"
        )
        self.DEMO_SCALE = _float(e, "TABLEFRONT_DEMO_SCALE", 1.0)
        # Site-owned files live outside the install folder (setup.ps1: under
        # C:\ProgramData\Tablefront), so an upgrade never overwrites them.
        self.SETTINGS_DIR = Path(e.get("TABLEFRONT_SETTINGS_DIR") or BUNDLED_SETTINGS)
        self.MODELS_DIR = _models_dir(e)
        # Browse (app/catalog, app/data): display settings and export limits.
        self.TABLES_FILE = Path(
            e.get("TABLEFRONT_TABLES_FILE") or self.SETTINGS_DIR / "tables.toml"
        )
        self.EXPORT_MAX_ROWS = _int(e, "TABLEFRONT_EXPORT_MAX_ROWS", 1_000_000)
        self.EXPORT_CONFIRM_ROWS = _int(e, "TABLEFRONT_EXPORT_CONFIRM_ROWS", 100_000)
        # OData feed (app/odata): rows per page, and each user's request budget.
        self.ODATA_PAGE_SIZE = _int(e, "TABLEFRONT_ODATA_PAGE_SIZE", 5_000)
        self.ODATA_REQUESTS_PER_MINUTE = _int(
            e, "TABLEFRONT_ODATA_REQUESTS_PER_MINUTE", 600
        )
        self.ODATA_BURST = _int(e, "TABLEFRONT_ODATA_BURST", 120)
        # Entity-set pages have the database write each row's JSON (app/data/
        # odata_json.py); 0 sends every page through the Python writer.
        self.ODATA_DB_JSON = _flag(e.get("TABLEFRONT_ODATA_DB_JSON"), default=True)
        # CSV import keeps an upload between its review and apply steps here (a share
        # when several web servers sit behind a load balancer).
        # Default: an "imports" folder beside TABLEFRONT_LOG_DIR (setup.ps1 creates it).
        self.IMPORT_DIR = e.get("TABLEFRONT_IMPORT_DIR") or None
        # Pending uploads expire by file age and are capped per user and in total
        # (app/data/imports/storage.py), so uploads cannot fill the disk.
        self.IMPORT_TTL_MINUTES = _int(e, "TABLEFRONT_IMPORT_TTL_MINUTES", 60)
        self.IMPORT_USER_MAX_MB = _int(e, "TABLEFRONT_IMPORT_USER_MAX_MB", 100)
        self.IMPORT_TOTAL_MAX_MB = _int(e, "TABLEFRONT_IMPORT_TOTAL_MAX_MB", 2000)
        self.LOG_DIR = Path(e.get("TABLEFRONT_LOG_DIR") or INSTANCE_DIR / "logs")
        self.LOG_LEVEL = e.get("TABLEFRONT_LOG_LEVEL", "INFO").upper()
        self.LOG_MAX_BYTES = _int(e, "TABLEFRONT_LOG_MAX_BYTES", 10 * 1024 * 1024)
        self.LOG_BACKUP_COUNT = _int(e, "TABLEFRONT_LOG_BACKUP_COUNT", 10)
        self.DEV_USER = e.get("TABLEFRONT_DEV_USER") or self.default_dev_user()
        self.DOMAIN_MAP = {
            k.upper(): v.lower()
            for k, v in _pairs(e.get("TABLEFRONT_DOMAIN_MAP")).items()
        }
        self.DEFAULT_DOMAIN = (e.get("TABLEFRONT_DEFAULT_DOMAIN") or "").upper()
        self.PUBLIC_HEALTH = _flag(e.get("TABLEFRONT_PUBLIC_HEALTH"))
        self.MAX_UPLOAD_MB = _int(e, "TABLEFRONT_MAX_UPLOAD_MB", 25)
        self.MAX_CONTENT_LENGTH = self.MAX_UPLOAD_MB * 1024 * 1024
        self.APP_NAME = e.get("TABLEFRONT_APP_NAME", "Tablefront")
        self.DEBUG = _flag(
            e.get("TABLEFRONT_DEBUG") or e.get("FLASK_DEBUG"), self.DEBUG
        )
        # Cookies: HttpOnly and SameSite always; Secure is added per request over HTTPS
        # (app/security.py), or always when this flag is set.
        self.SESSION_COOKIE_NAME = "tablefront_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag(e.get("TABLEFRONT_COOKIE_SECURE"))
        self.WTF_CSRF_ENABLED = True
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.SQLALCHEMY_TRACK_MODIFICATIONS = False
        self.JSON_SORT_KEYS = False
        # Access (app/access): the settings file and where AD groups come from.
        self.ACCESS_FILE = Path(
            e.get("TABLEFRONT_ACCESS_FILE") or self.SETTINGS_DIR / "access.toml"
        )
        self.GROUPS_PROVIDER_CHOSEN = bool(e.get("TABLEFRONT_GROUPS_PROVIDER"))
        self.GROUPS_PROVIDER = (
            (e.get("TABLEFRONT_GROUPS_PROVIDER") or "static").strip().lower()
        )
        self.LDAP_URL = e.get("TABLEFRONT_LDAP_URL") or None
        self.LDAP_BASE_DN = e.get("TABLEFRONT_LDAP_BASE_DN") or None
        self.LDAP_BIND_USER = e.get("TABLEFRONT_LDAP_BIND_USER") or None
        self.LDAP_BIND_PASSWORD_FILE = (
            e.get("TABLEFRONT_LDAP_BIND_PASSWORD_FILE") or None
        )
        self.LDAP_AUTH = (e.get("TABLEFRONT_LDAP_AUTH") or "simple").strip().lower()
        self.LDAP_START_TLS = _flag(e.get("TABLEFRONT_LDAP_START_TLS"))
        self.LDAP_TIMEOUT = _int(e, "TABLEFRONT_LDAP_TIMEOUT", 3)
        self.LDAP_CACHE_SECONDS = _int(e, "TABLEFRONT_LDAP_CACHE_SECONDS", 300)
        self.LDAP_MODE = (e.get("TABLEFRONT_LDAP_MODE") or "ad").strip().lower()
        self.LDAP_USER_ATTRIBUTE = e.get("TABLEFRONT_LDAP_USER_ATTRIBUTE") or None
        self.LDAP_GROUP_ATTRIBUTE = e.get("TABLEFRONT_LDAP_GROUP_ATTRIBUTE") or None
        self.LDAP_DOMAIN = e.get("TABLEFRONT_LDAP_DOMAIN") or None

    def _secret_key(self, e: Mapping[str, str]) -> str | None:
        key = e.get("TABLEFRONT_SECRET_KEY")
        path = e.get("TABLEFRONT_SECRET_KEY_FILE")
        if not key and path:
            try:
                key = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"TABLEFRONT_SECRET_KEY_FILE {path!r} cannot be read: "
                    f"{exc.strerror}"
                ) from None
        return key or self.default_secret_key()

    def default_secret_key(self) -> str | None:
        return None

    def default_dev_user(self) -> str | None:
        return None

    @property
    def uses_embedded_database(self) -> bool:
        return not self.DATABASE_URL and not self.DB_SERVER

    def validate(self) -> None:
        """Raise ConfigError when a setting makes this environment unsafe."""


class DevelopmentConfig(Config):
    """The embedded demo database and a development identity; never for production."""

    ENV_NAME = "development"
    DEBUG = False  # opt in with FLASK_DEBUG=1: the debugger is a remote shell

    def default_secret_key(self) -> str:
        return "development-only-secret-key-not-for-production"

    def default_dev_user(self) -> str:
        return "CONTOSO\\amorgan"


class TestingConfig(DevelopmentConfig):
    """Used by the test suite; each test gets its own folders and database."""

    ENV_NAME = "testing"
    TESTING = True

    def default_secret_key(self) -> str:
        return "testing-only-secret-key"

    def default_dev_user(self) -> None:
        return None  # tests say who calls, through REMOTE_USER

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        e = os.environ if environ is None else environ
        self.WTF_CSRF_ENABLED = _flag(e.get("TABLEFRONT_TEST_CSRF"), default=True)


class ProductionConfig(Config):
    """Behind IIS: refuses to start with an insecure or missing setting."""

    ENV_NAME = "production"

    def validate(self) -> None:
        if not self.SECRET_KEY:
            raise ConfigError(
                "TABLEFRONT_SECRET_KEY (or TABLEFRONT_SECRET_KEY_FILE) is not set: "
                "production needs a random secret key of at least "
                f"{MIN_SECRET_LENGTH} characters (setup.ps1 generates one)."
            )
        if self.SECRET_KEY.strip().lower() in KNOWN_DEFAULT_SECRETS:
            raise ConfigError(
                "TABLEFRONT_SECRET_KEY is a known default value: generate a random one."
            )
        if len(self.SECRET_KEY) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"TABLEFRONT_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} "
                "characters: generate a longer random one."
            )
        if self.uses_embedded_database:
            raise ConfigError(
                "TABLEFRONT_DATABASE_URL (or TABLEFRONT_DB_SERVER and "
                "TABLEFRONT_DB_NAME) is not set: production never falls back to the "
                "embedded demo database."
            )
        if self.DB_SERVER and not self.DATABASE_URL and not self.DB_NAME:
            raise ConfigError(
                "TABLEFRONT_DB_NAME is not set: TABLEFRONT_DB_SERVER needs a "
                "database name."
            )
        if self.DEV_USER:
            raise ConfigError(
                "TABLEFRONT_DEV_USER is set: a development identity is refused in "
                "production; identity comes from IIS Windows Authentication only."
            )
        if self.DEBUG:
            raise ConfigError(
                "TABLEFRONT_DEBUG/FLASK_DEBUG is on: debug mode is refused in "
                "production."
            )
        if not self.GROUPS_PROVIDER_CHOSEN:
            raise ConfigError(
                "TABLEFRONT_GROUPS_PROVIDER is not set: choose 'ldap' (Active "
                "Directory) or 'static' (groups listed in the access settings file); "
                "production does not fall back to the demo's static groups."
            )
        if self.GROUPS_PROVIDER == "ldap":
            if not self.LDAP_URL or not self.LDAP_BASE_DN:
                raise ConfigError(
                    "TABLEFRONT_GROUPS_PROVIDER=ldap needs TABLEFRONT_LDAP_URL and "
                    "TABLEFRONT_LDAP_BASE_DN."
                )
            plain = self.LDAP_URL.lower().startswith("ldap://")
            if self.LDAP_AUTH == "simple" and plain and not self.LDAP_START_TLS:
                raise ConfigError(
                    "TABLEFRONT_LDAP_AUTH=simple over ldap:// would send the bind "
                    "password in clear: use ldaps://, TABLEFRONT_LDAP_START_TLS=1, "
                    "or TABLEFRONT_LDAP_AUTH=kerberos."
                )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Pick the class named by TABLEFRONT_ENV (default production) and validate it."""
    e = os.environ if environ is None else environ
    name = (e.get(ENV_VAR) or "production").strip().lower()
    try:
        cls = CONFIGS[name]
    except KeyError:
        choices = ", ".join(sorted(CONFIGS))
        raise ConfigError(f"{ENV_VAR}={name!r} is not one of: {choices}") from None
    config = cls(e)
    config.validate()
    return config
