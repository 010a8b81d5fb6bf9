"""Validation: every row through the column rules (``app.catalog.columns``), then
duplicate keys and values within the file, existing keys, unique values, foreign
keys the caller may see and rows outside the caller's filter. All problems are
collected; nothing is written while any remains."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table

from app.access import TableAccess
from app.catalog import TableInfo
from app.catalog.columns import row_checks, row_problems
from app.data import writes
from app.data.imports.existing import existing_keys, missing_references
from app.data.imports.mapping import Plan, plan, typed_rows
from app.data.imports.problems import PREVIEW_ROWS, Checked
from app.data.imports.reading import ParsedFile
from app.data.scope import Scope


def validate(
    scope: Scope, parsed: ParsedFile, mapping: Mapping[str, str], mode: str
) -> Checked:
    """Check every row of ``parsed`` as ``scope``'s caller would import it, in one
    streaming pass (typed rows are not kept: only the keys the database checks
    need); return the counts and preview, or every problem found."""
    info, access, hidden = scope.info, scope.access, scope.hidden
    checked = Checked()
    the_plan = plan(info, hidden, parsed.headers, mapping, mode, checked)
    if the_plan is None:
        return checked
    columns = the_plan.columns
    pk_at = the_plan.pk_at
    keys: dict[tuple, int] = {}
    # Single-column values are kept bare (not in 1-tuples): 100,000 rows x two
    # unique columns is ~11 MB less.
    unique_seen: list[dict[Any, int]] = [{} for _ in the_plan.uniques]
    wanted: list[dict[Any, list[int]]] = [{} for _ in the_plan.references]
    unique_of = [_picker(at) for _cols, at in the_plan.uniques]
    reference_of = [_picker(at) for _cons, _names, at in the_plan.references]
    count = 0
    # Cross-column CHECKs whose columns the file maps (the forms' rules too).
    row_rules = bool(row_checks(info.table))
    for number, row in typed_rows(parsed, the_plan, checked):
        count = number
        if row is None:
            continue
        if row_rules:
            for column, message in row_problems(
                info, dict(zip(columns, row, strict=True))
            ):
                checked.add(number, column, message)
        if len(checked.preview) < PREVIEW_ROWS:
            checked.preview.append(dict(zip(columns, row, strict=True)))
            checked.preview_rows.append(number)
        if pk_at is not None:
            key = tuple([row[i] for i in pk_at])
            first = keys.setdefault(key, number)
            if first != number:
                checked.add(number, ", ".join(the_plan.pk), f"same key as row {first}")
        for (cols, _at), pick, seen in zip(
            the_plan.uniques, unique_of, unique_seen, strict=True
        ):
            value = pick(row)
            if value is None or (type(value) is tuple and None in value):
                continue
            first = seen.setdefault(value, number)
            if first != number:
                checked.add(number, ", ".join(cols), f"same value as row {first}")
        for pick, refs in zip(reference_of, wanted, strict=True):
            value = pick(row)
            if value is not None and not (type(value) is tuple and None in value):
                refs.setdefault(value, []).append(number)
    parsed.rows.count = count
    if checked.total_problems:
        return checked
    _check_keys(info, access, the_plan, keys, count, mode, checked)
    _check_uniques(info, access, the_plan, unique_seen, keys, checked)
    _check_references(the_plan, wanted, scope.access_for, checked)
    return checked


def _picker(at: Sequence[int]) -> Callable[[tuple], Any]:
    """A row's value at one position, or its tuple at several."""
    if len(at) == 1:
        index = at[0]
        return lambda row: row[index]
    return lambda row: tuple([row[i] for i in at])


def _as_tuples(keys: Iterable[Any], width: int) -> list[tuple]:
    return [(k,) for k in keys] if width == 1 else list(keys)


def _check_keys(
    info: TableInfo,
    access: TableAccess,
    the_plan: Plan,
    keys: dict[tuple, int],
    count: int,
    mode: str,
    checked: Checked,
) -> None:
    table = info.table
    pk = the_plan.pk
    if the_plan.pk_at is None:
        checked.inserts = range(1, count + 1)
        return
    existing = existing_keys(table, pk, keys)
    mine = existing
    write_filter = writes.row_filter_terms(access, "import")
    if write_filter and existing:
        mine = existing_keys(table, pk, sorted(existing, key=repr), *write_filter)
    generated = any(writes.server_managed(table.c[n]) for n in pk)
    inserts, updates = [], []
    for key, number in keys.items():
        if key in existing:
            if mode == "insert":
                checked.add(number, ", ".join(pk), "a row with this key already exists")
            elif key not in mine:
                checked.add(
                    number,
                    ", ".join(pk),
                    "this key is not among the rows you may change",
                )
            else:
                updates.append(number)
        elif generated:
            checked.add(number, ", ".join(pk), "no row with this key to update")
        else:
            inserts.append(number)
    checked.inserts, checked.updates = inserts, updates


def _check_uniques(
    info: TableInfo,
    access: TableAccess,
    the_plan: Plan,
    unique_seen: list[dict[Any, int]],
    keys: dict[tuple, int],
    checked: Checked,
) -> None:
    table = info.table
    pk = tuple(the_plan.pk)
    own_key = {number: key for key, number in keys.items()}
    read_filter = writes.row_filter_terms(access)
    for (cols, _at), seen in zip(the_plan.uniques, unique_seen, strict=True):
        if not seen:
            continue
        width = len(cols)
        wanted = _as_tuples(seen, width)
        clashes = existing_keys(table, list(cols), wanted, extra=pk)
        # As the forms do (writes.check_unique): a clash outside the caller's row
        # filter is refused without repeating the value.
        visible = (
            existing_keys(table, list(cols), wanted, *read_filter, extra=pk)
            if read_filter and clashes
            else clashes
        )
        for found in clashes:
            value, found_pk = found[:width], found[width:]
            number = seen.get(value[0] if width == 1 else value, 0)
            if own_key.get(number) != found_pk:  # upsert: a row may keep its value
                checked.add(
                    number,
                    ", ".join(cols),
                    f"another row already has {', '.join(map(str, value))}"
                    if found in visible
                    else "another row already has this value",
                )


def _check_references(
    the_plan: Plan,
    wanted: list[dict[Any, list[int]]],
    access_for: Callable[[Table], TableAccess],
    checked: Checked,
) -> None:
    for (cons, names, _at), refs in zip(the_plan.references, wanted, strict=True):
        width = len(names)
        missing = missing_references(cons, _as_tuples(refs, width), access_for)
        for key in sorted(missing, key=lambda k: refs[k[0] if width == 1 else k][0]):
            for number in refs[key[0] if width == 1 else key]:
                checked.add(
                    number,
                    ", ".join(names),
                    f"no row {', '.join(map(str, key))} in "
                    f"{writes.table_key(cons.referred_table)} (or you may not see it)",
                )
