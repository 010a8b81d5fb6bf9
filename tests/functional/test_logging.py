"""The app's own file log: one access line per request; unwritable folder fails fast;
worker processes share it without losing lines."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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


WRITER = """
import logging, sys
from flask import Flask
from app.logs import configure_logging
app = Flask("writer")
app.config.update(LOG_DIR=sys.argv[1], LOG_MAX_BYTES=16384, LOG_BACKUP_COUNT=500,
                  LOG_LEVEL="INFO")
configure_logging(app)
log = logging.getLogger("tablefront.test")
print("ready", flush=True)
sys.stdin.readline()  # start together
for n in range(int(sys.argv[3])):
    log.info("writer %s line %s of the shared log", sys.argv[2], n)
"""


def test_processes_share_one_rotating_log_without_losing_lines(tmp_path):
    """GIVEN four worker processes logging into one folder (IIS runs maxInstances
    FastCGI workers, and a recycled worker overlaps its successor), with a small
    rotation size
    WHEN they all write at once, forcing many rotations
    THEN every line is in the log files exactly once, and the log did rotate."""
    repo = Path(__file__).resolve().parents[2]
    lines = 400
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(w), str(lines)],
            cwd=repo,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        worker.stdin.close()
        assert worker.wait(timeout=60) == 0
    files = sorted(tmp_path.glob("tablefront.log*"))
    found = re.findall(
        r"writer (\d) line (\d+) of the shared log",
        "".join(f.read_text("utf-8") for f in files),
    )
    assert len(files) > 4
    assert sorted(found) == sorted(
        (str(w), str(n)) for w in range(4) for n in range(lines)
    )


def test_log_folder_check_tries_a_real_write(make_app, monkeypatch):
    """GIVEN a log folder that permission bits call writable but that refuses files
    (as a Windows ACL does while os.access says yes) WHEN the app starts THEN it
    refuses with the folder named, before the first request."""
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: True)
    with pytest.raises(ConfigError, match="TABLEFRONT_LOG_DIR '/proc' is not writable"):
        make_app(TABLEFRONT_LOG_DIR="/proc")
