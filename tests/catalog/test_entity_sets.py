"""OData names of tables and columns: identifiers, and the start-up collision check."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.catalog.entity_sets import check_names, property_name


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("Order Date", "Order_Date"),
        ("2nd Phone", "_2nd_Phone"),
        ("Größe", "Gr__e"),
        ("Cost-Center (EUR)", "Cost_Center__EUR_"),
        ("employee_id", "employee_id"),
    ],
)
def test_property_name_awkward_column_becomes_identifier(column, expected):
    """GIVEN a column name with spaces, a leading digit, punctuation or non-ASCII
    WHEN its property name is derived THEN it is the documented identifier."""
    assert property_name(column) == expected


def test_check_names_two_columns_one_property_refuses_to_start():
    """GIVEN a table with columns [Order Date] and Order_Date WHEN the names are
    checked at start-up THEN a RuntimeError names both columns."""
    info = SimpleNamespace(columns={"Order Date": None, "Order_Date": None})
    catalog = SimpleNamespace(tables={"dbo.Order": info})
    with pytest.raises(RuntimeError, match="'Order Date' and 'Order_Date'"):
        check_names(catalog)
