"""The app's own file log: one access line per request; unwritable folder fails fast."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from config import ConfigError


def test_access_line_has_request_id_user_method_path_status_duration(user_client, app):
    """GIVEN a signed-in request WHEN it completes THEN one access line records it."""
    response = user_client.get("/whoami?x=1")
    request_id = response.headers["X-Request-Id"]
    lines = Path(app.extensions["tablefront_log_file"]).read_text("utf-8").splitlines()
    access = [line for line in lines if "tablefront.access" in line]
    assert len(access) == 1
    assert re.search(
        rf"\[{request_id}\] tablefront\.access: user=CONTOSO\\jdoe method=GET "
        r"path=/whoami\?x=1 status=200 ms=\d+\.\d",
        access[0],
    )


def test_unauthenticated_request_is_logged_with_dash_user(client, app):
    """GIVEN no identity WHEN a page is refused THEN the access line says user=- 401."""
    client.get("/")
    log_text = Path(app.extensions["tablefront_log_file"]).read_text("utf-8")
    assert "user=- method=GET path=/ status=401" in log_text


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_unwritable_log_dir_is_a_startup_error_naming_the_setting(make_app, tmp_path):
    """GIVEN a log folder the process cannot write WHEN the app starts THEN a clear
    error names TABLEFRONT_LOG_DIR."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ConfigError, match="TABLEFRONT_LOG_DIR"):
        make_app(TABLEFRONT_LOG_DIR=str(locked / "logs"))


def test_log_dir_that_is_a_file_is_a_startup_error(make_app, tmp_path):
    """GIVEN a log folder path that is a file WHEN the app starts THEN a clear error
    names TABLEFRONT_LOG_DIR (works as root too)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="TABLEFRONT_LOG_DIR .*cannot be created"):
        make_app(TABLEFRONT_LOG_DIR=str(blocker / "logs"))
