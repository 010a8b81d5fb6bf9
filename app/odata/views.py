"""The OData v4 feed: service document, $metadata, entity sets and entities."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    request,
)

from app.catalog import get_catalog
from app.catalog.entity_sets import check_names, set_name, set_names
from app.data.odata_feed import entity, feed_page
from app.data.odata_query import ODataError, parse_key
from app.data.scope import open_scope
from app.errors import AppError, error_format
from app.odata.budget import budget_for, retry_after
from app.odata.csdl import metadata_xml, readable_scopes
from app.odata.list_link import feed_link
from app.odata.options import feed_query, max_page_size
from app.odata.payload import entity_text, page_body

bp = Blueprint("odata", __name__, url_prefix="/odata")
JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true"
CODES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    429: "TooManyRequests",
    501: "NotImplemented",
    503: "ServiceUnavailable",
}
_RESOURCE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$", re.DOTALL)


@bp.record_once
def _check_names(state) -> None:
    """Refuse to start when two tables would share an entity-set name."""
    with state.app.app_context():
        check_names(get_catalog())


@bp.record_once
def _error_format(state) -> None:
    """Every error under /odata answers in the OData error format."""
    error_format(state.app, bp.url_prefix, odata_error)


@bp.app_template_filter("odata_set_name")
def odata_set_name(key: str) -> str:
    """The entity-set name of table ``key``, for templates (the list's panel)."""
    return set_name(key)


@bp.before_request
def spend_budget() -> Response | None:
    """429 with Retry-After once the caller's request budget is spent."""
    login = g.identity.login.lower() if g.get("identity") else ""
    wait = budget_for(current_app).take(login)
    if not wait:
        return None
    response = odata_error(
        ODataError(
            429,
            "TooManyRequests",
            "Too many feed requests in a short time; wait and refresh again.",
        )
    )
    response.headers["Retry-After"] = retry_after(wait)
    return response


def _headers(response: Response) -> Response:
    response.headers["OData-Version"] = "4.0"
    return response


def _root() -> str:
    return request.host_url.rstrip("/") + request.script_root + "/odata/"


@bp.get("/")
def index() -> Response:
    """The service document: one entity set per readable table or view."""
    names = [set_name(s.info.key) for s in readable_scopes(g.identity, get_catalog())]
    body = json.dumps(
        {
            "@odata.context": _root() + "$metadata",
            "value": [{"name": n, "kind": "EntitySet", "url": n} for n in names],
        }
    )
    return _headers(Response(body, content_type=JSON_TYPE))


@bp.get("/$metadata")
def metadata() -> Response:
    """CSDL XML for this caller."""
    xml = metadata_xml(g.identity, get_catalog())
    return _headers(Response(xml, content_type="application/xml"))


def _table_key(name: str) -> str:
    key = set_names(get_catalog()).get(name)
    if key is None:
        raise ODataError(404, "NotFound", f"There is no entity set {name!r} here.")
    return key


@bp.get("/-/link/<schema>/<table>")
def link(schema: str, table: str) -> Response:
    """The feed URL and M line of a list page's view (its query string)."""
    scope = open_scope(g.identity, get_catalog(), f"{schema}.{table}", "read")
    found = feed_link(scope, request.args, _root())
    return jsonify({"url": found.url, "m": found.m, "notes": found.notes})


@bp.get("/<path:resource>")
def resource(resource: str) -> Response:
    """An entity set (a page of it) or one entity by key."""
    match = _RESOURCE.match(resource)
    if match is None:
        if "/" in resource:
            raise ODataError(
                501,
                "NotImplemented",
                f"The path segment in {resource!r} is not supported here.",
            )
        raise ODataError(404, "NotFound", f"There is nothing at {resource!r}.")
    name, key_text = match.groups()
    key = _table_key(name)
    catalog = get_catalog()
    query = feed_query(request.args, max_page_size(request.headers.get("Prefer", "")))
    context = _root() + "$metadata#" + name
    if key_text is not None:
        scope = open_scope(g.identity, catalog, key, "read")
        page = entity(g.identity, catalog, key, parse_key(scope, key_text), query)
        body = entity_text(page, context + "/$entity", _root())
        return _headers(Response(body, content_type=JSON_TYPE))
    page = feed_page(g.identity, catalog, key, query)
    next_link = None
    if page.next_token:
        args = {k: v for k, v in request.args.items() if k not in ("$skip",)}
        args["$skiptoken"] = page.next_token
        if page.remaining_top is not None:
            args["$top"] = str(page.remaining_top)
        next_link = _root() + name + "?" + urlencode(args)
    response = Response(
        page_body(page, context, next_link, _root()),
        content_type=JSON_TYPE,
    )
    if page.capped:
        limit = current_app.config.get("EXPORT_MAX_ROWS")
        response.headers["Preference-Applied"] = "odata.maxpagesize"
        response.headers["Warning"] = f'199 - "export row cap reached ({limit})"'
    return _headers(response)


def odata_error(error: AppError) -> Response:
    """The OData error format, with the pages' status meanings: every error under
    /odata (a database outage, an HTTP error, a bug, a 405 from routing) is written
    so, by app.errors' handlers (see ``_error_format``)."""
    code = getattr(error, "code", None) or CODES.get(error.status, "Error")
    body = json.dumps(
        {
            "error": {
                "code": code,
                "message": error.detail,
                "details": [],
                "innererror": {"request_id": str(g.get("request_id", "-"))},
            }
        }
    )
    response = Response(body, status=error.status, content_type="application/json")
    return _headers(response)
