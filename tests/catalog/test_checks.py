"""CHECK constraints read from the models' SQL text (app.catalog.checks) and used by
the column rules of forms and imports (app.catalog.columns)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from app import models  # noqa: F401  (the demo models on db.metadata)
from app.catalog import DEFAULT_SETTINGS, catalog_from_metadata
from app.catalog.checks import RowCheck, ValueCheck, merge, read_check
from app.catalog.columns import BadInput, column_rule, row_problems
from app.extensions import db

DEMO = catalog_from_metadata(db.metadata, DEFAULT_SETTINGS)
AWKWARD = Path(__file__).resolve().parents[2] / "sql" / "awkward"
CHECK_SQL = re.compile(r"CONSTRAINT\s+(\w+)\s+CHECK\s*\((.*)\)\s*,?\s*$", re.M)


def _value_check(text: str) -> ValueCheck:
    rules = read_check(text)
    assert rules and all(not isinstance(r, RowCheck) for r in rules), rules
    found = merge([check for _column, check in rules])
    assert found is not None
    return found


@pytest.mark.parametrize(
    "text", ["priority BETWEEN 1 AND 4", "([priority]>=(1) AND [priority]<=(4))"]
)
def test_read_check_between_either_spelling_is_one_range(text):
    """GIVEN a BETWEEN as written in the DDL and as SQL Server stores it
    WHEN it is read
    THEN it is the range 1..4, both ends included."""
    found = _value_check(text)
    assert (found.low, found.high, found.low_inclusive, found.high_inclusive) == (
        1,
        4,
        True,
        True,
    )


@pytest.mark.parametrize(
    "text", ["status IN ('open', 'closed')", "([status]='open' OR [status]=N'closed')"]
)
def test_read_check_in_list_either_spelling_is_the_allowed_values(text):
    """GIVEN an IN list, as written and as SQL Server's OR of equalities
    WHEN it is read
    THEN the allowed values are the listed ones."""
    assert _value_check(text).choices == ("open", "closed")


def test_read_check_null_guarded_column_comparison_is_a_row_rule():
    """GIVEN ``resolved_at IS NULL OR resolved_at >= opened_at``
    WHEN it is read
    THEN it is the cross-column rule resolved_at >= opened_at."""
    assert read_check("([resolved_at] IS NULL OR [resolved_at]>=[opened_at])") == [
        RowCheck("resolved_at", ">=", "opened_at")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "x IS NULL OR y > 1",
        "len(code) = 2",
        "a > 1 OR b < 2",
        "a IS NULL OR (a > 1 AND b > 2)",
    ],
)
def test_read_check_other_shapes_are_left_to_the_database(text):
    """GIVEN a CHECK whose meaning is not a list, range or column comparison
    WHEN it is read
    THEN no rule comes of it (the database decides)."""
    assert read_check(text) == []


AWKWARD_EXPECTED = {
    "CK_Product_Weight": ("Weight kg", "low", 0),
    "CK_StockMove_Quantity": ("Quantity", "excluded", (0,)),
    "CK_Price_Price": ("Price", "low", 0),
    "CK_EventLog_Severity": ("Severity", "high", 5),
    "CK_Region_CountryCode": ("CountryCode", "choices", ("GB", "FR", "DE", "PL")),
    "CK_Order_Status": ("Status", "choices", ("new", "paid", "shipped")),
    "CK_Order_Total": ("Total", "low", 0),
    "CK_Order_Line_Qty": ("Qty", "high", 999),
}


def test_read_check_every_awkward_schema_check_is_read():
    """GIVEN every CHECK constraint of sql/awkward's DDL
    WHEN each is read
    THEN each gives its column's rule (none is left unread)."""
    found = {}
    for path in sorted(AWKWARD.glob("*.sql")):
        for name, text in CHECK_SQL.findall(path.read_text()):
            ((column, check),) = [
                (c, merge([v for _, v in read_check(text)]))
                for c, _ in read_check(text)
            ][:1]
            found[name] = (column, check)
    assert set(found) == set(AWKWARD_EXPECTED)
    for name, (column, attribute, value) in AWKWARD_EXPECTED.items():
        assert found[name][0] == column, name
        assert getattr(found[name][1], attribute) == value, name


def test_column_rule_check_range_refuses_in_the_rules_words():
    """GIVEN tickets.priority with CHECK (priority BETWEEN 1 AND 4)
    WHEN 5 is converted as a form or an import would
    THEN it is refused with "Priority must be 1–4" and the input gets max 4."""
    rule = column_rule(DEMO.get("ops.tickets").columns["priority"])
    with pytest.raises(BadInput, match="^Priority must be 1–4$"):
        rule.converter()("5")
    assert rule.flags() == {"min": 1, "max": 4}


def test_column_rule_check_in_list_gives_choices_and_the_listed_spelling():
    """GIVEN tickets.status with CHECK (status IN ('open', ...))
    WHEN 'Open' is converted
    THEN it becomes 'open' (PostgreSQL compares case-sensitively) and the rule
    lists the allowed values."""
    rule = column_rule(DEMO.get("ops.tickets").columns["status"])
    assert rule.converter()("Open") == "open"
    assert rule.choices[0] == "open"
    with pytest.raises(BadInput, match="must be one of"):
        rule.converter()("lost")


def test_row_problems_resolved_before_opened_names_the_rule():
    """GIVEN a ticket resolved before it was opened
    WHEN its row is checked
    THEN the message says "Resolved at must be after Opened at"."""
    info = DEMO.get("ops.tickets")
    opened = dt.datetime(2026, 1, 2, 9)
    values = {"opened_at": opened, "resolved_at": opened - dt.timedelta(hours=1)}
    ((column, message),) = row_problems(info, values)
    assert column == "resolved_at"
    assert message.startswith("Resolved at must be after Opened at")


def test_column_rule_decimal_with_thousands_separators_is_read():
    """GIVEN a money-like decimal column
    WHEN "90,900.00" is typed
    THEN it is 90900.00."""
    rule = column_rule(DEMO.get("hr.employees").columns["salary"])
    assert rule.converter()("90,900.00") == Decimal("90900.00")
