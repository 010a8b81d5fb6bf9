"""Headers to columns: which columns an import may set, the automatic mapping, and
the Plan (targets, converters, key/unique/foreign-key positions) a mapping gives."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog import TableInfo
from app.catalog.columns import BadInput, column_rule
from app.data import writes
from app.data.imports.problems import Checked, Problem
from app.data.imports.reading import ParsedFile


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).lower()


def importable_columns(
    info: TableInfo, hidden: Iterable[str], mode: str = "insert"
) -> list[str]:
    """Columns an import may set: not hidden, not server-managed; in upsert mode
    also generated key columns (to find the rows to update, never inserted)."""
    hidden = set(hidden)
    names = [
        name
        for name, col_info in info.columns.items()
        if name not in hidden and column_rule(col_info).editable(creating=True)
    ]
    if mode == "upsert":
        keys = [n for n in info.primary_key if n not in names and n not in hidden]
        names = keys + names
    return names


def auto_mapping(
    headers: Sequence[str], info: TableInfo, hidden: Iterable[str], mode: str = "insert"
) -> dict[str, str]:
    """header -> column for headers that match a column name or label ("" = skip)."""
    targets = {}
    for name in importable_columns(info, hidden, mode):
        targets.setdefault(_norm(name), name)
        targets.setdefault(_norm(info.columns[name].label), name)
    return {h: targets.get(_norm(h), "") for h in headers}


def ignored_headers(
    info: TableInfo,
    hidden: Iterable[str],
    headers: Sequence[str],
    mapping: Mapping[str, str],
    mode: str = "insert",
) -> list[Problem]:
    """Skipped headers that name a column the form shows read-only (identity,
    computed, rowversion, binary...), with the reason: said, not silently dropped
    (an exported file carries them)."""
    hidden = set(hidden)
    allowed = set(importable_columns(info, hidden, mode))
    names: dict[str, str] = {}
    for name, col_info in info.columns.items():
        if name not in hidden and name not in allowed:
            names.setdefault(_norm(name), name)
            names.setdefault(_norm(col_info.label), name)
    ignored = []
    for header in headers:
        target = names.get(_norm(header))
        if target is not None and not mapping.get(header):
            reason = column_rule(info.columns[target]).read_only_reason(True)
            label = info.columns[target].label
            ignored.append(Problem(0, header, f"not imported: {label} {reason}"))
    return ignored


# --- one value ---------------------------------------------------------------------


BadCell = BadInput  # a cell that is not a valid value for its column


def converter(info: TableInfo, name: str) -> Callable[[str], Any]:
    """A function turning a cell into the column's value (None for empty), or
    raising BadCell: the column rule the forms use (app.catalog.columns)."""
    return column_rule(info.columns[name]).converter(creating=True)


@dataclass
class Plan:
    """What the header and mapping decide: target columns, converters, and which
    key, unique and foreign-key column sets the rows carry."""

    columns: list[str]  # target column of each used cell, in file order
    indexes: list[int]  # the cell index feeding each target
    converters: list[Callable[[str], Any]]
    width: int
    pk: list[str]
    pk_at: list[int] | None  # positions of the key columns in a typed row
    uniques: list[tuple[tuple[str, ...], list[int]]]
    references: list[tuple[Any, list[str], list[int]]]


def plan(
    info: TableInfo,
    hidden: Iterable[str],
    headers: Sequence[str],
    mapping: Mapping[str, str],
    mode: str,
    checked: Checked,
) -> Plan | None:
    """Check the mapping (problems go to ``checked``); the Plan, or None if refused."""
    table = info.table
    hidden = set(hidden)
    allowed = set(importable_columns(info, hidden, mode))
    generated_pk = [n for n in info.primary_key if writes.server_managed(table.c[n])]
    used: dict[int, str] = {}
    for index, header in enumerate(headers):
        target = mapping.get(header, "")
        if not target:
            continue
        if target not in allowed:
            if target in hidden or target not in info.columns:
                why = "is not a column of this table"
            else:  # as the form shows it read-only (app.catalog.columns)
                reason = column_rule(info.columns[target]).read_only_reason(True)
                why = f"{reason or 'is not editable'}, so it cannot be imported"
            checked.add(0, header, f"{target!r} {why}")
            continue
        if target in used.values():
            checked.add(0, header, f"{target!r} is mapped twice")
            continue
        used[index] = target
    pk = list(info.primary_key)
    if mode == "upsert" and not all(n in used.values() for n in pk):
        checked.add(0, ", ".join(pk), "upsert needs every key column in the file")
    required = [
        n
        for n in allowed
        if column_rule(info.columns[n]).required(creating=True)
        and n not in generated_pk
    ]
    checked.ignored = ignored_headers(info, hidden, headers, mapping, mode)
    for name in required:
        if name not in used.values() and mode == "insert":
            checked.add(0, info.columns[name].label, "a required column is missing")
    if checked.total_problems:
        return None
    columns = list(used.values())
    at = {name: i for i, name in enumerate(columns)}
    uniques = [
        (cols, [at[c] for c in cols])
        for cols in writes.unique_sets(table)
        if cols != tuple(pk) and all(c in at for c in cols)
    ]
    references = []
    for cons in table.foreign_key_constraints:
        names = list(cons.column_keys)
        if all(n in at for n in names):
            references.append((cons, names, [at[n] for n in names]))
    return Plan(
        columns=columns,
        indexes=list(used),
        converters=[converter(info, n) for n in columns],
        width=len(headers),
        pk=pk,
        pk_at=[at[n] for n in pk] if all(n in at for n in pk) else None,
        uniques=uniques,
        references=references,
    )


def typed_rows(
    parsed: ParsedFile, the_plan: Plan, checked: Checked | None = None
) -> Iterator[tuple[int, tuple | None]]:
    """(row number, typed values in ``plan.columns`` order) for every data row; None
    for a row with problems (reported to ``checked``, or BadCell when it is None)."""
    pairs = list(zip(the_plan.indexes, the_plan.converters, strict=True))
    width = the_plan.width
    headers = parsed.headers
    converters = the_plan.converters
    # The used cells in one C call, each through its converter (operator.call)
    # (itemgetter of one index gives a bare cell: ask for it twice, map stops at
    # the shorter list of converters)
    pick = operator.itemgetter(*the_plan.indexes, *the_plan.indexes[:1])
    call = operator.call
    for number, cells in enumerate(parsed.rows, start=1):
        if len(cells) != width:
            if checked is None:
                raise BadCell(f"row {number} has {len(cells)} fields")
            checked.add(number, "", f"has {len(cells)} fields; the header has {width}")
            yield number, None
            continue
        try:
            yield number, tuple(map(call, converters, pick(cells)))
        except BadCell:
            if checked is None:
                raise
            for index, func in pairs:  # the slow path: name every bad cell
                try:
                    func(cells[index])
                except BadCell as exc:
                    checked.add(number, headers[index], str(exc))
            yield number, None
