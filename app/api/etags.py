"""ETags of API rows: the signed originals that prove a row unchanged.

The tag carries the rowversion when the table has one, else the editable values
the caller saw (what the edit form's original token carries); ``If-Match`` sends it
back and the data layer's concurrency predicate decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app import signing
from app.data.scope import Scope
from app.data.values import tag, untag
from app.data.writes import editable_columns, rowversion_column
from app.errors import AppError

PURPOSE = "etag"  # app.signing's purpose (and salt) of API ETags


def originals(scope: Scope, row: Mapping[str, Any]) -> dict[str, Any]:
    """What proves ``row`` unchanged for this caller."""
    rv = rowversion_column(scope.table)
    if rv is not None:
        return {rv.name: row[rv.name]}
    return {c.name: row[c.name] for c in editable_columns(scope.table, scope.hidden)}


def make_etag(scope: Scope, row_key: str, row: Mapping[str, Any]) -> str:
    """The quoted ETag of ``row``."""
    values = {k: tag(v) for k, v in originals(scope, row).items()}
    return '"' + signing.sign(PURPOSE, [scope.info.key, row_key, values]) + '"'


def read_etag(scope: Scope, row_key: str, header: str | None) -> dict[str, Any]:
    """The originals of an If-Match header; 428 when missing, 412 when forged or
    for another row."""
    if not header:
        raise AppError(
            428,
            "If-Match required",
            "Send the row's ETag in If-Match (GET the row first).",
        )
    text = header.strip().removeprefix("W/").strip('"')
    try:
        key, tagged_key, values = signing.unsign(PURPOSE, text)
        if key != scope.info.key or tagged_key != row_key:
            raise ValueError
        return {k: untag(v) for k, v in values.items()}
    except (signing.BadToken, ValueError, TypeError, AttributeError):
        raise AppError(
            412, "ETag not valid", "The If-Match value is not this row's ETag."
        ) from None
