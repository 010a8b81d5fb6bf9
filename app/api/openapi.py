"""The OpenAPI 3.1 document of the JSON API, filtered to one caller.

Only tables the caller may read appear, only the operations their grants allow, and
only the columns they may see (and, in request bodies, set).
"""

from __future__ import annotations

from typing import Any

from app.catalog import Catalog, ColumnInfo
from app.catalog.entity_sets import set_name
from app.data.scope import Scope, peek_scope
from app.data.writes import editable_columns
from app.identity import Identity

_KINDS: dict[str, dict[str, Any]] = {
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    # Decimals are written as text to keep every digit (numbers are accepted).
    "decimal": {"type": ["string", "number"]},
    "money": {"type": ["string", "number"]},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string"},
    "time": {"type": "string"},
    "guid": {"type": "string", "format": "uuid"},
}
ERROR = {"$ref": "#/components/schemas/Error"}


def _property(column: ColumnInfo) -> dict[str, Any]:
    schema = dict(_KINDS.get(column.kind, {"type": "string"}))
    if column.label:
        schema["description"] = column.label
    if column.nullable:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*kinds, "null"]
    return schema


def _object(columns: list[ColumnInfo], required: list[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {c.name: _property(c) for c in columns},
        "required": list(required),
        "additionalProperties": False,
    }


def _responses(ok: str, schema: str | None) -> dict[str, Any]:
    responses: dict[str, Any] = {
        ok: {"description": "Done"},
        "400": {"description": "Bad input", "content": _json(ERROR)},
        "403": {"description": "Not allowed", "content": _json(ERROR)},
        "404": {"description": "No such row", "content": _json(ERROR)},
    }
    if schema:
        responses[ok]["content"] = _json({"$ref": f"#/components/schemas/{schema}"})
    return responses


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _paths(scope: Scope, name: str, schemas: dict[str, Any]) -> dict[str, Any]:
    info = scope.info
    schemas[name] = _object(scope.visible)
    paths: dict[str, Any] = {}
    key_param = {
        "name": "row_key",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "The row key as in the page URLs (parts joined by commas).",
    }
    etag = {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
    }
    if scope.can("create"):
        columns = editable_columns(scope.table, scope.hidden, creating=True)
        infos = [info.columns[c.name] for c in columns]
        required = [
            c.name
            for c in columns
            if not c.nullable
            and c.server_default is None
            and c.table.autoincrement_column is not c
        ]
        schemas[f"{name}_new"] = _object(infos, required)
        paths[f"/api/{name}"] = {
            "post": {
                "operationId": f"create_{name}",
                "summary": f"Create a row of {info.label}",
                "requestBody": {
                    "required": True,
                    "content": _json({"$ref": f"#/components/schemas/{name}_new"}),
                },
                "responses": {
                    **_responses("201", name),
                    "415": {"description": "Not JSON"},
                },
            }
        }
    if not info.primary_key:
        return paths
    item: dict[str, Any] = {
        "parameters": [key_param],
        "get": {
            "operationId": f"get_{name}",
            "summary": f"One row of {info.label}, with its ETag",
            "responses": _responses("200", name),
        },
    }
    if scope.can("update"):
        columns = editable_columns(scope.table, scope.hidden)
        schemas[f"{name}_change"] = _object([info.columns[c.name] for c in columns])
        item["patch"] = {
            "operationId": f"update_{name}",
            "summary": f"Change a row of {info.label} (If-Match: its ETag)",
            "parameters": [etag],
            "requestBody": {
                "required": True,
                "content": _json({"$ref": f"#/components/schemas/{name}_change"}),
            },
            "responses": {
                **_responses("200", name),
                "412": {"description": "Changed meanwhile: the current row"},
                "428": {"description": "If-Match missing"},
            },
        }
    if scope.can("delete"):
        item["delete"] = {
            "operationId": f"delete_{name}",
            "summary": f"Delete a row of {info.label} (If-Match: its ETag)",
            "parameters": [etag],
            "responses": {
                **_responses("204", None),
                "409": {"description": "Other rows point at it"},
                "412": {"description": "Changed meanwhile"},
                "428": {"description": "If-Match missing"},
            },
        }
    paths[f"/api/{name}/{{row_key}}"] = item
    return paths


def openapi_document(identity: Identity | None, catalog: Catalog, server: str) -> dict:
    """The caller's OpenAPI 3.1 document."""
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {"error": {"type": "object"}},
        }
    }
    paths: dict[str, Any] = {}
    for key in catalog.tables:
        scope = peek_scope(identity, catalog, key)
        if scope is not None:
            paths.update(_paths(scope, set_name(key), schemas))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tablefront JSON API",
            "version": "1",
            "description": "Rows you may change, as JSON. Writes need "
            "Content-Type: application/json; PATCH and DELETE need If-Match.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
