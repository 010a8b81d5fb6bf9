"""Rows that point at a row (delete refusals) and rows a foreign key may name
(the form's choices and lookup), always within the caller's row filter.

Delete refusals: in a table the caller may read, only rows inside the caller's row
filter are counted; rows outside it are mentioned without a number ("and rows you
cannot see"); a table the caller may not read is not named at all ("rows in a table
you cannot see"). Knowing that *something* refers to the row cannot be hidden, since
the database refuses the delete either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import has_app_context
from sqlalchemy import (
    Column,
    ForeignKeyConstraint,
    Select,
    Table,
    func,
    select,
)

from app.access import TableAccess
from app.data.writes.keys import pk_clause, row_filter_terms, table_key
from app.extensions import db

REFERENCE_COUNT_CAP = 10_000


@dataclass(frozen=True)
class Referrer:
    """Why a delete is refused, by one foreign key: the reason in plain words and,
    when the caller sees some of the referencing rows, which rows they are."""

    text: str
    child_key: str = ""  # "ops.tickets"; empty for a table the caller cannot read
    match: tuple[tuple[str, Any], ...] = ()  # (child column, this row's value)
    visible: int = 0  # referencing rows inside the caller's row filter (capped)


def referring_names(
    child: Table, cons: ForeignKeyConstraint, child_access: TableAccess
) -> tuple[str, str]:
    """("Assets (ops.assets)", " through Assigned to") for a delete refusal: the
    referencing table by its catalog label and key, and the referencing column by
    its label unless it is hidden from the caller."""
    key = table_key(child)
    info = None
    if has_app_context():
        from app.catalog import get_catalog  # the catalog is built per app

        info = get_catalog().get(key)
    where = f"{info.label} ({key})" if info is not None and info.label != key else key
    names = [el.parent.name for el in cons.elements]
    hidden = child_access.hidden_columns
    if info is not None:
        hidden = hidden | {n for n, c in info.columns.items() if c.hidden}
    if any(n in hidden for n in names):
        return where, ""
    if info is not None:
        names = [info.columns[n].label if n in info.columns else n for n in names]
    return where, " through " + ", ".join(names)


def references_to(
    table: Table, pk: Mapping[str, Any], access_for: Any
) -> list[Referrer]:
    """Why deleting the row would orphan other rows, one Referrer per foreign key."""
    reasons: list[Referrer] = []
    row = (
        db.session.execute(select(table).where(pk_clause(table, pk))).mappings().first()
    )
    if row is None:
        return reasons
    for child in table.metadata.tables.values():
        for cons in child.foreign_key_constraints:
            if cons.referred_table is not table:
                continue
            if (cons.ondelete or "").upper() in {"CASCADE", "SET NULL", "SET DEFAULT"}:
                continue
            match = [el.parent == row[el.column.name] for el in cons.elements]
            child_access = access_for(child)
            total_stmt = select(func.count()).select_from(
                select(child).where(*match).limit(REFERENCE_COUNT_CAP + 1).subquery()
            )
            total = db.session.execute(total_stmt).scalar() or 0
            if not total:
                continue
            if not child_access.allows("read"):
                reasons.append(
                    Referrer("Rows in a table you cannot see still point at this row.")
                )
                continue
            visible = total
            if child_access.row_filter is not None:
                visible_stmt = select(func.count()).select_from(
                    select(child)
                    .where(*match, child_access.row_filter)
                    .limit(REFERENCE_COUNT_CAP + 1)
                    .subquery()
                )
                visible = db.session.execute(visible_stmt).scalar() or 0
            shown = f"{visible:,}" if visible <= REFERENCE_COUNT_CAP else "10,000+"
            what = "row" if visible == 1 else "rows"
            verb = "points" if visible == 1 else "point"
            where, through = referring_names(child, cons, child_access)
            if visible:
                text = f"{shown} {what} in {where} still {verb} at this row{through}"
                text += " (and rows you cannot see)." if visible < total else "."
            else:
                text = f"Rows in {where} that you cannot see still point at this row"
                text += f"{through}."
            pairs = tuple((el.parent.name, row[el.column.name]) for el in cons.elements)
            reasons.append(Referrer(text, table_key(child), pairs, visible))
    return reasons


# --- foreign-key choices for forms --------------------------------------------------

SMALL_TABLE_ROWS = 200
LOOKUP_LIMIT = 20


def _label_expr(ref: Table, label_columns: Sequence[str], key: Column):
    cols = [ref.c[name] for name in label_columns if name in ref.c] or [key]
    return cols


# The choices SELECT of an unfiltered table shape, built once: SQLAlchemy then finds
# its compiled form without building and hashing a new statement on every form.
# Statements only: the rows are read on every form (see reference_choices).
_CHOICES: dict[tuple, Select] = {}
_CHOICES_MAX = 1024


def _choices_statement(key: Column, label_cols: list[Column], limit: int) -> Select:
    return select(key, *label_cols).order_by(*label_cols, key).limit(limit + 1)


def reference_choices(
    ref: Table,
    key_column: str,
    label_columns: Sequence[str],
    access: TableAccess,
    limit: int = SMALL_TABLE_ROWS,
) -> list[tuple[Any, str]] | None:
    """(key, label) of every visible row of a small referenced table, or None when
    it has more than ``limit`` rows (the form then offers a lookup instead).

    Read on every form (one indexed query of at most ``limit + 1`` rows): a list
    kept for seconds per process would show rows another server has since changed;
    what is saved is checked against the caller's filter by ``check_references``."""
    if not access.allows("read"):
        return None
    key = ref.c[key_column]
    hidden = set(access.hidden_columns)
    label_cols = _label_expr(ref, [c for c in label_columns if c not in hidden], key)
    terms = row_filter_terms(access)
    if terms:  # the caller's row filter: a statement of its own
        stmt = _choices_statement(key, label_cols, limit).where(*terms)
    else:
        shape = (ref, key_column, tuple(c.name for c in label_cols), limit)
        stmt = _CHOICES.get(shape)
        if stmt is None:
            if len(_CHOICES) >= _CHOICES_MAX:
                _CHOICES.clear()
            stmt = _CHOICES[shape] = _choices_statement(key, label_cols, limit)
    rows = db.session.execute(stmt).all()
    if len(rows) > limit:
        return None
    return [(r[0], _label(r[1:], r[0])) for r in rows]


def _label(parts: Sequence[Any], key: Any) -> str:
    text = " ".join(str(p) for p in parts if p is not None and str(p) != "")
    return f"{text} ({key})" if text and text != str(key) else str(key)


def reference_lookup(
    ref: Table,
    key_column: str,
    label_columns: Sequence[str],
    access: TableAccess,
    text: str,
    limit: int = LOOKUP_LIMIT,
) -> list[tuple[Any, str]]:
    """Rows of ``ref`` whose label words or key match ``text`` (app.data.lookups)."""
    from app.data.lookups import reference_lookup as lookup

    return lookup(ref, key_column, label_columns, access, text, limit)
