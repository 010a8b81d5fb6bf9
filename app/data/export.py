"""Export of a filtered, sorted list as CSV (UTF-8 with BOM) or XLSX, streamed.

CSV text cells that start with ``= + - @``, tab or CR get a leading ``'`` (OWASP's
advice against CSV injection); numeric columns are written as they are, so negative
numbers stay numbers. XLSX writes every text as a string, never as a formula.
A foreign key whose table the caller may read is written twice, the label ("Opened
by") beside the key ("Opened by (id)"); labels come through the target's access
(labels.py), so a row the caller may not read leaves its label empty.

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
import itertools
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from flask import current_app
from sqlalchemy import Connection, Select, select

from app.catalog import Catalog, ColumnInfo
from app.catalog.columns import column_rule
from app.catalog.model import DATE_KINDS, NUMBER_KINDS
from app.data.counts import RowCount, capped_count
from app.data.labels import fk_labels
from app.data.query import ListQuery, conditions, order_by, sort_columns
from app.data.scope import Scope, open_scope, peek_scope
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


@dataclass(frozen=True)
class ExportColumn:
    """One column of the file: its header, the source column, and whether it
    carries the FK's label (``True``) or the stored value."""

    header: str
    column: ColumnInfo
    position: int  # in the SELECT
    label: bool = False


@dataclass
class ExportPlan:
    """What one export will read: scope, columns, statement, row limit."""

    scope: Scope
    columns: list[ColumnInfo]
    clauses: list[Any]
    statement: Select
    max_rows: int
    # FK columns whose target the caller may read are written twice: the label
    # ("Opened by") beside the key ("Opened by (id)").
    labelled: frozenset[str] = frozenset()

    @property
    def out(self) -> list[ExportColumn]:
        """The file's columns, in order."""
        result = []
        for position, column in enumerate(self.columns):
            if column.name in self.labelled:
                result.append(ExportColumn(column.label, column, position, True))
                result.append(ExportColumn(f"{column.label} (id)", column, position))
            else:
                result.append(ExportColumn(column.label, column, position))
        return result


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
    labelled = frozenset(
        c.name
        for c in columns
        if c.fk is not None
        and peek_scope(scope.identity, scope.catalog, c.fk.ref_key) is not None
    )
    return ExportPlan(scope, columns, where.clauses, stmt, max_rows, labelled)


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


def _labelled_rows(plan: ExportPlan) -> Iterator[list[list[Any]]]:
    """Batches of file rows: the selected values, each labelled FK doubled.

    Labels are looked up per batch through the target's access (labels.py): a key
    whose row the caller may not read gets an empty label, the key alone."""
    out = plan.out
    if not plan.labelled:
        for batch in _rows(plan):
            yield [list(row) for row in batch]
        return
    # A second connection: the first is busy streaming, and SQL Server without
    # MARS refuses another statement on it until every row has been read.
    with db.engine.connect() as side:
        for batch in _rows(plan):
            yield _with_labels(plan, out, batch, side)


def _with_labels(
    plan: ExportPlan,
    out: list[ExportColumn],
    batch: Sequence[Sequence[Any]],
    side: Connection,
) -> list[list[Any]]:
    """One batch as file rows, the labels read on ``side``."""
    # The SELECT lists plan.columns in order: the batch's rows are read in place.
    others = [c.name for c in plan.columns if c.name not in plan.labelled]
    sets = fk_labels(plan.scope, plan.columns, batch, skip=others, connection=side)
    maps = {name: found.labels for name, found in sets.items()}
    where = [item.position for item in out]
    pick = itemgetter(*where) if len(where) > 1 else lambda row: (row[where[0]],)
    # (index in the file row, position in the SELECT, labels) of each label column:
    # per row, the values are copied in one go and only the labels looked up.
    labelled = [
        (i, item.position, maps.get(item.column.name, {}))
        for i, item in enumerate(out)
        if item.label
    ]
    rows = []
    for row in batch:
        values = list(pick(row))
        for i, p, labels in labelled:
            found = labels.get(row[p])
            values[i] = None if found is None else found.text
        rows.append(values)
    return rows


def csv_chunks(plan: ExportPlan) -> Iterator[bytes]:
    """The export as CSV bytes: a BOM, a header row, then rows in batches."""
    out = plan.out
    converters = [
        (i, neutralise_formula if c.label else _cell_for_text(c.column))
        for i, c in enumerate(out)
    ]
    converters = [(i, f) for i, f in converters if f is not None]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in out])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    # Text cells get the formula guard inline (no call per value: a million rows
    # hold millions of them); the few other converters are called.
    texts = [i for i, f in converters if f is neutralise_formula]
    others = [(i, f) for i, f in converters if f is not neutralise_formula]
    written = 0
    for batch in _labelled_rows(plan):
        buffer.seek(0)
        buffer.truncate()
        for values in batch:  # fresh lists from _labelled_rows: changed in place
            for i in texts:
                value = values[i]
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    values[i] = "'" + value
            for i, func in others:
                values[i] = func(values[i])
        writer.writerows(batch)
        written += len(batch)
        yield buffer.getvalue().encode("utf-8")
    log.info("exported %s rows of %s as CSV", written, plan.scope.info.key)


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


MAX_WIDTH = 60
TIME_KINDS = DATE_KINDS | {"time"}
KIND_WIDTHS = {"date": 10, "datetime": 19, "time": 8, "guid": 36, "bool": 5}


def number_format(column: ColumnInfo) -> str | None:
    """Excel's number format for a column's values (None: Excel's General)."""
    if column.kind == "date":
        return "yyyy-mm-dd"
    if column.kind == "datetime":
        return "yyyy-mm-dd hh:mm:ss"
    if column.kind == "time":
        return "hh:mm:ss"
    if column.kind == "int":
        # A key reads as an identifier (659), a quantity with separators (90,900).
        return "0" if column.primary_key or column.fk is not None else "#,##0"
    if column.kind in {"decimal", "money"}:
        scale = column_rule(column).scale
        if scale is None:
            return None
        return "#,##0." + "0" * scale if scale else "#,##0"
    return None


def _width(header: str, kind: str, values: Iterator[Any]) -> float:
    widest = max(len(header), KIND_WIDTHS.get(kind, 0))
    for value in values:
        if value is not None:
            widest = max(widest, len(str(value)))
    return min(widest, MAX_WIDTH) + 2


def _xlsx_cell(value: Any, kind: str) -> Any:
    if kind == "bool":
        return "TRUE" if value else "FALSE"
    return _xlsx_value(value)


def xlsx_chunks(plan: ExportPlan, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """The export as an XLSX file, built in constant memory, then streamed.

    Column widths come from the header and the first batch; the header row is
    frozen and carries an autofilter; dates, numbers and money keep their formats.
    """
    import xlsxwriter

    out = plan.out
    with tempfile.TemporaryFile() as handle:
        workbook = xlsxwriter.Workbook(
            handle,
            {
                "constant_memory": True,
                "default_date_format": "yyyy-mm-dd",
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "remove_timezone": True,
                "nan_inf_to_errors": True,
            },
        )
        sheet = workbook.add_worksheet(plan.scope.info.name[:31])
        header = workbook.add_format({"bold": True, "bottom": 1})
        kinds = ["text" if c.label else c.column.kind for c in out]
        formats = []
        for item in out:
            code = None if item.label else number_format(item.column)
            formats.append(workbook.add_format({"num_format": code}) if code else None)
        batches = _labelled_rows(plan)
        first = next(batches, [])
        for col, item in enumerate(out):
            width = _width(item.header, kinds[col], (row[col] for row in first))
            sheet.set_column(col, col, width, formats[col])
        sheet.write_row(0, 0, [c.header for c in out], header)
        sheet.freeze_panes(1, 0)
        number = 0
        for batch in itertools.chain([first], batches):
            for row in batch:
                number += 1
                for col, value in enumerate(row):
                    if value is None:
                        continue
                    kind = kinds[col]
                    if kind in TIME_KINDS and isinstance(value, (dt.date, dt.time)):
                        sheet.write_datetime(number, col, value, formats[col])
                        continue
                    if isinstance(value, str):
                        sheet.write_string(number, col, value)
                    else:
                        sheet.write(number, col, _xlsx_cell(value, kind), formats[col])
        sheet.autofilter(0, 0, max(number, 1), max(len(out) - 1, 0))
        workbook.close()
        log.info("exported %s rows of %s as XLSX", number, plan.scope.info.key)
        handle.seek(0)
        while chunk := handle.read(chunk_size):
            yield chunk
