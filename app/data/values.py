"""Typed values: tagging for page tokens, row keys (parsing: app.catalog.parse).

Row keys in URLs use tilde-encoding (as Datasette does): every character outside
``A-Z a-z 0-9 _ - .`` becomes ``~XX`` per UTF-8 byte, and the parts of a composite key
are joined with ``,``. The result never contains ``/``, ``%`` or ``,`` of its own, so it
survives the web server's URL decoding and splits unambiguously.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Sequence
from typing import Any

from app.catalog import ColumnInfo
from app.catalog.parse import BadValue, parse_value  # also imported from here

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")


def tag(value: Any) -> Any:
    """A JSON-safe form of a column value (for signed page tokens)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return {"d": str(value)}
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"da": value.isoformat()}
    if isinstance(value, dt.time):
        return {"ti": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"b": bytes(value).hex()}
    return {"s": str(value)}


_UNTAG = {
    "d": decimal.Decimal,
    "dt": dt.datetime.fromisoformat,
    "da": dt.date.fromisoformat,
    "ti": dt.time.fromisoformat,
    "u": uuid.UUID,
    "b": bytes.fromhex,
    "s": str,
}


def untag(value: Any) -> Any:
    """Reverse of ``tag``; ValueError on anything it did not produce."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((name, raw),) = value.items()
        if name in _UNTAG and isinstance(raw, str):
            return _UNTAG[name](raw)
    raise ValueError("not a tagged value")


def _key_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def tilde_encode(text: str) -> str:
    """Tilde-encode one key part."""
    if _SAFE.issuperset(text):  # the usual case (integer keys, codes): as it is
        return text
    out = []
    for ch in text:
        if ch in _SAFE:
            out.append(ch)
        else:
            out.extend(f"~{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def tilde_decode(text: str) -> str:
    """Reverse ``tilde_encode``; ValueError on a malformed escape."""
    if "~" not in text:
        return text
    data = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "~":
            pair = text[i + 1 : i + 3]
            if len(pair) != 2:
                raise ValueError("truncated ~ escape")
            data.append(int(pair, 16))
            i += 3
        else:
            data.extend(ch.encode("utf-8"))
            i += 1
    return data.decode("utf-8")


def encode_row_key(values: Sequence[Any]) -> str:
    """The URL form of a primary key's values (one part per key column)."""
    if len(values) == 1 and type(values[0]) is int:
        return str(values[0])
    return ",".join(tilde_encode(_key_text(v)) for v in values)


def decode_row_key(columns: Sequence[ColumnInfo], text: str) -> list[Any]:
    """Typed key values from the URL form, or BadValue."""
    parts = text.split(",")
    if len(parts) != len(columns):
        raise BadValue(f"expected {len(columns)} key part(s), got {len(parts)}")
    try:
        raw = [tilde_decode(p) for p in parts]
    except (ValueError, UnicodeDecodeError):
        raise BadValue("malformed row key") from None
    values = []
    for column, part in zip(columns, raw, strict=True):
        if column.kind == "binary":
            try:
                values.append(bytes.fromhex(part))
            except ValueError:
                raise BadValue("malformed binary key") from None
        else:
            values.append(parse_value(column, part))
    return values
