"""Configuration: chosen by TABLEFRONT_ENV, production fails closed."""

from __future__ import annotations

import pytest

import config
from config import ConfigError, DevelopmentConfig, ProductionConfig, load_config

GOOD_SECRET = "k3Q9x7Lm2Vb8Nc4Rt6Yp1Zs5Wd0Fg3Hj7Ka9Qe2Tu"
SAFE_PRODUCTION = {
    "TABLEFRONT_SECRET_KEY": GOOD_SECRET,
    "TABLEFRONT_DB_SERVER": "sql01.contoso.com",
    "TABLEFRONT_DB_NAME": "Company",
    "TABLEFRONT_GROUPS_PROVIDER": "static",
}


def test_load_config_without_env_var_is_production():
    """GIVEN no TABLEFRONT_ENV WHEN the config loads THEN it is the Production class."""
    assert isinstance(load_config(SAFE_PRODUCTION), ProductionConfig)


def test_load_config_without_env_var_and_no_settings_refuses_to_start():
    """GIVEN an empty environment WHEN the config loads THEN production refuses."""
    with pytest.raises(ConfigError, match="TABLEFRONT_SECRET_KEY"):
        load_config({})


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("development", DevelopmentConfig),
        ("Testing", config.TestingConfig),
        (" production ", ProductionConfig),
    ],
)
def test_load_config_env_var_picks_class(name, cls):
    """GIVEN TABLEFRONT_ENV WHEN the config loads THEN that class is used."""
    assert type(load_config({**SAFE_PRODUCTION, "TABLEFRONT_ENV": name})) is cls


def test_load_config_unknown_env_name_names_the_choices():
    """GIVEN a typo in TABLEFRONT_ENV WHEN it loads THEN the error lists choices."""
    with pytest.raises(ConfigError, match="development, production, testing"):
        load_config({"TABLEFRONT_ENV": "prod"})


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"TABLEFRONT_SECRET_KEY": ""}, "TABLEFRONT_SECRET_KEY .* is not set"),
        ({"TABLEFRONT_SECRET_KEY": "changeme"}, "known default"),
        (
            {"TABLEFRONT_SECRET_KEY": "development-only-secret-key-not-for-production"},
            "known default",
        ),
        ({"TABLEFRONT_SECRET_KEY": "short-but-random-7f3a"}, "shorter than 32"),
        ({"TABLEFRONT_DB_SERVER": ""}, "TABLEFRONT_DATABASE_URL"),
        ({"TABLEFRONT_DB_NAME": ""}, "TABLEFRONT_DB_NAME is not set"),
        ({"TABLEFRONT_DEV_USER": "CONTOSO\\amorgan"}, "TABLEFRONT_DEV_USER"),
        ({"TABLEFRONT_DEBUG": "1"}, "debug mode is refused"),
        ({"FLASK_DEBUG": "true"}, "debug mode is refused"),
        ({"TABLEFRONT_GROUPS_PROVIDER": ""}, "TABLEFRONT_GROUPS_PROVIDER is not set"),
    ],
)
def test_production_insecure_setting_is_refused_with_its_name(override, message):
    """GIVEN production with one insecure setting WHEN it loads THEN a clear error
    names that setting."""
    with pytest.raises(ConfigError, match=message):
        load_config({**SAFE_PRODUCTION, **override})


def test_production_secret_key_file_is_read(tmp_path):
    """GIVEN the secret in a file outside the web root WHEN production loads THEN the
    key comes from that file."""
    key_file = tmp_path / "secret_key.txt"
    key_file.write_text(GOOD_SECRET + "\n", encoding="utf-8")
    env = {**SAFE_PRODUCTION, "TABLEFRONT_SECRET_KEY": ""}
    env["TABLEFRONT_SECRET_KEY_FILE"] = str(key_file)
    assert load_config(env).SECRET_KEY == GOOD_SECRET


def test_production_unreadable_secret_key_file_is_named(tmp_path):
    """GIVEN a secret key file that does not exist WHEN production loads THEN the error
    names the setting and the path."""
    env = {**SAFE_PRODUCTION, "TABLEFRONT_SECRET_KEY": ""}
    env["TABLEFRONT_SECRET_KEY_FILE"] = str(tmp_path / "missing.txt")
    with pytest.raises(ConfigError, match="TABLEFRONT_SECRET_KEY_FILE .*missing.txt"):
        load_config(env)


def test_development_defaults_to_embedded_database_and_dev_user():
    """GIVEN development WHEN it loads THEN the embedded database and a dev user are
    used."""
    dev = load_config({"TABLEFRONT_ENV": "development"})
    assert dev.uses_embedded_database
    assert dev.DEV_USER == "CONTOSO\\amorgan"


def test_settings_from_environment_are_parsed():
    """GIVEN IIS appSettings as environment variables WHEN the config loads THEN maps
    and numbers are parsed."""
    loaded = load_config(
        {
            **SAFE_PRODUCTION,
            "TABLEFRONT_SCHEMA_MAP": "hr=hr_uat; ops=ops_uat",
            "TABLEFRONT_DOMAIN_MAP": "contoso=Contoso.COM",
            "TABLEFRONT_MAX_UPLOAD_MB": "10",
        }
    )
    assert loaded.SCHEMA_MAP == {"hr": "hr_uat", "ops": "ops_uat"}
    assert loaded.DOMAIN_MAP == {"CONTOSO": "contoso.com"}
    assert loaded.MAX_CONTENT_LENGTH == 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TABLEFRONT_MAX_UPLOAD_MB", "ten", "TABLEFRONT_MAX_UPLOAD_MB must be a whole"),
        ("TABLEFRONT_SCHEMA_MAP", "hr", "NAME=VALUE"),
    ],
)
def test_malformed_setting_is_named(name, value, message):
    """GIVEN a malformed setting WHEN the config loads THEN the error says which."""
    with pytest.raises(ConfigError, match=message):
        load_config({**SAFE_PRODUCTION, name: value})


def test_config_site_settings_dir_moves_access_and_tables_files(tmp_path):
    """GIVEN TABLEFRONT_SETTINGS_DIR (setup.ps1: C:\\ProgramData\\Tablefront\\settings)
    WHEN the config loads THEN access.toml and tables.toml are read from there."""
    settings = DevelopmentConfig({"TABLEFRONT_SETTINGS_DIR": str(tmp_path)})
    assert tmp_path / "access.toml" == settings.ACCESS_FILE
    assert tmp_path / "tables.toml" == settings.TABLES_FILE


def test_config_without_site_dirs_uses_bundled_settings_and_models():
    """GIVEN no site folders WHEN the config loads THEN the bundled settings and the
    bundled generated models are used (development, tests)."""
    settings = DevelopmentConfig({})
    assert settings.ACCESS_FILE == config.BUNDLED_SETTINGS / "access.toml"
    assert settings.MODELS_DIR is None


def test_config_models_dir_without_package_refuses_to_start(tmp_path):
    """GIVEN TABLEFRONT_MODELS_DIR naming a folder with no __init__.py WHEN the config
    loads THEN it refuses, naming the setting and the command that fills it."""
    with pytest.raises(ConfigError, match="TABLEFRONT_MODELS_DIR .* models generate"):
        DevelopmentConfig({"TABLEFRONT_MODELS_DIR": str(tmp_path)})


def test_config_connect_deadline_defaults_to_login_timeout():
    """GIVEN only a login timeout of 7 s WHEN the config loads
    THEN the whole-connect deadline is 7 s and the breaker opens after 3 failures."""
    loaded = ProductionConfig({**SAFE_PRODUCTION, "TABLEFRONT_DB_LOGIN_TIMEOUT": "7"})
    assert loaded.DB_CONNECT_DEADLINE == 7.0
    assert loaded.DB_BREAKER_FAILURES == 3


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_config_bad_connect_deadline_refuses_to_start(value):
    """GIVEN a connect deadline that is not a positive number WHEN the config loads
    THEN a ConfigError names TABLEFRONT_DB_CONNECT_DEADLINE."""
    with pytest.raises(ConfigError, match="TABLEFRONT_DB_CONNECT_DEADLINE"):
        ProductionConfig({**SAFE_PRODUCTION, "TABLEFRONT_DB_CONNECT_DEADLINE": value})
