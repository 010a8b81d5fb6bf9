"""JSON row writes: POST, PATCH and DELETE with ETags, audited like the forms.

JSON only, same-origin only: a browser cannot send ``application/json`` cross-site
without a CORS preflight, which this app never answers, and a request that says it
comes from another origin is refused outright. CSRF tokens are therefore not used
here (a script has none).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, jsonify, render_template, request

from app.api.bodies import column_values, require_json, row_json
from app.api.etags import make_etag, read_etag
from app.api.openapi import openapi_document
from app.catalog import get_catalog
from app.catalog.entity_sets import set_names
from app.catalog.parse import BadValue
from app.data import writes
from app.data.scope import Scope, open_scope
from app.data.values import decode_row_key, encode_row_key
from app.errors import AppError
from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


@bp.before_request
def same_origin_only() -> None:
    """Refuse a request a browser marks as cross-site."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        raise AppError(403, "Cross-origin refused", "This API is same-origin only.")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise AppError(403, "Cross-origin refused", "This API is same-origin only.")


def _scope(name: str, action: str) -> Scope:
    key = set_names(get_catalog()).get(name)
    if key is None:
        raise AppError(404, detail=f"There is no table {name!r} here.")
    return open_scope(g.identity, get_catalog(), key, action)


def _pk(scope: Scope, row_key: str) -> dict[str, Any]:
    names = scope.info.primary_key
    if not names:
        raise AppError(404, detail=f"{scope.info.label} has no key.")
    try:
        values = decode_row_key([scope.info.columns[n] for n in names], row_key)
    except BadValue:
        raise AppError(404, "Row not found", "There is no such row.") from None
    return dict(zip(names, values, strict=True))


def _row_response(scope: Scope, pk: dict, status: int = 200) -> Response:
    row = writes.read(scope, pk, "read")
    if row is None:
        raise AppError(404, "Row not found", "There is no such row.")
    key = encode_row_key(list(pk.values()))
    response = jsonify(row_json(scope, row))
    response.status_code = status
    response.headers["ETag"] = make_etag(scope, key, row)
    response.headers["Location"] = f"{request.script_root}/api/{_name(scope)}/{key}"
    return response


def _name(scope: Scope) -> str:
    return next(n for n, k in set_names(get_catalog()).items() if k == scope.info.key)


def _require_row(scope: Scope, pk: dict, action: str) -> None:
    """404 for a row that is missing or outside the caller's row filter (before
    any If-Match check, so both answer alike)."""
    if writes.read(scope, pk, action) is None:
        raise AppError(404, "Row not found", "There is no such row.")


def _refused(exc: writes.WriteError) -> AppError:
    return AppError(422, "Not saved", str(exc) or "The row was not saved.")


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of what this caller may do."""
    server = request.host_url.rstrip("/") + request.script_root
    return jsonify(openapi_document(g.identity, get_catalog(), server))


@bp.get("/docs")
def docs() -> str:
    """A page that reads the caller's OpenAPI document (no external assets)."""
    server = request.host_url.rstrip("/") + request.script_root
    document = openapi_document(g.identity, get_catalog(), server)
    return render_template("api/docs.html", document=document)


@bp.get("/<name>/<row_key>")
def detail(name: str, row_key: str) -> Response:
    """One row as JSON with its ETag."""
    scope = _scope(name, "read")
    return _row_response(scope, _pk(scope, row_key))


@bp.post("/<name>")
def create(name: str) -> Response:
    """Insert one row from a JSON object; 201 with its ETag."""
    scope = _scope(name, "create")
    values = column_values(scope, require_json(request), creating=True)
    try:
        pk = writes.insert(scope, values)
    except (writes.FieldErrors, writes.OutsideFilter) as exc:
        raise _refused(exc) from None
    return _row_response(scope, pk, 201)


@bp.patch("/<name>/<row_key>")
def edit(name: str, row_key: str) -> Response:
    """Change the named columns if the row still matches If-Match; 412 with the
    current row otherwise."""
    scope = _scope(name, "update")
    pk = _pk(scope, row_key)
    values = column_values(scope, require_json(request), creating=False)
    _require_row(scope, pk, "update")
    original = read_etag(scope, row_key, request.headers.get("If-Match"))
    try:
        writes.update(scope, pk, values, original)
    except writes.Conflict as exc:
        response = jsonify(
            {"error": "changed", "current": row_json(scope, exc.current)}
        )
        response.status_code = 412
        response.headers["ETag"] = make_etag(scope, row_key, exc.current)
        return response
    except writes.RowGone:
        raise AppError(404, "Row not found", "The row was deleted meanwhile.") from None
    except (writes.FieldErrors, writes.OutsideFilter) as exc:
        raise _refused(exc) from None
    return _row_response(scope, pk)


@bp.delete("/<name>/<row_key>")
def delete(name: str, row_key: str) -> Response:
    """Delete the row if it still matches If-Match."""
    scope = _scope(name, "delete")
    pk = _pk(scope, row_key)
    _require_row(scope, pk, "delete")
    original = read_etag(scope, row_key, request.headers.get("If-Match"))
    try:
        writes.delete(scope, pk, original)
    except writes.Conflict as exc:
        response = jsonify(
            {"error": "changed", "current": row_json(scope, exc.current)}
        )
        response.status_code = 412
        return response
    except writes.RowGone:
        raise AppError(404, "Row not found", "The row was deleted meanwhile.") from None
    except writes.DeleteRefused as exc:
        raise AppError(409, "Not deleted", str(exc)) from None
    return Response(status=204)
