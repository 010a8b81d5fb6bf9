"""The conformance check's wiring: a refused statement fails the test that ran it,
and the run ends with a count of statements and violations."""

from __future__ import annotations

import dataclasses

import pytest

from tests.tsql_conformance import RECORDER

INNER_TESTS = """
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, exists, select
from sqlalchemy import literal_column

md = MetaData()
t = Table("t", md, Column("id", Integer, primary_key=True))


def _run(stmt):
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        md.create_all(conn)
        conn.execute(stmt).all()


def test_refused():
    _run(select(exists().where(t.c.id == 1)))


def test_accepted():
    _run(select(literal_column("1")).where(exists().where(t.c.id == 1)))
"""


@pytest.fixture(autouse=True)
def _own_counts():
    """The inner session shares the recorder: keep its counts out of this run's."""
    saved = dataclasses.replace(RECORDER)
    yield
    RECORDER.checked, RECORDER.exempt = saved.checked, saved.exempt
    RECORDER.violations = saved.violations


def test_conformance_refused_statement_fails_its_test_only(pytester):
    """GIVEN two tests on SQLite, one executing SELECT EXISTS (...), one SELECT 1
    WHERE EXISTS (...)
    WHEN they run with the conformance plugin
    THEN only the first fails, naming the rule and SQL Server's Msg 156."""
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_inprocess("-p", "tests.tsql_conformance")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_refused*", "*boolean-value*Msg 156*"])


def test_conformance_run_end_prints_statement_and_violation_counts(pytester):
    """GIVEN the same two tests
    WHEN the run ends
    THEN the summary says how many statements were checked and how many broke a
    rule."""
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_inprocess("-p", "tests.tsql_conformance")
    result.stdout.re_match_lines([r"\d+ statements checked, \d+ violations"])
