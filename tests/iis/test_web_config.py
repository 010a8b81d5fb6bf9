"""Contract tests for web.config and the files in iis/ (parsed with xml.etree)."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest
from flask import Flask
from waitress import runner

from config import Config
from tests.iis.iis_files import (
    HTTPPLATFORM_WEB_CONFIG,
    REPO,
    STATIC_WEB_CONFIG,
    WEB_CONFIG,
    app_settings,
    handler,
    load,
    request_filtering,
    venv_paths,
)

SETTINGS = app_settings(load(WEB_CONFIG))


def test_web_config_wsgi_handler_calls_factory_without_arguments():
    """GIVEN web.config WHEN WSGI_HANDLER is read THEN it is app.create_app()."""
    assert SETTINGS["WSGI_HANDLER"] == "app.create_app()"


def test_web_config_environment_is_production():
    """GIVEN web.config WHEN TABLEFRONT_ENV is read THEN it selects production."""
    assert SETTINGS["TABLEFRONT_ENV"] == "production"


def test_web_config_has_no_wsgi_log():
    """GIVEN web.config WHEN settings are listed THEN WSGI_LOG is absent."""
    assert "WSGI_LOG" not in SETTINGS


def test_web_config_settings_are_all_read_by_config():
    """GIVEN each TABLEFRONT_* key WHEN config.py is searched THEN the key is read."""
    source = (REPO / "config.py").read_text(encoding="utf-8")
    keys = [k for k in SETTINGS if k.startswith("TABLEFRONT_")]
    assert keys
    assert [k for k in keys if f'"{k}"' not in source] == []


def test_web_config_has_no_secret_value():
    """GIVEN web.config WHEN settings are listed THEN only a secret *file* is named."""
    assert "TABLEFRONT_SECRET_KEY" not in SETTINGS
    assert SETTINGS["TABLEFRONT_SECRET_KEY_FILE"].lower().startswith("c:\\programdata")


def test_web_config_script_processor_is_venv_python_and_wfastcgi():
    """GIVEN the handler WHEN scriptProcessor is split THEN it is the venv pair."""
    element = handler(load(WEB_CONFIG))
    expected = "|".join(venv_paths(SETTINGS["PYTHONPATH"]))
    assert element.get("modules") == "FastCgiModule"
    assert (element.get("path"), element.get("verb")) == ("*", "*")
    assert element.get("scriptProcessor") == expected


def test_web_config_upload_limit_lets_app_answer_413():
    """GIVEN requestLimits WHEN compared with the app's MAX_CONTENT_LENGTH THEN IIS
    lets twice as much through, so an upload just over the app's limit gets the
    app's own 413 page rather than IIS's 404.13."""
    limits = request_filtering(load(WEB_CONFIG)).find("requestLimits")
    app_limit = Config({}).MAX_CONTENT_LENGTH
    assert int(SETTINGS["TABLEFRONT_MAX_UPLOAD_MB"]) * 1024 * 1024 == app_limit
    assert int(limits.get("maxAllowedContentLength")) == 2 * app_limit


def test_web_config_query_string_limit_fits_long_page_tokens():
    """GIVEN requestLimits WHEN read THEN query strings up to 16 KB pass (IIS's
    default 2,048 cuts off page tokens with filters: 404.15)."""
    limits = request_filtering(load(WEB_CONFIG)).find("requestLimits")
    assert int(limits.get("maxQueryString")) >= 16384
    assert int(limits.get("maxUrl")) >= 16384


@pytest.mark.parametrize("header", ["X-Original-URL", "X-Rewrite-URL"])
def test_web_config_rewrite_header_is_denied(header):
    """GIVEN headerLimits WHEN a rewrite header is looked up THEN its limit is 0."""
    limits = request_filtering(load(WEB_CONFIG)).findall(
        "./requestLimits/headerLimits/add"
    )
    assert {a.get("header"): a.get("sizeLimit") for a in limits}.get(header) == "0"


def _hidden_locations() -> dict[str, set[str]]:
    """<location path=X> -> the segments its requestFiltering hides."""
    return {
        loc.get("path"): {
            a.get("segment")
            for a in loc.findall(
                "./system.webServer/security/requestFiltering/hiddenSegments/add"
            )
        }
        for loc in load(WEB_CONFIG).findall("./location")
    }


@pytest.mark.parametrize(
    "segment", [".venv", ".git", "instance", "tests", "sql", "__pycache__", "app"]
)
def test_web_config_private_folder_is_hidden_at_top_level(segment):
    """GIVEN the <location> elements WHEN a private folder is looked up THEN its
    top-level path hides it (404.8), whatever handler serves the site."""
    assert segment in _hidden_locations().get(segment, set())


def test_web_config_every_shipped_top_level_folder_is_hidden():
    """GIVEN tracked folders WHEN compared THEN each has a hiding <location>; /static
    is a virtual directory, not one of them."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    folders = {p.split("/", 1)[0] for p in tracked if "/" in p}
    hidden = _hidden_locations()
    assert "app" in folders
    assert sorted(f for f in folders if f not in hidden.get(f, set())) == []
    assert "static" not in hidden


def test_web_config_clears_iis_lists_that_block_row_keys():
    """GIVEN the site's requestFiltering WHEN read THEN IIS's server-wide
    hiddenSegments ("bin", "App_Data") and denied extensions (".config") are cleared,
    so a row key "bin" or "x.config" reaches the app."""
    rules = request_filtering(load(WEB_CONFIG))
    for section in ("hiddenSegments", "fileExtensions"):
        assert [e.tag for e in rules.find(section)] == ["clear"]


def test_web_config_app_route_never_starts_with_a_hidden_folder(app):
    """GIVEN the app's routes WHEN their first segment is compared THEN none is a
    folder hidden at the top level (IIS would answer 404.8 before the app)."""
    hidden = set(_hidden_locations())
    rules = app.url_map.iter_rules()
    firsts = {rule.rule.strip("/").split("/", 1)[0] for rule in rules}
    assert firsts & hidden == set()


@pytest.mark.parametrize("extension", [".config", ".py"])
def test_static_web_config_private_extension_is_denied(extension):
    """GIVEN /static, where IIS serves files itself WHEN a private extension is looked
    up THEN it is denied (the site-level lists are cleared)."""
    rules = load(STATIC_WEB_CONFIG).findall(
        "./system.webServer/security/requestFiltering/fileExtensions/add"
    )
    assert {a.get("fileExtension"): a.get("allowed") for a in rules}[extension] == (
        "false"
    )


def test_web_config_errors_pass_through_from_app():
    """GIVEN httpErrors WHEN read THEN the app's own error pages pass through."""
    errors = load(WEB_CONFIG).find("./system.webServer/httpErrors")
    assert errors.get("existingResponse") == "PassThrough"


def test_web_config_has_no_locked_authentication_section():
    """GIVEN web.config WHEN searched THEN no <authentication> (500.19 if present)."""
    assert load(WEB_CONFIG).find(".//authentication") is None


@pytest.mark.parametrize(
    ("changed_file", "restarts"),
    [
        ("app\\views.py", True),
        ("config.py", True),
        ("web.config", True),
        ("app\\static\\web.config", True),
        ("pyproject.toml", True),
        ("APP\\HOME\\VIEWS.PY", True),
        ("instance\\settings.toml", False),
        ("logs\\tablefront.log", False),
        ("C_logs\\tablefront.log.1", False),
        ("logs\\.__tablefront.lock", False),
        (".venv\\Lib\\site-packages\\flask\\app.py", False),
        ("app\\__pycache__\\views.cpython-311.pyc", False),
        ("app\\static\\css\\app.css", False),
    ],
)
def test_web_config_restart_regex_matches_code_not_data(changed_file, restarts):
    """GIVEN the restart regex WHEN wfastcgi matches a changed file THEN as expected."""
    # wfastcgi: re.compile(regex).match(path relative to the site, backslashes)
    regex = re.compile(SETTINGS["WSGI_RESTART_FILE_REGEX"])
    assert bool(regex.match(changed_file)) is restarts


def test_static_web_config_removes_the_python_handler():
    """GIVEN iis/static.web.config WHEN read THEN it removes web.config's handler."""
    root = load(STATIC_WEB_CONFIG)
    handlers = root.find("./system.webServer/handlers")
    assert [(e.tag, e.get("name")) for e in handlers] == [
        ("remove", handler(load(WEB_CONFIG)).get("name"))
    ]


def test_static_web_config_sets_cache_headers():
    """GIVEN iis/static.web.config WHEN read THEN files get a max-age cache header."""
    cache = load(STATIC_WEB_CONFIG).find("./system.webServer/staticContent/clientCache")
    assert cache.get("cacheControlMode") == "UseMaxAge"
    assert re.fullmatch(r"\d+\.\d\d:\d\d:\d\d", cache.get("cacheControlMaxAge"))


def test_httpplatform_variant_has_same_settings_as_web_config():
    """GIVEN the HttpPlatform variant WHEN compared THEN it sets the same keys."""
    root = load(HTTPPLATFORM_WEB_CONFIG)
    variables = {
        e.get("name"): e.get("value")
        for e in root.findall(".//environmentVariables/environmentVariable")
    }
    wanted = {k: v for k, v in SETTINGS.items() if not k.startswith("WSGI_")}
    assert variables == wanted


def test_httpplatform_variant_shares_handler_name_with_static_config():
    """GIVEN both handlers WHEN compared THEN static.web.config's remove fits both."""
    platform = handler(load(HTTPPLATFORM_WEB_CONFIG))
    assert platform.get("modules") == "httpPlatformHandler"
    assert platform.get("name") == handler(load(WEB_CONFIG)).get("name")


def test_httpplatform_variant_arguments_start_waitress_on_loopback(
    monkeypatch, test_environ
):
    """GIVEN the arguments WHEN waitress's own runner parses them THEN it serves
    our app on 127.0.0.1 at the port IIS chose."""
    element = load(HTTPPLATFORM_WEB_CONFIG).find(".//httpPlatform")
    assert element.get("processPath") == venv_paths(SETTINGS["PYTHONPATH"])[0]
    argv = shlex.split(element.get("arguments").replace("%HTTP_PLATFORM_PORT%", "8123"))
    assert argv[:2] == ["-m", "waitress"]
    for name, value in test_environ.items():
        monkeypatch.setenv(name, value)
    served = {}

    def fake_serve(app, **kw):
        served.update(app=app, **kw)

    assert runner.run(["waitress-serve", *argv[2:]], _serve=fake_serve) == 0
    assert isinstance(served["app"], Flask)
    assert served["listen"].split() == ["127.0.0.1:8123"]
