"""Insert, update and delete of one row: checked, audited, one transaction each.

Every write here:

- is checked against the caller's ``TableAccess`` (from ``app.access.require``): the
  row filter must hold for the row before the write (it is part of the WHERE clause)
  and after it (re-read inside the same transaction, rolled back otherwise); hidden
  columns are never written;
- never sends server-managed columns (identity, computed, rowversion, and columns
  whose server default is a clock or ``newid()``);
- uses optimistic concurrency (``app.data.writes.concurrency``);
- writes its audit row (``tablefront.audit_log``) in the same transaction;
- turns database refusals (unique, foreign key, check, NOT NULL, truncation, range)
  into ``FieldErrors`` in plain words, after a rollback: never a 500, never half done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from app.access import TableAccess
from app.data.scope import Scope
from app.data.writes.audit import audit_columns, audit_entry, changed, write_audit
from app.data.writes.checks import check_row, check_values, row_exists
from app.data.writes.errors import (
    Conflict,
    DeleteRefused,
    FieldErrors,
    OutsideFilter,
    RowGone,
    WriteError,
    field_errors_from,
)
from app.data.writes.json_values import row_key
from app.data.writes.keys import pk_columns, row_filter_terms, table_key
from app.data.writes.references import references_to
from app.data.writes.statements import (
    delete_statement,
    insert_statement,
    pk_params,
    read_row_statement,
    update_template,
)
from app.extensions import db

log = logging.getLogger(__name__)

AccessFor = Callable[[Table], TableAccess]  # the caller's access to another table


def read(
    scope: Scope,
    pk: Mapping[str, Any],
    action: str = "read",
    connection: Connection | None = None,
) -> dict[str, Any] | None:
    """The row with ``pk`` inside ``scope``'s row filter for ``action``, or None;
    read in the request's session, or on ``connection`` when given."""
    table = scope.table
    stmt = read_row_statement(table, scope.access, action)
    run = db.session.execute if connection is None else connection.execute
    row = run(stmt, pk_params(table, pk)).mappings().first()
    return dict(row) if row is not None else None


def _after_check(
    table: Table, access: TableAccess, pk: Mapping[str, Any], action: str
) -> None:
    if row_filter_terms(access, action) and not row_exists(table, access, pk, action):
        raise OutsideFilter(
            "The change would put this row outside the rows you may change."
        )


def _run(table: Table, labels: Mapping[str, str] | None, work):
    """Run ``work`` in one transaction: commit, or roll back and explain."""
    try:
        result = work()
        db.session.commit()
        return result
    except (IntegrityError, DataError) as exc:
        db.session.rollback()
        raise field_errors_from(table, exc, labels) from None
    except DBAPIError as exc:
        db.session.rollback()
        if exc.connection_invalidated or exc.__class__.__name__ == "OperationalError":
            raise
        raise field_errors_from(table, exc, labels) from None
    except BaseException:
        db.session.rollback()
        raise


def insert(scope: Scope, values: Mapping[str, Any]) -> dict[str, Any]:
    """Insert one row as ``scope``'s caller (audited) and return its primary key."""
    table, access, labels, actor = scope.table, scope.access, scope.labels, scope.actor
    check_values(table, access, values, creating=True)

    def work() -> dict[str, Any]:
        errors = check_row(table, values, None, scope.access_for, labels, access)
        if errors.errors:
            raise errors
        result = db.session.execute(insert_statement(table, values))
        generated = result.inserted_primary_key or ()
        pk = {}
        for col, value in zip(pk_columns(table), generated, strict=False):
            pk[col.name] = values.get(col.name, value)
        for col in pk_columns(table):
            pk.setdefault(col.name, values.get(col.name))
        _after_check(table, access, pk, "create")
        new = {**pk, **{k: v for k, v in values.items() if v is not None}}
        write_audit([audit_entry(table, pk, "create", actor, None, new)])
        return pk

    pk = _run(table, labels, work)
    log.info("create %s %s by %s", table_key(table), row_key(table, pk), actor)
    return pk


def update(
    scope: Scope,
    pk: Mapping[str, Any],
    values: Mapping[str, Any],
    original: Mapping[str, Any],
    before: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Update one row as ``scope``'s caller if nobody changed it since ``original``
    (audited).

    ``before`` is the row as already read in this transaction (saves a second
    read; the concurrency predicate still decides). Raises Conflict (with the
    current row), RowGone, OutsideFilter or FieldErrors; returns the new values of
    the columns that changed.
    """
    table, access, labels, actor = scope.table, scope.access, scope.labels, scope.actor
    check_values(table, access, values, creating=False)

    def work() -> dict[str, Any]:
        nonlocal before
        if before is None:
            before = read(scope, pk, "update")
        if before is None:
            raise RowGone()
        old, new = changed(before, values, values.keys())
        errors = check_row(table, new, pk, scope.access_for, labels, access)
        if errors.errors:
            raise errors
        stmt, params = update_template(
            table, pk, values, original, access=access, action="update"
        )
        if db.session.execute(stmt, params).rowcount != 1:
            raise _why_not(scope, pk)
        _after_check(table, access, pk, "update")
        if new:
            write_audit([audit_entry(table, pk, "update", actor, old, new)])
        return new

    new = _run(table, labels, work)
    log.info(
        "update %s %s by %s: %s",
        table_key(table),
        row_key(table, pk),
        actor,
        ", ".join(new) or "no change",
    )
    return new


def _why_not(scope: Scope, pk: Mapping[str, Any]) -> WriteError:
    current = read(scope, pk)
    if current is None:
        return RowGone()
    return Conflict(current)


def delete(scope: Scope, pk: Mapping[str, Any], original: Mapping[str, Any]) -> None:
    """Delete one row as ``scope``'s caller if unchanged since ``original`` and
    nothing points at it."""
    table, access, actor = scope.table, scope.access, scope.actor

    def work() -> None:
        before = read(scope, pk, "delete")
        if before is None:
            raise RowGone()
        referrers = references_to(table, pk, scope.access_for)
        if referrers:
            raise DeleteRefused([r.text for r in referrers], referrers)
        where = row_filter_terms(access, "delete")
        stmt = delete_statement(table, pk, original, *where)
        if db.session.execute(stmt).rowcount != 1:
            raise _why_not(scope, pk)
        old = {k: before[k] for k in audit_columns(table)}
        write_audit([audit_entry(table, pk, "delete", actor, old, None)])

    try:
        _run(table, None, work)
    except FieldErrors as exc:
        # The database refused although our count found nothing (e.g. a foreign key
        # not in the models): say so plainly.
        if any(
            "refers to" in m or "rule" in m for ms in exc.errors.values() for m in ms
        ):
            raise DeleteRefused(
                ["Other rows still point at this row; the database refused the delete."]
            ) from None
        raise
    log.info("delete %s %s by %s", table_key(table), row_key(table, pk), actor)
