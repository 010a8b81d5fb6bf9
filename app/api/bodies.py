"""JSON request bodies as column values, parsed by the catalog's column rules."""

from __future__ import annotations

from typing import Any

from flask import Request

from app.catalog.parse import BadValue, parse_value
from app.data.scope import Scope
from app.data.writes import editable_columns, json_value
from app.errors import AppError

JSON_TYPES = ("application/json",)


def require_json(request: Request) -> dict[str, Any]:
    """The body as a JSON object; 415 for any other content type, 400 if not one."""
    if request.mimetype not in JSON_TYPES:
        raise AppError(
            415,
            "JSON only",
            "Send the row as JSON with Content-Type: application/json.",
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise AppError(400, "Not a JSON object", "The body must be a JSON object.")
    return body


def column_values(scope: Scope, body: dict[str, Any], *, creating: bool) -> dict:
    """Typed values of the editable columns named in ``body``; 400 otherwise."""
    allowed = {
        c.name for c in editable_columns(scope.table, scope.hidden, creating=creating)
    }
    values: dict[str, Any] = {}
    problems = []
    for name, raw in body.items():
        if name not in allowed:
            problems.append(f"{name!r} is not a column you can set here")
            continue
        column = scope.info.columns[name]
        if raw is None:
            values[name] = None
        elif column.kind == "bool" and isinstance(raw, bool):
            values[name] = raw
        elif isinstance(raw, dict | list):
            problems.append(f"{name}: expected a single value")
        else:
            try:
                values[name] = parse_value(column, str(raw))
            except BadValue as exc:
                problems.append(f"{name}: {exc}")
    if problems:
        raise AppError(400, "Bad row", "; ".join(problems) + ".")
    return values


def row_json(scope: Scope, row: dict[str, Any]) -> dict[str, Any]:
    """The visible columns of ``row`` as JSON values."""
    return {c.name: json_value(row.get(c.name)) for c in scope.visible}
