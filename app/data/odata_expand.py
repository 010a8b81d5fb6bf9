"""``$expand`` one level along foreign keys, both ways, under the target's Scope.

A row expands to its parent (the row its single-column FK points at: one object or
null) or to a child collection (the rows of another table whose FK points at it).
Only tables the caller may read are navigable, along columns visible on both sides;
the target's row filter applies and its hidden columns are absent. A child
collection holds at most ``CHILD_ROWS_CAP`` rows per parent, in the child's key
order; a longer one ends with ``<name>@odata.nextLink`` to the child entity set.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from app.catalog import ColumnInfo
from app.catalog.entity_sets import property_columns, property_name, set_name
from app.data.scope import Scope, peek_scope

CHILD_ROWS_CAP = 100
IN_CHUNK = 2_000  # expand lookups stay under SQL Server's 2,100 parameters


@dataclass(frozen=True)
class Navigation:
    """One navigation property: ``local`` values here match ``remote`` there."""

    name: str
    local: ColumnInfo  # the column of this table whose values are looked up
    target: Scope
    remote: str  # the matching column of the target table
    many: bool = False  # a child collection (else the one parent row)


@dataclass
class Expansion:
    """The expanded rows of one navigation for a page: per page row, one row (or
    None), or a list of child rows and whether more were left out."""

    navigation: Navigation
    columns: list[ColumnInfo]
    rows: list[Any]
    more: list[bool]
    keys: list[Any]  # the ``local`` value of each page row


def _parents(scope: Scope, taken: set[str]) -> dict[str, Navigation]:
    result = {}
    for column in scope.visible:
        if column.fk is None:
            continue
        target = peek_scope(scope.identity, scope.catalog, column.fk.ref_key)
        if target is None or column.fk.ref_columns[0] in target.hidden:
            continue
        prop = property_name(column.name)
        base = prop[:-3] if prop.endswith("_id") else prop
        name = base if base and base not in taken else f"{prop}_ref"
        result[name] = Navigation(name, column, target, column.fk.ref_columns[0])
    return result


def _children(scope: Scope, taken: set[str]) -> dict[str, Navigation]:
    refs = [r for r in scope.info.referenced_by if len(r.child_columns) == 1]
    per_child = Counter(r.child_key for r in refs)
    result = {}
    for ref in refs:
        here, there = ref.columns[0], ref.child_columns[0]
        if here in scope.hidden:
            continue
        child = peek_scope(scope.identity, scope.catalog, ref.child_key)
        if child is None or there in child.hidden:
            continue
        name = set_name(ref.child_key)
        # Two FKs from one child table (or a clash) are told apart by the column.
        if per_child[ref.child_key] > 1 or name in taken:
            name = f"{name}_by_{property_name(there)}"
        if name in taken or name in result:
            continue
        local = scope.info.columns[here]
        result[name] = Navigation(name, local, child, there, many=True)
    return result


def navigations(scope: Scope) -> dict[str, Navigation]:
    """Every navigation property of ``scope``'s table the caller may follow: parents
    first, then child collections."""
    taken = set(property_columns(tuple(scope.info.columns)))
    parents = _parents(scope, taken)
    return {**parents, **_children(scope, taken | set(parents))}


def partner(navigation: Navigation, source: Scope) -> str | None:
    """The navigation of the target table that leads back along the same FK."""
    for back in navigations(navigation.target).values():
        same_fk = back.local.name == navigation.remote and back.remote == (
            navigation.local.name
        )
        if (
            same_fk
            and back.target.info.key == source.info.key
            and back.many != (navigation.many)
        ):
            return back.name
    return None


def _lookup(navigation: Navigation, wanted: list[Any], connection: Connection):
    target = navigation.target
    table = target.table
    names = list(dict.fromkeys(c.name for c in target.visible))
    key = table.c[navigation.remote]
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        where = [key.in_(chunk)]
        if target.row_filter is not None:
            where.append(target.row_filter)
        if not navigation.many:
            stmt = select(key.label("tf_key"), *(table.c[n] for n in names))
            yield from connection.execute(stmt.where(*where))
            continue
        order = [table.c[k] for k in target.info.order_key]
        number = func.row_number().over(partition_by=key, order_by=order)
        inner = (
            select(key.label("tf_key"), *(table.c[n] for n in names))
            .add_columns(number.label("tf_row"))
            .where(*where)
            .subquery()
        )
        stmt = (
            select(*(c for c in inner.c if c.name != "tf_row"))
            .where(inner.c.tf_row <= CHILD_ROWS_CAP + 1)
            .order_by(inner.c.tf_key, inner.c.tf_row)
        )
        yield from connection.execute(stmt)


def expand(
    navigation: Navigation, values: list[Any], connection: Connection
) -> Expansion:
    """The rows ``values`` (of ``navigation.local``, one per page row) lead to."""
    columns = navigation.target.visible
    wanted = list(dict.fromkeys(v for v in values if v is not None))
    found: dict[Any, list[tuple]] = {}
    for row in _lookup(navigation, wanted, connection):
        found.setdefault(row[0], []).append(tuple(row[1:]))
    if not navigation.many:
        rows = [found[v][0] if v in found else None for v in values]
        return Expansion(navigation, columns, rows, [False] * len(values), values)
    lists = [found.get(v, []) if v is not None else [] for v in values]
    more = [len(children) > CHILD_ROWS_CAP for children in lists]
    kept = [children[:CHILD_ROWS_CAP] for children in lists]
    return Expansion(navigation, columns, kept, more, values)
