"""CHECK constraints on dates (app.catalog.checks): read in the DDL's spelling and in
SQL Server's stored ones, kept by forms and imports in the same words, and by the
sample-row filler (app.dev.sample_rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Table,
    create_engine,
    select,
)

import app.embedded  # noqa: F401  (SQLite DDL for SQL Server models)
from app.catalog import build_catalog
from app.catalog.checks import read_check
from app.catalog.columns import column_rule
from app.dev.sample_rows import fill_sample_rows
from tests.catalog.test_column_rules import _form_result, _import_result

LOW, HIGH = dt.date(1990, 1, 1), dt.date(1990, 3, 31)  # before the sample decade


def staff(hired_check: str, seen_check: str = "") -> Table:
    """corp.staff: a date column and a date-and-time column with CHECKs."""
    checks = [CheckConstraint(hired_check, name="CK_staff_hired_on")]
    if seen_check:
        checks.append(CheckConstraint(seen_check, name="CK_staff_seen_at"))
    return Table(
        "staff",
        MetaData(),
        Column("staff_id", Integer, primary_key=True, autoincrement=False),
        Column("hired_on", Date, nullable=False),
        Column("seen_at", DateTime),
        *checks,
        schema="corp",
    )


def _info(table: Table):
    return build_catalog([table], None).get("corp.staff")


@pytest.mark.parametrize(
    "text",
    [
        "hired_on >= '1990-01-01' AND hired_on <= '1990-03-31'",  # the DDL
        "hired_on BETWEEN '1990-01-01' AND '1990-03-31'",
        "([hired_on]>='1990-01-01' AND [hired_on]<='1990-03-31')",  # SQL Server's
        "([hired_on]>=CONVERT([date],'19900101') AND "
        "[hired_on]<=CONVERT([date],'1990-03-31',(23)))",
        "hired_on >= CAST('1990-01-01' AS date) AND hired_on <= '19900331'",
    ],
)
def test_date_range_check_in_any_spelling_is_a_value_check_with_date_bounds(text):
    """GIVEN a date range CHECK as written in the DDL, as SQL Server stores it,
    and with CONVERT/CAST constants
    WHEN the column's rule is built
    THEN its ValueCheck has the dates 1990-01-01 and 1990-03-31 as both ends."""
    check = column_rule(_info(staff(text)).columns["hired_on"]).rule_check
    assert check is not None
    assert (check.low, check.high) == (LOW, HIGH)
    assert (check.low_inclusive, check.high_inclusive) == (True, True)
    assert check.constraint == "CK_staff_hired_on"


def test_read_check_convert_date_constant_is_a_date():
    """GIVEN SQL Server's stored ``([d]>CONVERT([datetime2](0),'2000-01-01 10:00'))``
    and a CONVERT with a style that is not ISO (101: mm/dd/yyyy)
    WHEN each is read
    THEN the first is a datetime bound (exclusive), the second no rule at all."""
    ((column, check),) = read_check(
        "([d]>CONVERT([datetime2](0),'2000-01-01 10:00',(120)))"
    )
    assert (column, check.low, check.low_inclusive) == (
        "d",
        dt.datetime(2000, 1, 1, 10),
        False,
    )
    assert read_check("([d]>=CONVERT([date],'01/02/2000',(101)))") == []


@pytest.mark.parametrize("text", ["1989-12-31", "1990-04-01", "01.04.1990"])
def test_form_and_import_refuse_a_date_outside_the_check_in_the_same_words(
    make_app, text
):
    """GIVEN hired_on with CHECK (hired_on BETWEEN '1990-01-01' AND '1990-03-31')
    WHEN a date before or after it is typed in the new-row form and imported
    THEN both refuse it with "Hired on must be 1990-01-01–1990-03-31", and both
    accept a date inside it."""
    info = _info(staff("hired_on BETWEEN '1990-01-01' AND '1990-03-31'"))
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = False
    form_errors, _ = _form_result(app, info, "hired_on", text)
    import_errors, _ = _import_result(info, "hired_on", text)
    assert form_errors == import_errors == ["Hired on must be 1990-01-01–1990-03-31"]
    inside = [_form_result(app, info, "hired_on", "1990-02-01")]
    inside.append(_import_result(info, "hired_on", "1990-02-01"))
    assert inside == [([], dt.date(1990, 2, 1))] * 2


def test_sample_rows_stay_inside_date_range_checks():
    """GIVEN a date column with CHECK BETWEEN two days of 1990 (outside the sample
    decade) and a date-and-time column after a moment of 2031, enforced by SQLite
    WHEN 40 sample rows are filled
    THEN every row goes in and every value is inside its CHECK."""
    table = staff(
        "hired_on BETWEEN '1990-01-01' AND '1990-03-31'",
        "seen_at > '2031-06-01 12:00:00'",
    )
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("ATTACH ':memory:' AS corp")
        table.create(conn)
        report = fill_sample_rows(conn, [table], 40, seed=4)
        rows = conn.execute(select(table)).all()
    assert report.short == {}
    assert len(rows) == 40
    assert all(LOW <= r.hired_on <= HIGH for r in rows)
    moment = dt.datetime(2031, 6, 1, 12)
    seen = [r.seen_at for r in rows if r.seen_at is not None]
    assert seen and all(s > moment for s in seen)


def test_date_checks_in_two_spellings_on_one_column_merge_to_the_tighter():
    """GIVEN hired_on with CHECK (hired_on >= '1989-06-01') and SQL Server's
    ``([hired_on]>=CONVERT([date],'19900101'))`` (a text and a date constant)
    WHEN the column's rule is built
    THEN the later day is the low end."""
    table = staff("hired_on >= '1989-06-01'")
    table.append_constraint(
        CheckConstraint("([hired_on]>=CONVERT([date],'19900101'))", name="CK_2")
    )
    check = column_rule(_info(table).columns["hired_on"]).rule_check
    assert (check.low, check.high) == (LOW, None)
