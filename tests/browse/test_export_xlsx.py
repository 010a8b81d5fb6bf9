"""Exports name FK rows beside their keys; the XLSX is formatted and streamed."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import itertools
import os
import resource
import threading

import openpyxl
import pytest
from sqlalchemy import insert

from app.extensions import db
from tests.browse.shop import item_rows


def _csv(client, query: str = "") -> list[dict[str, str]]:
    body = client.get(f"/t/shop/items/-/export.csv{query}").get_data()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _sheet(client, query: str = ""):
    body = client.get(f"/t/shop/items/-/export.xlsx{query}").get_data()
    return openpyxl.load_workbook(io.BytesIO(body)).active


def _columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1]}


def test_export_csv_fk_column_has_label_beside_key(shop_client):
    """GIVEN items pointing at categories (item 1 -> 2 Garden)
    WHEN the list is exported as CSV
    THEN "Category id" holds the category's name and "Category id (id)" its key."""
    row = _csv(shop_client)[0]
    assert (row["Item id"], row["Category id"], row["Category id (id)"]) == (
        "1",
        "Garden",
        "2",
    )


def test_export_xlsx_fk_column_has_label_beside_key(shop_client):
    """GIVEN items pointing at categories (item 1 -> 2 Garden)
    WHEN the list is exported as XLSX
    THEN the label column holds "Garden" and the key column the number 2."""
    sheet = _sheet(shop_client)
    where = _columns(sheet)
    assert sheet.cell(2, where["Category id"]).value == "Garden"
    assert sheet.cell(2, where["Category id (id)"]).value == 2


def test_export_xlsx_header_is_frozen_with_autofilter(shop_client):
    """GIVEN 45 items
    WHEN they are exported as XLSX
    THEN the header row is frozen and an autofilter spans header and all rows."""
    sheet = _sheet(shop_client)
    last = sheet.cell(1, sheet.max_column).column_letter
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{last}46"


def test_export_xlsx_cells_carry_date_number_and_money_formats(shop_client):
    """GIVEN items with a date, a timestamp, a NUMERIC(12,2) price and keys
    WHEN they are exported as XLSX
    THEN dates are dates formatted yyyy-mm-dd (with time for the timestamp), the
    price a number with two decimals and thousands separators, keys plain."""
    sheet = _sheet(shop_client)
    where = _columns(sheet)
    added = sheet.cell(2, where["Added on"])
    updated = sheet.cell(2, where["Updated at"])
    price = sheet.cell(2, where["Price"])
    key = sheet.cell(2, where["Item id"])
    assert (added.value, added.number_format) == (
        dt.datetime(2024, 1, 2),
        "yyyy-mm-dd",
    )
    assert updated.number_format == "yyyy-mm-dd hh:mm:ss"
    assert updated.value == dt.datetime(2024, 6, 1, 10, 30)
    assert (price.value, price.number_format) == (0.75, "#,##0.00")
    assert (key.value, key.number_format) == (1, "0")


def test_export_xlsx_column_widths_fit_values_capped(shop_client):
    """GIVEN a name column of short values and a notes column with 200 characters
    WHEN the list is exported as XLSX
    THEN the name column is wide enough for its values, notes capped at 62."""
    sheet = _sheet(shop_client)
    where = _columns(sheet)
    letter = {name: sheet.cell(1, col).column_letter for name, col in where.items()}
    widths = {name: sheet.column_dimensions[letter[name]].width for name in where}
    assert widths["Name"] >= len("100% cotton_towel [blue]")
    assert 60 <= widths["Notes"] <= 63


def _rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


class PeakRss:
    """The largest resident set seen by a sampling thread while in the block."""

    def __enter__(self) -> PeakRss:
        self.peak = _rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mib())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _add_items(app, first: int, count: int) -> None:
    table = app.shop.table("items")
    rows = item_rows(first + count - 1)
    with app.app_context():
        batch = []
        for row in itertools.islice(rows, first - 1, None):
            batch.append({**row, "blob": None, "notes": None})
            if len(batch) == 20_000:
                db.session.execute(insert(table), batch)
                batch = []
        if batch:
            db.session.execute(insert(table), batch)
        db.session.commit()


@pytest.mark.skipif(
    not os.path.exists("/proc/self/statm"), reason="reads RSS from /proc"
)
def test_export_xlsx_of_200k_rows_keeps_memory_flat(shop_app, shop_client):
    """GIVEN 200,000 items
    WHEN they are exported as XLSX, the body read chunk by chunk
    THEN the resident set never grows by 60 MiB over where it started."""
    shop_app.config["EXPORT_CONFIRM_ROWS"] = 10**7
    _add_items(shop_app, 46, 200_000)
    gc.collect()
    size = 0
    with PeakRss() as rss:
        start = _rss_mib()
        response = shop_client.get("/t/shop/items/-/export.xlsx", buffered=False)
        for chunk in response.response:
            size += len(chunk)
        response.close()
    growth = rss.peak - start
    assert size > 1_000_000
    assert growth < 60, f"RSS grew {growth:.0f} MiB"
