"""Decimals at their column's scale; binary values as their size, downloadable."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import Column, LargeBinary, Numeric

from app.pages.cells import formatter
from tests.browse import shop
from tests.html import by_testid, soup

ITEMS = "/t/shop/items"


def _column(kind: str, type_) -> SimpleNamespace:
    return SimpleNamespace(
        name="x", kind=kind, column=Column("x", type_), is_string=False, fk=None
    )


@pytest.mark.parametrize(
    ("kind", "type_", "value", "shown"),
    [
        ("decimal", Numeric(12, 4), Decimal("1912.1544"), "1,912.1544"),
        ("decimal", Numeric(12, 4), Decimal("5"), "5.0000"),
        ("money", Numeric(19, 4), Decimal("1912.1544"), "1,912.1544"),
        ("decimal", Numeric(12, 2), Decimal("1234567.5"), "1,234,567.50"),
    ],
)
def test_decimal_cell_column_scale_is_kept(kind, type_, value, shown):
    """GIVEN a decimal or money column and a value
    WHEN the cell is formatted
    THEN it shows the column's decimal places (never fewer), with separators."""
    assert formatter(_column(kind, type_))(value).text == shown


def test_binary_cell_shows_kind_and_size():
    """GIVEN a binary column and a 1,500-byte value
    WHEN the cell is formatted
    THEN it reads "binary, 1,500 bytes"."""
    cell = formatter(_column("binary", LargeBinary()))(b"\x00" * 1500)
    assert cell.text == "binary, 1,500 bytes"


def _item_with_blob(client) -> tuple[str, bytes]:
    """A row key of an item with a non-empty blob, and the blob."""
    for key in range(1, 20):
        data = client.get(f"{ITEMS}/{key}", headers={"Accept": "application/json"})
        fields = {f["name"]: f for f in data.get_json()["fields"]}
        if (
            fields["blob"]["download_url"]
            and fields["blob"]["text"] != "binary, 0 bytes"
        ):
            return str(key), fields["blob"]["download_url"]
    raise AssertionError("no item with a blob")


def test_detail_binary_value_links_to_its_download(shop_client):
    """GIVEN an item with a binary value
    WHEN its detail page is opened and the value's link followed
    THEN the link gives the bytes as an attachment, as many as the page says."""
    key, url = _item_with_blob(shop_client)
    link = by_testid(soup(shop_client.get(f"{ITEMS}/{key}")), "download-link")
    assert link["href"] == url
    response = shop_client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert link.get_text() == f"binary, {len(response.data):,} bytes"


def test_download_non_binary_column_is_404(shop_client):
    """GIVEN an item and its text column "name"
    WHEN the download route is asked for it
    THEN the answer is 404 (only binary values download)."""
    assert shop_client.get(f"{ITEMS}/2/-/download/name").status_code == 404


def test_download_hidden_binary_column_is_404(make_app, tmp_path):
    """GIVEN the blob column hidden by the table settings
    WHEN its download URL is asked for directly
    THEN the answer is 404, as for a column that does not exist."""
    settings = shop.SETTINGS_TOML.replace('["secret"]', '["secret", "blob"]')
    access = tmp_path / "access.toml"
    access.write_text(shop.ACCESS_TOML, encoding="utf-8")
    app = make_app(TABLEFRONT_ACCESS_FILE=str(access))
    shop.install_shop(app, tmp_path, settings=settings)
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": "CONTOSO\\jdoe"})
    assert client.get(f"{ITEMS}/2").status_code == 200
    assert client.get(f"{ITEMS}/2/-/download/blob").status_code == 404
