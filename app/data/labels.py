"""Foreign-key labels: what names the row a key points at, one query per column.

Each lookup goes through the referenced table's access: its row filter applies and
its hidden columns are never used, so a label never reveals a row the caller may not
see (the raw key is shown instead, without a link).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, Table, bindparam, select

from app.catalog import ColumnInfo
from app.data.scope import Scope, peek_scope
from app.data.values import encode_row_key
from app.extensions import db

MAX_KEYS_PER_QUERY = 1000  # well under SQL Server's 2,100 parameter limit
_STATEMENTS: dict[tuple[Table, tuple[str, ...]], Select] = {}
_STATEMENTS_MAX = 1024


class Label(NamedTuple):
    """The referenced row's label and its URL key (None: not linkable)."""

    text: str
    row_key: str | None


@dataclass(frozen=True)
class LabelSet:
    """Labels for one FK column, and where its rows live."""

    ref_schema: str
    ref_table: str
    labels: dict[Any, Label]


def label_text(values: Sequence[Any]) -> str:
    """Join label parts, skipping NULLs."""
    return " ".join(str(v) for v in values if v is not None and str(v) != "")


def fk_labels(
    scope: Scope,
    columns: Iterable[ColumnInfo],
    rows: Sequence[Sequence[Any]],
    skip: Collection[str] = (),
    connection: Connection | None = None,
) -> dict[str, LabelSet]:
    """Labels for every single-column FK among ``columns`` (by position in rows),
    but those named in ``skip`` (labelled already); read on ``connection`` when
    given, else through the request's session."""
    result: dict[str, LabelSet] = {}
    for position, column in enumerate(columns):
        if column.fk is None or column.name in skip:
            continue
        values = {row[position] for row in rows if row[position] is not None}
        if not values:
            continue
        target = peek_scope(scope.identity, scope.catalog, column.fk.ref_key)
        if target is None:
            continue
        labels = lookup_labels(target, column.fk.ref_columns[0], values, connection)
        result[column.name] = LabelSet(target.info.schema, target.info.name, labels)
    return result


def _label_statement(table: Table, wanted: tuple[str, ...]) -> Select:
    """``SELECT wanted... WHERE wanted[0] IN (:keys)``, built once per table and
    column list: a reused statement keeps SQLAlchemy's cache key, so a page's label
    lookup skips building and hashing a new SELECT (the keys are bound, expanding)."""
    key = (table, wanted)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        if len(_STATEMENTS) >= _STATEMENTS_MAX:
            _STATEMENTS.clear()
        ref = table.c[wanted[0]]
        stmt = select(*(table.c[n] for n in wanted)).where(
            ref.in_(bindparam("keys", expanding=True, type_=ref.type))
        )
        _STATEMENTS[key] = stmt
    return stmt


def lookup_labels(
    target: Scope,
    ref_column: str,
    values: set[Any],
    connection: Connection | None = None,
) -> dict[Any, Label]:
    """Label and row key of each visible row of ``target`` whose column has a value."""
    run = db.session.execute if connection is None else connection.execute
    info = target.info
    label_cols = [n for n in info.label_columns if n not in target.hidden]
    pk = list(info.primary_key)
    stmt = _label_statement(target.table, (ref_column, *pk, *label_cols))
    if target.row_filter is not None:
        stmt = stmt.where(target.row_filter)
    labels: dict[Any, Label] = {}
    width = len(pk)
    ordered = sorted(values, key=repr) if len(values) > MAX_KEYS_PER_QUERY else values
    ordered = list(ordered)
    for start in range(0, len(ordered), MAX_KEYS_PER_QUERY):
        chunk = ordered[start : start + MAX_KEYS_PER_QUERY]
        for row in run(stmt, {"keys": chunk}).all():
            parts = row[1 + width :]
            if len(parts) == 1 and type(parts[0]) is str and parts[0]:
                text = parts[0]  # one label column with text: label_text's answer
            else:
                text = label_text(parts) or str(row[0])
            row_key = encode_row_key(row[1 : 1 + width]) if pk else None
            labels[row[0]] = Label(text, row_key)
    return labels
