"""Why a write was refused: the exceptions views catch, and database refusals in
plain words (classification itself: ``app.data.db_errors``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError

from app.data import db_errors
from app.data.writes.keys import table_key

log = logging.getLogger(__name__)


class WriteError(Exception):
    """A write was refused; nothing was changed."""


@dataclass
class FieldErrors(WriteError):
    """Problems to show in the form: by column name, ``None`` for the whole form."""

    errors: dict[str | None, list[str]] = field(default_factory=dict)

    def add(self, column: str | None, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    def __str__(self) -> str:
        return "; ".join(
            f"{k or 'form'}: {m}" for k, msgs in self.errors.items() for m in msgs
        )


@dataclass
class Conflict(WriteError):
    """Someone changed the row since it was opened; ``current`` is their version."""

    current: dict[str, Any]


class RowGone(WriteError):
    """The row was deleted meanwhile (or is no longer visible to the caller)."""


class OutsideFilter(WriteError):
    """The write would put the row outside what the caller may touch."""


@dataclass
class DeleteRefused(WriteError):
    """Other rows still point at the row; ``reasons`` say which, in plain words,
    and ``referrers`` (app.data.writes.references.Referrer) which rows they are."""

    reasons: list[str]
    referrers: list[Any] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(self.reasons)


def field_errors_from(
    table: Table, exc: DBAPIError, labels: Mapping[str, str] | None = None
) -> FieldErrors:
    """A database refusal as form errors, attached to a column when one is named."""
    refusal = db_errors.classify(table, exc)
    errors = FieldErrors()
    columns, message = refusal.columns, refusal.described
    if labels is not None:  # a column without a label is hidden from the caller
        columns = [c for c in columns if c in labels]
    if len(columns) == 1:
        errors.add(columns[0], message)
    else:
        names = ", ".join((labels or {}).get(c, c) for c in columns)
        errors.add(None, f"{names}: {message}" if names else message)
    log.info(
        "write refused by the database (%s%s) on %s",
        refusal.kind,
        f" {refusal.constraint}" if refusal.constraint else "",
        table_key(table),
    )
    return errors
