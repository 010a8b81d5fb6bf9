"""Row-filter rules read in plain words (app.access.plain_words)."""

from __future__ import annotations

import pytest

from app.access.plain_words import FALLBACK, rows_sentence
from app.access.rowfilters import parse_conditions


def _rule(*raw: dict) -> tuple:
    return parse_conditions(list(raw))


@pytest.mark.parametrize(
    ("raw", "noun", "expected"),
    [
        (
            [{"column": "opened_by", "equals": "caller.employee_id"}],
            "tickets",
            "Showing only tickets you opened (your access)",
        ),
        (
            [{"column": "owner_login", "equals": "caller.login"}],
            "requests",
            "Showing only requests that are yours (your access)",
        ),
        (
            [{"column": "is_discontinued", "op": "=", "value": False}],
            "products",
            "Showing only products that are not discontinued (your access)",
        ),
        (
            [
                {
                    "column": "employee_id",
                    "in": {
                        "table": "hr.employees",
                        "column": "employee_id",
                        "where": [
                            {
                                "column": "department_id",
                                "equals": "caller.department_id",
                            }
                        ],
                    },
                }
            ],
            "leave requests",
            "Showing only leave requests in your department (your access)",
        ),
        (
            [{"column": "status", "op": "!=", "value": "retired"}],
            "assets",
            "Showing only assets where status is not retired (your access)",
        ),
    ],
)
def test_rows_sentence_known_rule_reads_in_plain_words(raw, noun, expected):
    """GIVEN a row-filter rule of a common shape
    WHEN it is described for the list page
    THEN the sentence says what the caller sees in plain words."""
    assert rows_sentence([_rule(*raw)], noun) == expected


def test_rows_sentence_several_grants_join_with_or():
    """GIVEN two grants' rules (OR-ed by access)
    WHEN they are described
    THEN one sentence joins both readings with "or"."""
    rules = [
        _rule({"column": "opened_by", "equals": "caller.employee_id"}),
        _rule({"column": "assigned_to", "equals": "caller.employee_id"}),
    ]
    assert rows_sentence(rules, "tickets") == (
        "Showing only tickets you opened or assigned to you (your access)"
    )


def test_rows_sentence_rule_on_hidden_column_falls_back_without_its_name():
    """GIVEN a rule on salary, a column the caller may not see
    WHEN it is described
    THEN the general sentence is given and salary is not named."""
    rules = [_rule({"column": "salary", "op": "<", "value": 50000})]
    sentence = rows_sentence(rules, "employees", hidden={"Salary"})
    assert sentence == FALLBACK
    assert "salary" not in sentence.lower()


def test_rows_sentence_unreadable_rule_falls_back():
    """GIVEN an "in" rule whose subquery has no link to the caller
    WHEN it is described
    THEN the general sentence is given."""
    rules = [
        _rule(
            {
                "column": "site_id",
                "in": {"table": "ops.sites", "column": "site_id", "where": []},
            }
        )
    ]
    assert rows_sentence(rules, "assets") == FALLBACK
