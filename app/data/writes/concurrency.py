"""Optimistic concurrency: the WHERE terms proving a row is still as the caller saw
it (rowversion when the table has one, else each original column, NULL-safe)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam

from app.data.writes.keys import rowversion_column, table_key
from app.mssql_types import OpaqueSqlType, is_legacy_lob, lob_unchanged

# Types never used as originals: CLR types (never written). Legacy LOBs (xml, text,
# ntext, image) cannot be compared with "=" and are compared by hash instead.
UNCOMPARABLE = (OpaqueSqlType,)


def original_shape(table: Table, original: Mapping[str, Any]) -> tuple:
    """Which originals the concurrency predicate compares, and which are NULL."""
    rv = rowversion_column(table)
    if rv is not None:
        if rv.name not in original:
            raise ValueError(f"the original {rv.name} of {table_key(table)} is missing")
        return (("rv", rv.name),)
    shape = []
    for name, value in original.items():
        col = table.c.get(name)
        if col is None or col.primary_key or isinstance(col.type, UNCOMPARABLE):
            continue
        shape.append((name, value is None))
    return tuple(shape)


def original_terms(table: Table, shape: tuple) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = []
    for i, (name, is_null) in enumerate(shape):
        if name == "rv":
            col = table.c[is_null]  # ("rv", column name)
            terms.append(col == bindparam(f"tf_orig_{i}", type_=col.type))
            continue
        col = table.c[name]
        if is_null:
            terms.append(col.is_(None))
        elif is_legacy_lob(col.type):
            terms.append(lob_unchanged(col, f"tf_orig_{i}"))
        else:
            terms.append(col == bindparam(f"tf_orig_{i}", type_=col.type))
    return terms


def original_params(shape: tuple, original: Mapping[str, Any]) -> dict[str, Any]:
    params = {}
    for i, (name, is_null) in enumerate(shape):
        if name == "rv":
            params[f"tf_orig_{i}"] = original[is_null]
        elif not is_null:
            params[f"tf_orig_{i}"] = original[name]
    return params


def concurrency_predicate(
    table: Table, original: Mapping[str, Any]
) -> list[ColumnElement[bool]]:
    """The WHERE terms that prove the row is still as the caller saw it."""
    rv = rowversion_column(table)
    if rv is not None:
        if rv.name not in original:
            raise ValueError(f"the original {rv.name} of {table_key(table)} is missing")
        return [rv == original[rv.name]]
    terms: list[ColumnElement[bool]] = []
    for name, value in original.items():
        col = table.c.get(name)
        if col is None or col.primary_key or isinstance(col.type, UNCOMPARABLE):
            continue
        if value is not None and is_legacy_lob(col.type):
            terms.append(lob_unchanged(col, None, value))
            continue
        terms.append(col.is_(None) if value is None else col == value)
    return terms
