"""Import templates: the columns an import may set, as a CSV header or a workbook
with one sample row, so people start from a file the import will accept."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import uuid
from typing import Any

from app.catalog import ColumnInfo
from app.catalog.columns import column_rule
from app.data.imports import importable_columns
from app.data.scope import Scope

SAMPLE_TEXT = "example"


def template_columns(scope: Scope) -> list[ColumnInfo]:
    """The columns a new-row import may set, for this caller, in table order."""
    names = importable_columns(scope.info, scope.hidden, "insert")
    return [scope.info.columns[n] for n in names]


def sample_value(column: ColumnInfo) -> Any:
    """A value the column's rule accepts, to show the expected form."""
    rule = column_rule(column)
    kind = column.kind
    low = rule.bounds[0] if rule.bounds else None
    if kind == "bool":
        return True
    if kind == "int":
        return max(1, low) if low is not None else 1
    if kind in {"decimal", "money"}:
        return decimal.Decimal("1.5") if rule.scale else decimal.Decimal(1)
    if kind == "float":
        return 1.5
    if kind == "date":
        return dt.date.today()
    if kind == "datetime":
        return dt.datetime.now().replace(microsecond=0)
    if kind == "time":
        return dt.time(9, 0)
    if kind == "guid":
        return str(uuid.uuid4())
    text = SAMPLE_TEXT
    return text[: rule.max_length] if rule.max_length else text


def template_csv(scope: Scope) -> bytes:
    """A UTF-8 (BOM) CSV with the header row alone."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        [c.name for c in template_columns(scope)]
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(scope: Scope) -> bytes:
    """A workbook: the header row and one sample row in each column's format."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(scope.info.name[:31])
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    clock = book.add_format({"num_format": "hh:mm:ss"})
    for col, column in enumerate(template_columns(scope)):
        sheet.write_string(0, col, column.name, bold)
        value = sample_value(column)
        sheet.set_column(col, col, max(len(column.name), 12) + 2)
        if isinstance(value, dt.datetime):
            sheet.write_datetime(1, col, value, stamp)
        elif isinstance(value, dt.date):
            sheet.write_datetime(1, col, value, day)
        elif isinstance(value, dt.time):
            sheet.write_datetime(1, col, value, clock)
        elif isinstance(value, bool):
            sheet.write_boolean(1, col, value)
        elif isinstance(value, (int, float, decimal.Decimal)):
            sheet.write_number(1, col, float(value))
        else:
            sheet.write_string(1, col, str(value))
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
