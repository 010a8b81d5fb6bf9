"""Export of a filtered, sorted list as CSV (UTF-8 with BOM) or XLSX, streamed.

CSV text cells that start with ``= + - @``, tab or CR get a leading ``'`` (OWASP's
advice against CSV injection); numeric columns are written as they are, so negative
numbers stay numbers. XLSX writes every text as a string, never as a formula.

Rows are read in batches from a streaming cursor (``yield_per``) and written out as
they come, so memory stays flat. XLSX is written by XlsxWriter in constant-memory
mode to a temporary file, which is then streamed; the zip format needs the whole
file before the first byte can be sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from app.catalog import Catalog, ColumnInfo
from app.catalog.model import NUMBER_KINDS
from app.data.counts import RowCount, capped_count
from app.data.query import ListQuery, conditions, order_by, sort_columns
from app.data.scope import Scope, open_scope
from app.extensions import db
from app.identity import Identity

log = logging.getLogger(__name__)

DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_CONFIRM_ROWS = 100_000
BATCH_ROWS = 5_000
# A cell starting with one of these is a formula (or becomes one) when Excel opens
# the CSV; OWASP's "CSV injection" advice: prefix a single quote so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class ExportPlan:
    """What one export will read: scope, columns, statement, row limit."""

    scope: Scope
    columns: list[ColumnInfo]
    clauses: list[Any]
    statement: Select
    max_rows: int


def _setting(name: str, default: int) -> int:
    value = current_app.config.get(name)
    return int(value) if value else default


def export_limits() -> tuple[int, int]:
    """(maximum rows per export, rows above which the user must confirm)."""
    return (
        _setting("EXPORT_MAX_ROWS", DEFAULT_MAX_ROWS),
        _setting("EXPORT_CONFIRM_ROWS", DEFAULT_CONFIRM_ROWS),
    )


def plan_export(
    scope: Scope, query: ListQuery, dialect: str, max_rows: int
) -> ExportPlan:
    """The SELECT of an export: same filters, search and sort as the list page."""
    where = conditions(scope, query, dialect)
    sort = sort_columns(scope, query.sort)
    columns = scope.visible
    stmt = select(*(scope.table.c[c.name] for c in columns))
    if where.clauses:
        stmt = stmt.where(*where.clauses)
    stmt = stmt.order_by(*order_by(scope, sort, False, dialect)).limit(max_rows)
    return ExportPlan(scope, columns, where.clauses, stmt, max_rows)


def prepare_export(
    identity: Identity | None, catalog: Catalog, key: str, query: ListQuery
) -> tuple[ExportPlan, int]:
    """Check the "export" action and plan the export; also the confirm threshold."""
    scope = open_scope(identity, catalog, key, "export")
    max_rows, confirm_rows = export_limits()
    dialect = db.session.get_bind().dialect.name
    return plan_export(scope, query, dialect, max_rows), confirm_rows


def export_size(plan: ExportPlan, cap: int) -> RowCount:
    """How many rows the export would write, counted up to ``cap``."""
    return capped_count(plan.scope.table, plan.clauses, cap)


def neutralise_formula(value: Any) -> Any:
    """A text cell that Excel would run as a formula, prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell_for_text(column: ColumnInfo) -> Callable[[Any], Any] | None:
    # Numbers leave the driver as int/Decimal/float, never str, so -12.5 stays a
    # number; every other kind may carry text someone typed.
    if column.kind in NUMBER_KINDS:
        return None
    if column.kind == "bool":
        return lambda v: None if v is None else ("TRUE" if v else "FALSE")
    if column.kind == "binary":
        return lambda v: None if v is None else "0x" + bytes(v).hex().upper()
    if column.kind == "datetime":
        return lambda v: v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v
    return neutralise_formula


def _rows(plan: ExportPlan) -> Iterator[list[Any]]:
    connection = db.session.connection().execution_options(yield_per=BATCH_ROWS)
    result = connection.execute(plan.statement)
    try:
        yield from result.partitions()
    finally:
        result.close()


def csv_chunks(plan: ExportPlan) -> Iterator[bytes]:
    """The export as CSV bytes: a BOM, a header row, then rows in batches."""
    converters = [(i, _cell_for_text(c)) for i, c in enumerate(plan.columns)]
    converters = [(i, f) for i, f in converters if f is not None]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.label for c in plan.columns])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    written = 0
    for batch in _rows(plan):
        buffer.seek(0)
        buffer.truncate()
        if converters:
            batch = [_convert(row, converters) for row in batch]
        writer.writerows(batch)
        written += len(batch)
        yield buffer.getvalue().encode("utf-8")
    log.info("exported %s rows of %s as CSV", written, plan.scope.info.key)


def _convert(row, converters) -> list[Any]:
    values = list(row)
    for i, func in converters:
        values[i] = func(values[i])
    return values


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, (uuid.UUID,)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex().upper()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def xlsx_chunks(plan: ExportPlan, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """The export as an XLSX file, built in constant memory, then streamed."""
    import xlsxwriter

    with tempfile.TemporaryFile() as handle:
        workbook = xlsxwriter.Workbook(
            handle,
            {
                "constant_memory": True,
                "default_date_format": "yyyy-mm-dd",
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        sheet = workbook.add_worksheet(plan.scope.info.name[:31])
        bold = workbook.add_format({"bold": True})
        stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet.write_row(0, 0, [c.label for c in plan.columns], bold)
        kinds = [c.kind for c in plan.columns]
        number = 0
        for batch in _rows(plan):
            for row in batch:
                number += 1
                for col, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                    if value is None:
                        continue
                    if kind == "datetime" and isinstance(value, dt.datetime):
                        sheet.write_datetime(number, col, value, stamp)
                    else:
                        sheet.write(number, col, _xlsx_value(value))
        workbook.close()
        log.info("exported %s rows of %s as XLSX", number, plan.scope.info.key)
        handle.seek(0)
        while chunk := handle.read(chunk_size):
            yield chunk
