"""Rows of an uploaded .xlsx, as the text cells the CSV import reads.

The first sheet is read with openpyxl in read-only mode (rows streamed from the
zip, never a whole workbook in memory) and every cell becomes the text a person
would have typed: whole numbers without ".0", dates as ISO 8601, booleans as
true/false. From there the import is the CSV one: same mapping, rules and review.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import zipfile
from collections.abc import Iterator
from typing import Any

from app.data.row_stream import RowStream

XLSX_MAGIC = b"PK\x03\x04"


class BadWorkbook(ValueError):
    """The upload is a zip but not a workbook openpyxl can read."""


def cell_text(value: Any) -> str:
    """One cell's value as import text ("" for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return str(decimal.Decimal(repr(value)))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _open(data: bytes):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise BadWorkbook(str(exc)) from None


def _text_rows(data: bytes) -> Iterator[list[str]]:
    book = _open(data)
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            row = [cell_text(v) for v in values]
            while row and row[-1] == "":  # trailing empty cells of a wide sheet
                row.pop()
            if any(c.strip() for c in row):
                yield row
    finally:
        book.close()


class XlsxRows(RowStream):
    """The data rows of the first sheet, read on demand like ``CsvRows``."""

    def __init__(self, data: bytes, width: int) -> None:
        self.data = data
        self.width = width  # the header's columns: shorter rows are padded
        self.count: int | None = None
        self._head: list[list[str]] = []

    def __iter__(self) -> Iterator[list[str]]:
        rows = _text_rows(self.data)
        next(rows, None)  # the header
        for row in rows:
            yield row + [""] * (self.width - len(row))


def read_header(data: bytes) -> list[str]:
    """The first non-empty row of the first sheet (BadWorkbook if unreadable)."""
    try:
        return next(_text_rows(data), [])
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise BadWorkbook(str(exc)) from None
