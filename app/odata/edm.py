"""EDM types of catalog columns, and values in OData JSON.

Datetime columns are Edm.DateTimeOffset (OData v4 has no Edm.DateTime); a naive
value is served as the stored wall-clock time with ``Z``, so Excel shows the digits
the database holds. Binary columns are left out of the feed. Decimals are written as
JSON numbers with every digit (never through a float).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger

from app.catalog import ColumnInfo

_KIND_TYPES = {
    "bool": "Edm.Boolean",
    "float": "Edm.Double",
    "date": "Edm.Date",
    "datetime": "Edm.DateTimeOffset",
    "time": "Edm.TimeOfDay",
    "guid": "Edm.Guid",
    "text": "Edm.String",
    "longtext": "Edm.String",
    "other": "Edm.String",
}


def _base(column: ColumnInfo) -> Any:
    type_ = column.column.type
    return getattr(type_, "impl_instance", type_)


def edm_type(column: ColumnInfo) -> str | None:
    """The EDM type of ``column``; None for columns the feed leaves out (binary)."""
    kind = column.kind
    if kind == "binary":
        return None
    if kind == "int":
        type_ = _base(column)
        name = type(type_).__name__.upper()
        if name == "TINYINT":
            return "Edm.Byte"
        if isinstance(type_, SmallInteger):
            return "Edm.Int16"
        if isinstance(type_, BigInteger):
            return "Edm.Int64"
        return "Edm.Int32" if isinstance(type_, Integer) else "Edm.Int64"
    if kind in ("decimal", "money"):
        return "Edm.Decimal"
    return _KIND_TYPES.get(kind, "Edm.String")


def facets(column: ColumnInfo) -> dict[str, str]:
    """Precision/Scale of decimals (money is DECIMAL(19,4)), MaxLength of text."""
    type_ = _base(column)
    if column.kind == "money":
        small = type(type_).__name__.upper() == "SMALLMONEY"
        return {"Precision": "10" if small else "19", "Scale": "4"}
    if column.kind == "decimal":
        precision = getattr(type_, "precision", None)
        scale = getattr(type_, "scale", None)
        out = {"Precision": str(precision or 38)}
        out["Scale"] = str(scale if scale is not None else "variable")
        return out
    if column.is_string:
        length = getattr(type_, "length", None)
        return {"MaxLength": str(length) if length else "max"}
    return {}


def feed_columns(columns: list[ColumnInfo]) -> list[ColumnInfo]:
    """The columns the feed serves: all but binary ones (names that are not OData
    identifiers are served under ``property_name``)."""
    return [c for c in columns if edm_type(c) is not None]


_string = json.encoder.encode_basestring_ascii  # the C encoder json.dumps uses


def _datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        return '"' + value.isoformat() + '"'
    return '"' + value.isoformat() + 'Z"'


def _decimal(value: decimal.Decimal) -> str:
    return "null" if not value.is_finite() else format(value, "f")


def _float(value: float) -> str:
    if math.isfinite(value):
        return repr(value)
    return '"NaN"' if math.isnan(value) else ('"INF"' if value > 0 else '"-INF"')


ENCODERS: dict[type, Callable[[Any], str]] = {
    str: _string,
    int: str,
    bool: lambda v: "true" if v else "false",
    float: _float,
    decimal.Decimal: _decimal,
    dt.datetime: _datetime,
    dt.date: lambda v: '"' + v.isoformat() + '"',
    dt.time: lambda v: '"' + v.isoformat() + '"',
    uuid.UUID: lambda v: '"' + str(v) + '"',
    type(None): lambda v: "null",
}


def encode(value: Any) -> str:
    """``value`` as OData JSON text."""
    encoder = ENCODERS.get(type(value))
    if encoder is None:
        return _string(str(value))
    return encoder(value)
