"""Logging the app configures itself: wfastcgi swallows stdout and stderr.

One rotating file in LOG_DIR holds application messages, exceptions with their
tracebacks, and one access line per request (request id, user, method, path, status,
duration).

IIS runs several worker processes on the same log (``maxInstances``, and a recycled
worker overlaps its successor). The standard RotatingFileHandler rotates per process:
workers rename files under each other and lines are lost, and on Windows a rename of
a file another worker holds open fails, after which every record retries it. The
handler is concurrent-log-handler's: each write and rotation is done under a lock
file (``.__tablefront.lock`` in LOG_DIR) shared by all workers.

Lines carry what callers sent (path, query, login, table names, file names), so a
decoded ``%0A`` could start a line that looks genuine. The formatter escapes every
non-printable character (C0/C1 controls, format characters, U+2028/U+2029, odd
spaces) of every record, whoever logged it; a traceback's lines are indented with
``  | `` so none of them can pass for a record of its own.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from concurrent_log_handler import ConcurrentRotatingFileHandler
from flask import Flask, g, request

from config import ConfigError

log = logging.getLogger(__name__)
access_log = logging.getLogger("tablefront.access")

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
LOG_FILE_NAME = "tablefront.log"
CONTINUATION = "  | "


def escape_controls(text: str) -> str:
    """``text`` with each non-printable character as ``\\xNN``/``\\uNNNN``."""
    # str.isprintable() is False for Unicode's "Other" and "Separator" categories
    # except the ASCII space: controls, format chars, line/paragraph separators,
    # no-break and other look-alike spaces, surrogates.
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# Terminal colour codes (werkzeug colours its request lines and start-up banner):
# meaningful on a console, noise ("\x1b[33m") in a file.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """``text`` without ANSI escape sequences (colours, bold)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


class OneLineFormatter(logging.Formatter):
    """Each record on one line, without terminal colour codes; its traceback on
    indented lines below it."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        parts = [escape_controls(strip_ansi(self.formatMessage(record)))]
        # Not record.exc_text: another handler (pytest's, a console) may have cached
        # its own unindented rendering there.
        if record.exc_info:
            parts.append(_continuation(self.formatException(record.exc_info)))
        elif record.exc_text:
            parts.append(_continuation(record.exc_text))
        if record.stack_info:
            parts.append(_continuation(self.formatStack(record.stack_info)))
        return "\n".join(parts)


def _continuation(text: str) -> str:
    return "\n".join(CONTINUATION + escape_controls(line) for line in text.split("\n"))


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request id ('-' outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


def current_request_id() -> str | None:
    """The id of the request being served, or None outside a request."""
    try:
        return g.get("request_id")
    except RuntimeError:  # no app context
        return None


def _writable_log_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"TABLEFRONT_LOG_DIR {str(path)!r} cannot be created: {exc.strerror}. "
            "Create it and give the app pool identity Modify rights."
        ) from None
    # os.access ignores Windows ACLs (it reads only the read-only flag), so try a
    # real write, as the log handler will.
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError:
        raise ConfigError(
            f"TABLEFRONT_LOG_DIR {str(path)!r} is not writable by this process: give "
            "the app pool identity Modify rights on it (setup.ps1 does)."
        ) from None
    return path


def configure_logging(app: Flask) -> None:
    """Attach a rotating file handler to the root logger; fail fast if unwritable."""
    log_dir = _writable_log_dir(Path(app.config["LOG_DIR"]))
    handler = ConcurrentRotatingFileHandler(
        str(log_dir / LOG_FILE_NAME),
        maxBytes=app.config["LOG_MAX_BYTES"],
        backupCount=app.config["LOG_BACKUP_COUNT"],
        encoding="utf-8",
    )
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.set_name("tablefront-file")
    root = logging.getLogger()
    # One handler per log file even when create_app() runs many times (tests).
    for old in [h for h in root.handlers if h.get_name() == "tablefront-file"]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers.clear()  # Flask's stderr handler would be swallowed anyway
    app.logger.propagate = True
    app.extensions["tablefront_log_file"] = str(log_dir / LOG_FILE_NAME)
    configure_console(app)

    app.before_request(_start_request)
    app.after_request(_log_access)


def _start_request() -> None:
    g.request_id = secrets.token_hex(6)
    g.request_started = time.perf_counter()


def _log_access(response):
    # The line's parts (the full path above all) are only worked out when the line
    # is written: TABLEFRONT_LOG_LEVEL=WARNING turns access lines off.
    if access_log.isEnabledFor(logging.INFO):
        started = g.get("request_started")
        duration_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        identity = g.get("identity")
        access_log.info(
            "user=%s method=%s path=%s status=%s ms=%.1f",
            identity.login if identity else "-",
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            duration_ms,
        )
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-Id"] = request_id
    return response


CONSOLE_LOGGER = "tablefront.console"  # what a person at the terminal is told
CONSOLE_LOGGERS = ("werkzeug", CONSOLE_LOGGER)


def run_from_terminal(app: Flask) -> bool:
    """True under the ``flask`` command (``flask --app app run``), not in tests or
    under IIS, where nobody reads the terminal."""
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true" and not app.testing


def configure_console(app: Flask, stream: TextIO | None = None) -> None:
    """Under the ``flask`` command, werkzeug's lines (the URL to open) and the demo
    build's progress go to the terminal too, besides the log file.

    Without this, the root logger's file handler makes werkzeug skip its own
    terminal handler, and ``flask run`` would print no URL at all."""
    if stream is None and not run_from_terminal(app):
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.set_name("tablefront-console")
    for name in CONSOLE_LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == handler.get_name()]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def log_startup(app: Flask) -> None:
    """Record which configuration this process started with (never secrets)."""
    log.info(
        "Tablefront started: env=%s database=%s log=%s",
        app.config["ENV_NAME"],
        app.extensions.get("tablefront_db_description", "?"),
        app.extensions["tablefront_log_file"],
    )
