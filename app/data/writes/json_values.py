"""Column values as JSON and back: audit rows, row keys, signed originals."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.types import LargeBinary

from app.catalog.columns import ROWVERSION_TYPES
from app.data.writes.keys import pk_columns


def json_value(value: Any) -> Any:
    """A JSON-friendly form of a column value (dates ISO, decimals and GUIDs as text,
    bytes as ``0x`` hex)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "0x" + bytes(value).hex().upper()
    return value


def _json_default(value: Any) -> Any:
    shown = json_value(value)
    if shown is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return shown


# The C encoder with a fallback for the few non-JSON types: same text as converting
# every value first, at a fraction of the cost (imports audit every row).
_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, default=_json_default
)


def dumps(values: Mapping[str, Any]) -> str:
    """Compact, deterministic JSON of column values."""
    return _ENCODER.encode(values if isinstance(values, dict) else dict(values))


def row_key(table: Table, pk: Mapping[str, Any]) -> str:
    """The audit log's key for a row: JSON of its primary key in key order."""
    return dumps({c.name: pk[c.name] for c in pk_columns(table)})


def python_value(col: Column, value: Any) -> Any:
    """The inverse of ``json_value`` for ``col``'s type (None stays None)."""
    if value is None:
        return None
    python_type: type | None
    try:
        python_type = col.type.python_type
    except NotImplementedError:
        python_type = None
    if isinstance(col.type, (*ROWVERSION_TYPES, LargeBinary)) or python_type is bytes:
        if isinstance(value, str) and value.startswith("0x"):
            return bytes.fromhex(value[2:])
        if isinstance(value, str):
            return base64.b64decode(value)
        return value
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if python_type is dt.date:
        return dt.date.fromisoformat(value)
    if python_type is dt.time:
        return dt.time.fromisoformat(value)
    if python_type is decimal.Decimal:
        return decimal.Decimal(value)
    if python_type is uuid.UUID:
        return uuid.UUID(str(value))
    return value


_JSON_BY_TYPE: dict[type, Callable[[Any], str]] = {
    decimal.Decimal: str,
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
    dt.time: dt.time.isoformat,
    uuid.UUID: str,
}


def _bulk_default(value: Any) -> Any:
    to_json = _JSON_BY_TYPE.get(type(value))
    return _json_default(value) if to_json is None else to_json(value)


def _bulk_dumps() -> Callable[[dict[str, Any]], str]:
    """``dumps`` for many dicts (the same text): the C encoder made once rather than
    per call, the usual non-JSON types looked up by exact type."""
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:  # no C accelerator (not CPython)
        return dumps
    encode = make(
        None,  # no check for circular references: column values are flat
        _bulk_default,
        json.encoder.encode_basestring,  # ensure_ascii=False, as _ENCODER
        None,
        ":",
        ",",
        False,
        False,
        True,
    )
    join = "".join

    def bulk_dumps(values: dict[str, Any]) -> str:
        return join(encode(values, 0))

    return bulk_dumps


bulk_dumps = _bulk_dumps()
