"""Applying a reviewed file: one streaming pass, one transaction, chunked
executemany inserts and updates, one audit row per row, the row filter re-checked;
all or nothing."""

from __future__ import annotations

import csv
import logging
import operator
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError

from app.access import TableAccess
from app.catalog import TableInfo
from app.data import writes
from app.data.imports.existing import (
    existing_keys,
    key_chunks,
    keys_where,
    missing_references,
)
from app.data.imports.mapping import BadCell, Plan, plan, typed_rows
from app.data.imports.problems import Checked
from app.data.imports.reading import ParsedFile
from app.data.scope import Scope
from app.extensions import db

log = logging.getLogger(__name__)


class ReviewAgain(writes.WriteError):
    """The file or the database changed since the review: nothing was written;
    validate again to list the problems."""


@dataclass(frozen=True)
class Summary:
    inserted: int
    updated: int
    seconds: float


def apply(
    scope: Scope, parsed: ParsedFile, mapping: Mapping[str, str], mode: str
) -> Summary:
    """Write a reviewed file as ``scope``'s caller in one streaming pass and one
    transaction, audited under their login; all or nothing.

    The review listed every problem; this pass re-converts each row (cheap), checks
    on the way what the caller may do (foreign keys they may see, keys they may
    change, rows left inside their filter) and lets the database enforce unique and
    key constraints. Any refusal rolls everything back and raises ReviewAgain (or
    OutsideFilter), so the caller can show the problems again.
    """
    info, access, hidden, actor = scope.info, scope.access, scope.hidden, scope.actor
    table = info.table
    started = time.perf_counter()
    checked = Checked()
    the_plan = plan(info, hidden, parsed.headers, mapping, mode, checked)
    if the_plan is None:
        raise ReviewAgain("The mapping has problems.")
    batch = Batch(info, access, the_plan, mode, actor, scope.access_for)
    try:
        rows: list[tuple] = []
        for _number, row in typed_rows(parsed, the_plan):
            rows.append(row)
            if len(rows) == APPLY_BATCH:
                batch.write(rows)
                rows = []
        if rows:
            batch.write(rows)
        db.session.commit()
    except (writes.WriteError, BadCell) as exc:
        db.session.rollback()
        if isinstance(exc, writes.OutsideFilter):
            raise
        raise ReviewAgain(str(exc)) from None
    except csv.Error as exc:
        db.session.rollback()
        raise ReviewAgain(f"The file is not valid CSV: {exc}.") from None
    except DBAPIError as exc:
        db.session.rollback()
        if exc.connection_invalidated:
            raise
        raise ReviewAgain(str(writes.field_errors_from(table, exc))) from None
    except BaseException:
        db.session.rollback()
        raise
    seconds = time.perf_counter() - started
    log.info(
        "import into %s by %s: %d inserted, %d updated",
        info.key,
        actor,
        batch.inserted,
        batch.updated,
    )
    return Summary(batch.inserted, batch.updated, seconds)


APPLY_BATCH = 2000


class Batch:
    """Writes typed rows batch by batch inside the caller's transaction."""

    def __init__(
        self,
        info: TableInfo,
        access: TableAccess,
        the_plan: Plan,
        mode: str,
        actor: str,
        access_for: Callable[[Table], TableAccess],
    ) -> None:
        self.table = info.table
        self.plan = the_plan
        self.mode = mode
        self.actor = actor
        self.access_for = access_for
        self.write_filter = writes.row_filter_terms(access, "import")
        self.visible_refs: list[set[tuple]] = [set() for _ in the_plan.references]
        self.inserted = 0
        self.updated = 0
        pk = the_plan.pk
        self.generated = [n for n in pk if n not in the_plan.columns]
        table = self.table
        self.table_name = writes.table_key(table)
        self.request_id = writes.current_request_id()
        self.pk_cols = [table.c[n] for n in pk]

    def write(self, rows: list[tuple]) -> None:
        """Check and write one batch (inserts and, in upsert mode, updates)."""
        self._check_references(rows)
        inserts, updates = rows, []
        before: dict[tuple, dict] = {}
        if self.plan.pk_at is not None:
            inserts, updates, before = self._split(rows)
        keys = self._insert(inserts)
        if updates:
            self._update(updates, before)
            keys += [tuple([r[i] for i in self.plan.pk_at]) for r in updates]
        self._after_check(keys)

    def _check_references(self, rows: list[tuple]) -> None:
        for n, (cons, names, at) in enumerate(self.plan.references):
            known = self.visible_refs[n]
            wanted = {tuple([r[i] for i in at]) for r in rows} - known
            wanted = {k for k in wanted if None not in k}
            if not wanted:
                continue
            missing = missing_references(cons, wanted, self.access_for)
            if missing:
                key = next(iter(missing))
                raise ReviewAgain(
                    f"{', '.join(names)}: no row {', '.join(map(str, key))} in "
                    f"{writes.table_key(cons.referred_table)} (or you may not see it)"
                )
            known |= wanted

    def _split(self, rows: list[tuple]) -> tuple[list, list, dict]:
        pk, at = self.plan.pk, self.plan.pk_at
        keys = [tuple([r[i] for i in at]) for r in rows]
        before: dict[tuple, dict] = {}
        for chunk in key_chunks(keys, len(pk)):
            stmt = select(self.table).where(keys_where(self.table, pk, chunk))
            for r in db.session.execute(stmt).mappings():
                before[tuple(r[n] for n in pk)] = dict(r)
        if not before:
            return rows, [], before
        if self.mode == "insert":
            raise ReviewAgain("a row with the same key was added meanwhile")
        if self.write_filter:
            mine = existing_keys(self.table, pk, list(before), *self.write_filter)
            if len(mine) != len(before):
                raise writes.OutsideFilter(
                    "Some rows are not among the rows you may change; nothing was "
                    "imported."
                )
        inserts = [r for r, k in zip(rows, keys, strict=True) if k not in before]
        updates = [r for r, k in zip(rows, keys, strict=True) if k in before]
        return inserts, updates, before

    def _audit(self, key_json: str, old: str | None, new: str | None) -> tuple:
        """One audit row in writes.AUDIT_FIELDS order."""
        return (
            self.actor,
            self.request_id,
            self.table_name,
            key_json,
            "import",
            old,
            new,
        )

    def _insert(self, rows: list[tuple]) -> list[tuple]:
        """INSERT the rows; a row that leaves a column with a default empty is
        inserted without that column, so the default applies (as a form's create
        does): NULL there would break NOT NULL or lose the default."""
        columns = self.plan.columns
        table = self.table
        defaulted = [
            i for i, n in enumerate(columns) if table.c[n].server_default is not None
        ]
        if not defaulted:
            return self._insert_group(columns, rows)
        groups: dict[tuple[int, ...], list[tuple]] = {}
        for row in rows:
            gaps = tuple(i for i in defaulted if row[i] is None)
            groups.setdefault(gaps, []).append(row)
        keys: list[tuple] = []
        for gaps, part in groups.items():
            if not gaps:
                keys += self._insert_group(columns, part)
                continue
            keep = [i for i in range(len(columns)) if i not in gaps]
            names = [columns[i] for i in keep]
            keys += self._insert_group(names, [tuple(r[i] for i in keep) for r in part])
        return keys

    def _insert_group(self, columns: list[str], rows: list[tuple]) -> list[tuple]:
        """executemany INSERT plus one audit row each; returns the written keys.

        Generated keys come back through RETURNING / OUTPUT (batched by SQLAlchemy's
        insertmanyvalues) together with the inserted values, so rows are matched
        by what the database returns, not by position (asking for an ordering makes
        SQLite fall back to one statement per row)."""
        if not rows:
            return []
        table, pk = self.table, self.plan.pk
        if not self.generated:
            writes.insert_rows(table, columns, rows)
            at = [columns.index(n) for n in pk]
            key_of = operator.itemgetter(*at, *at[:1])
            width = len(pk)
            stored = [(key_of(r)[:width], r) for r in rows]
        elif table.implicit_returning:
            params = [dict(zip(columns, r, strict=True)) for r in rows]
            stmt = insert(table).returning(
                *self.pk_cols, *(table.c[n] for n in columns)
            )
            width = len(pk)
            stored = [
                (tuple(r[:width]), tuple(r[width:]))
                for r in db.session.execute(stmt, params)
            ]
            del params
        else:  # tables with triggers: no OUTPUT; SCOPE_IDENTITY() row by row
            stored = []
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                result = db.session.execute(insert(table).values(values))
                stored.append((tuple(result.inserted_primary_key), row))
        dumps = writes.bulk_dumps
        audit = self._audit
        entries = []
        for key, row in stored:
            key_values = dict(zip(pk, key, strict=True))
            new = key_values.copy()
            for name, value in zip(columns, row, strict=True):
                if value is not None:
                    new[name] = value
            entries.append(audit(dumps(key_values), None, dumps(new)))
        writes.write_audit_rows(entries)
        self.inserted += len(stored)
        return [key for key, _row in stored]

    def _update(self, rows: list[tuple], before: dict[tuple, dict]) -> None:
        table, pk, at = self.table, self.plan.pk, self.plan.pk_at
        names = [n for n in self.plan.columns if n not in pk]
        positions = [self.plan.columns.index(n) for n in names]
        audit = []
        params = []
        for row in rows:
            key = tuple([row[i] for i in at])
            old, new = {}, {}
            for name, i in zip(names, positions, strict=True):
                if before[key].get(name) != row[i]:
                    old[name], new[name] = before[key].get(name), row[i]
            params.append(
                {
                    **{f"k_{n}": v for n, v in zip(pk, key, strict=True)},
                    **{f"v_{j}": row[i] for j, i in enumerate(positions)},
                }
            )
            if new:
                key_json = writes.bulk_dumps(dict(zip(pk, key, strict=True)))
                audit.append(
                    self._audit(
                        key_json, writes.bulk_dumps(old), writes.bulk_dumps(new)
                    )
                )
        if names:
            stmt = (
                update(table)
                .where(*(c == bindparam(f"k_{c.name}") for c in self.pk_cols))
                .values({n: bindparam(f"v_{j}") for j, n in enumerate(names)})
            )
            db.session.execute(stmt, params)
        writes.write_audit_rows(audit)
        self.updated += len(rows)

    def _after_check(self, keys: list[tuple]) -> None:
        """Every written row must be inside the caller's import filter."""
        if not self.write_filter or not keys:
            return
        inside = existing_keys(self.table, self.plan.pk, keys, *self.write_filter)
        if len(inside) != len(set(keys)):
            raise writes.OutsideFilter(
                "Some rows would end up outside the rows you may change; nothing was "
                "imported."
            )
