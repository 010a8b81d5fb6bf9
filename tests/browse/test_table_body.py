"""The list's Python table body (app.pages.table_body) against its template twin."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import get_template_attribute

from app.pages.cells import Cell
from app.pages.table import ResultsTable, TableRow
from app.pages.table_body import table_body

HOSTILE = "\"'><script>x</script>&"


def _table(open_column: bool) -> ResultsTable:
    rows = [
        TableRow(
            "/t/shop/items/1",
            [
                Cell("id", "1", "tf-num", "", "/t/shop/items/1", "row-link"),
                Cell(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, "fk-link"),
                Cell("note", "", "tf-empty", "empty text"),
                Cell("name", "Ünïcode ✓ …"),
            ],
        ),
        TableRow(HOSTILE, [Cell("id", HOSTILE), Cell("x", "", "tf-null")]),
        # A NULL first cell still carries the row link.
        TableRow("/t/shop/items/3", [Cell("id", "", "tf-null", "", "/3", "row-link")]),
    ]
    return ResultsTable([], rows, open_column=open_column)


@pytest.mark.parametrize("open_column", [False, True])
def test_table_body_python_and_template_same_html(shop_app, open_column):
    """GIVEN rows with links, classes, titles, empty values and markup in every field
    WHEN the Python table body and the table_body macro write them
    THEN the two are the same text."""
    table = _table(open_column)
    with shop_app.test_request_context():
        macro = get_template_attribute("browse/_macros.html", "table_body")
        assert str(table_body(table)) == str(macro(table))


def test_table_body_hostile_values_escaped():
    """GIVEN a cell whose column, text, classes, title and link hold markup
    WHEN the Python table body writes it
    THEN nothing is markup and each value comes back unchanged through a parser."""
    html = str(table_body(_table(True)))
    assert "<script>" not in html
    td = BeautifulSoup(html, "html.parser").select('td[data-testid="cell"]')[1]
    assert td["data-column"] == HOSTILE
    assert td["class"] == HOSTILE.split()
    assert td["title"] == HOSTILE
    assert td.select_one('[data-testid="fk-link"]')["href"] == HOSTILE
    assert td.get_text() == HOSTILE


@pytest.mark.parametrize("char", ["&", "<", ">", '"', "'"])
def test_table_body_each_special_character_alone_escaped(shop_app, char):
    """GIVEN cells whose text, title and link each hold one special character and
    nothing else to escape (the fast path skips values with none of them)
    WHEN the Python table body and the table_body macro write them
    THEN the two are the same text and the values come back unchanged through a
    parser (no attribute is closed early)."""
    value = f"a{char}b onmouseover=x"
    table = ResultsTable(
        [],
        [TableRow("/r/1", [Cell("c", value, "", value, value, "fk-link")])],
    )
    with shop_app.test_request_context():
        macro = get_template_attribute("browse/_macros.html", "table_body")
        html = str(table_body(table))
        assert html == str(macro(table))
    td = BeautifulSoup(html, "html.parser").select_one('td[data-testid="cell"]')
    assert td["title"] == value
    assert "onmouseover" not in td.attrs
    link = td.select_one('[data-testid="fk-link"]')
    assert link["href"] == value and "onmouseover" not in link.attrs
    assert td.get_text() == value
