"""Starting: the terminal gets werkzeug's URL and the demo build's progress; the log
file gets no colour codes; the README's row count is what the seed inserts."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from app.demo.seed import seed_counts
from app.logs import CONSOLE_LOGGER, configure_console, run_from_terminal
from config import PROJECT_ROOT
from tests.functional.demo_world import SCALE, build_demo_app

COLOURED = "\x1b[33mPress CTRL+C to quit\x1b[0m"


def _flush_file_handlers() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_log_file_keeps_werkzeug_text_without_colour_codes(app):
    """GIVEN werkzeug logging a coloured line (as `flask run` does)
    WHEN the log file is read
    THEN it holds the text, with neither the escape byte nor the code left over."""
    logging.getLogger("werkzeug").warning(COLOURED)
    _flush_file_handlers()
    text = Path(app.extensions["tablefront_log_file"]).read_text("utf-8")
    line = next(x for x in text.splitlines() if "Press CTRL+C" in x)
    assert line.endswith("Press CTRL+C to quit")
    assert "\x1b" not in line and "[33m" not in line and "\\x1b" not in line


def test_console_shows_werkzeug_url_under_the_flask_command(app):
    """GIVEN the console configured on a stream (as under `flask run`)
    WHEN werkzeug announces where it listens
    THEN the URL reaches the terminal stream."""
    stream = io.StringIO()
    configure_console(app, stream)
    try:
        logging.getLogger("werkzeug").info(" * Running on %s", "http://127.0.0.1:5000")
    finally:
        for name in ("werkzeug", CONSOLE_LOGGER):
            logger = logging.getLogger(name)
            for h in [
                h for h in logger.handlers if h.get_name() == "tablefront-console"
            ]:
                logger.removeHandler(h)
    assert " * Running on http://127.0.0.1:5000" in stream.getvalue()


def test_run_from_terminal_only_under_the_flask_command_outside_tests(app, monkeypatch):
    """GIVEN FLASK_RUN_FROM_CLI set by the flask command, or not
    WHEN asked whether a person reads the terminal
    THEN yes only with the flag and outside testing."""
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    assert not run_from_terminal(app)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    assert not run_from_terminal(app)  # testing
    app.testing = False
    try:
        assert run_from_terminal(app)
    finally:
        app.testing = True


def test_demo_build_says_it_is_building_and_counts_rows_per_table(tmp_path, caplog):
    """GIVEN a fresh demo database directory
    WHEN the demo is built
    THEN the console is told it is building, then each table's rows as seeded
    (the seed's own counts), then that it is ready."""
    with caplog.at_level(logging.INFO, logger=CONSOLE_LOGGER):
        build_demo_app(tmp_path)
    said = [r.getMessage() for r in caplog.records if r.name == CONSOLE_LOGGER]
    assert said[0].startswith("Building the demo database in ")
    assert said[-1].startswith("Demo database ready: ")
    seeded = {}
    for line in said[1:-1]:
        table, rows = re.fullmatch(r"\s+(\S+)\s+([\d,]+) rows", line).groups()
        seeded[table] = int(rows.replace(",", ""))
    assert seeded == seed_counts(float(SCALE))


def test_readme_demo_row_counts_match_the_seed():
    """GIVEN the README's "~N rows: E employees, T tickets"
    WHEN compared with seed_counts() of the standard demo
    THEN the total rounds to N (thousands) and employees and tickets are exact."""
    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    found = re.search(r"~([\d,]+) rows: ([\d,]+) employees, ([\d,]+) tickets", readme)
    total, staff, tickets = (int(g.replace(",", "")) for g in found.groups())
    counts = seed_counts()
    assert round(sum(counts.values()), -3) == total
    assert (counts["hr.employees"], counts["ops.tickets"]) == (staff, tickets)
