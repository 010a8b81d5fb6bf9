"""Nobody can forge a log line: control, format and separator characters are escaped
in every record written to the real log file, and tracebacks are indented."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

FORGED = (
    "2026-12-03 05:00:00,000 INFO [0123456789ab] tablefront.access: "
    "user=CONTOSO\\amorgan method=POST path=/admin status=200 ms=1.0"
)


def _log_lines(app) -> list[str]:
    text = Path(app.extensions["tablefront_log_file"]).read_text("utf-8")
    # splitlines() also breaks on \r, \x0b, \x0c, \x1c-\x1e, \x85, U+2028 and U+2029:
    # the way an editor or a log viewer would show the file.
    return text.splitlines()


def test_access_log_path_with_encoded_newline_forges_no_line(user_client, app):
    """GIVEN a path holding %0A followed by a genuine-looking access line
    WHEN it is requested
    THEN the log has one access line for it, with the newline escaped, and no line
    starts with the forged text."""
    user_client.get("/whoami%0A" + FORGED.replace(" ", "%20"))
    lines = _log_lines(app)
    access = [line for line in lines if "tablefront.access: user=CONTOSO\\jdoe" in line]
    assert len(access) == 1
    assert "path=/whoami\\x0a2026-12-03" in access[0]
    assert not any(line.startswith(FORGED[:19]) for line in lines)


@pytest.mark.parametrize(
    ("encoded", "escaped"),
    [
        ("%0D", "\\x0d"),
        ("%09", "\\x09"),
        ("%0B", "\\x0b"),
        ("%1B", "\\x1b"),
        ("%7F", "\\x7f"),
        ("%C2%85", "\\x85"),  # NEL, a C1 control
        ("%C2%A0", "\\xa0"),  # no-break space
        ("%E2%80%A8", "\\u2028"),  # line separator
        ("%E2%80%A9", "\\u2029"),  # paragraph separator
        ("%E2%80%AE", "\\u202e"),  # right-to-left override (format)
        ("%E2%80%8B", "\\u200b"),  # zero-width space (format)
        ("%EF%BB%BF", "\\ufeff"),  # byte order mark (format)
    ],
)
def test_access_log_path_control_or_format_character_is_escaped(
    user_client, app, encoded, escaped
):
    """GIVEN a path holding a control, format, separator or odd space character
    WHEN it is requested
    THEN the access line shows it escaped and the raw character is not in the log."""
    user_client.get(f"/whoami{encoded}tail")
    text = Path(app.extensions["tablefront_log_file"]).read_text("utf-8")
    access = [line for line in text.split("\n") if "tablefront.access" in line]
    assert len(access) == 1
    assert f"path=/whoami{escaped}tail status=404" in access[0]
    assert len(_log_lines(app)) == len(text.split("\n")) - 1


def test_app_log_record_with_request_text_stays_one_line(app):
    """GIVEN any logger (an import naming the uploaded file, a table name...)
    WHEN it logs a value holding a newline and a line separator
    THEN the log file gets one line with both escaped."""
    logging.getLogger("app.data.imports.applying").warning(
        "rejected upload %s", "x.csv\n" + FORGED + "\u2028more"
    )
    lines = [line for line in _log_lines(app) if "rejected upload" in line]
    assert lines == [lines[0]]
    assert lines[0].endswith("rejected upload x.csv\\x0a" + FORGED + "\\u2028more")


def test_app_log_traceback_lines_are_indented_and_escaped(app):
    """GIVEN an exception whose message holds a newline and a forged line
    WHEN it is logged with its traceback
    THEN every traceback line starts with the continuation mark, so none passes for a
    record of its own."""
    try:
        raise ValueError("bad value\n" + FORGED)
    except ValueError:
        logging.getLogger("app.errors").exception("unhandled exception")
    lines = _log_lines(app)
    start = next(i for i, line in enumerate(lines) if "unhandled exception" in line)
    traceback = lines[start + 1 :]
    assert traceback[0] == "  | Traceback (most recent call last):"
    assert all(line.startswith("  | ") for line in traceback)
    assert traceback[-2:] == ["  | ValueError: bad value", "  | " + FORGED]
    assert not any(line.startswith(FORGED[:19]) for line in lines)
