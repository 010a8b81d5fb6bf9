"""``dev init --sample-from URL --rows N``: real rows from a live database.

Up to N rows per table are read from the live database with the app's own models
(the configured ``TABLEFRONT_SCHEMA_MAP`` applied, as the app itself would read them)
and written into the embedded SQLite files, parents first. A child row whose parent
was not copied cannot stay as it is: a nullable foreign key is set empty, otherwise
the row is dropped, and the report says so per table. Columns SQLite computes or
stamps itself (translated computed columns, rowversion) are left to it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Column, Table, create_engine, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.schema import sort_tables

from app.dev.sample_rows import SampleReport, _foreign_keys
from app.embedded import is_rowversion
from app.embedded_computed import is_untranslated_computed

log = logging.getLogger(__name__)


class CopyError(RuntimeError):
    """The live database cannot be read at all (bad URL, no driver, refused)."""


def copy_rows(
    connection: Connection, tables: Iterable[Table], url: str, rows: int
) -> SampleReport:
    """Copy up to *rows* rows of each of *tables* from *url* into *connection*."""
    source = _source_engine(url)
    report = SampleReport()
    copied: dict[str, list[dict[str, Any]]] = {}
    chosen = list(tables)
    connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")  # self references
    try:
        with source.connect() as live:
            for table in sort_tables(chosen):
                try:
                    found = _read(live, table, rows)
                except SQLAlchemyError as exc:
                    report.rows[table.fullname] = 0
                    report.short[table.fullname] = f"could not be read: {_first(exc)}"
                    log.warning("copy rows: %s: %s", table.fullname, exc)
                    continue
                kept, notes = _keep_consistent(table, found, copied)
                if kept:
                    connection.execute(insert(table), kept)
                copied[table.fullname] = kept
                report.rows[table.fullname] = len(kept)
                if notes:
                    report.short[table.fullname] = "; ".join(notes)
    except DBAPIError as exc:
        raise CopyError(f"cannot read {source.url!r}: {_first(exc)}") from None
    finally:
        source.dispose()
    return report


def _source_engine(url: str) -> Engine:
    """An engine on the live database with the app's schema map."""
    schema_map = {}
    if has_app_context():
        schema_map = dict(current_app.config.get("SCHEMA_MAP") or {})
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise CopyError(f"cannot use --sample-from {url!r}: {exc}") from None
    if schema_map:
        engine = engine.execution_options(schema_translate_map=schema_map)
    return engine


def copied_columns(table: Table) -> list[Column]:
    """The columns a copy writes: not what SQLite computes or stamps itself."""
    return [
        c
        for c in table.columns
        if not is_rowversion(c) and (c.computed is None or is_untranslated_computed(c))
    ]


def _read(live: Connection, table: Table, rows: int) -> list[dict[str, Any]]:
    columns = copied_columns(table)
    query = select(*columns).limit(rows)
    if table.primary_key.columns:
        query = query.order_by(*table.primary_key.columns)
    return [dict(r) for r in live.execute(query).mappings()]


def _keep_consistent(
    table: Table,
    found: list[dict[str, Any]],
    copied: dict[str, list[dict[str, Any]]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows whose every foreign key points at a copied row (a nullable one set
    empty when it does not), and what was changed, in words."""
    rows = [dict(r) for r in found]
    dropped: dict[str, int] = {}
    emptied: dict[str, int] = {}
    changed = True
    while changed:  # a dropped row may be the parent of another row of this table
        changed = False
        for fk in _foreign_keys(table):
            parent = fk.referred_table
            names = [e.parent.name for e in fk.elements]
            targets = [e.column.name for e in fk.elements]
            if parent is table:
                pool = rows
            elif parent.fullname in copied:
                pool = copied[parent.fullname]
            else:
                continue  # a table outside the copy: nothing to check against
            present = {tuple(r.get(t) for t in targets) for r in pool}
            where = f"{', '.join(names)} -> {parent.fullname}"
            keep = []
            for row in rows:
                values = tuple(row.get(n) for n in names)
                if any(v is None for v in values) or values in present:
                    keep.append(row)
                elif all(table.c[n].nullable for n in names):
                    for n in names:
                        row[n] = None
                    emptied[where] = emptied.get(where, 0) + 1
                    keep.append(row)
                    changed = True
                else:
                    dropped[where] = dropped.get(where, 0) + 1
                    changed = True
            rows = keep
    notes = [
        f"{n} rows dropped: their {where} row was not copied"
        for where, n in dropped.items()
    ] + [
        f"{n} rows had {where} set empty: that row was not copied"
        for where, n in emptied.items()
    ]
    return rows, notes


def _first(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


__all__: Sequence[str] = ("CopyError", "copied_columns", "copy_rows")
