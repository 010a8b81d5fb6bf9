"""One application error type and one handler that renders HTML or JSON.

No response ever carries a traceback or SQL text: the details go to the log, the
user gets a title, a plain explanation and the request id to quote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import (
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
BUSY_RETRY_AFTER = 5  # seconds a "database busy" answer asks the client to wait

EXPLANATIONS = {
    400: ("Bad request", "The request could not be understood."),
    401: ("Not signed in", "The web server did not say who you are."),
    403: ("Not allowed", "You do not have permission to do this."),
    404: ("Not found", "There is nothing at this address. Check the link or go home."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Upload too large", "The file is larger than this site accepts."),
    500: (
        "Something went wrong",
        "An unexpected error occurred. Nothing was changed. If it happens again, "
        "send the request id below to your administrator.",
    ),
    "busy": (
        "Database busy",
        "The database is busy; try again in a few seconds. Nothing was changed.",
    ),
    503: (
        "Database unavailable",
        "The database could not be reached. Nothing was changed; try again in a "
        "minute. If it persists, send the request id below to your administrator.",
    ),
}


class AppError(Exception):
    """An error meant for the user: HTTP status, short title, plain detail."""

    def __init__(
        self, status: int, title: str | None = None, detail: str | None = None
    ):
        default_title, default_detail = EXPLANATIONS.get(status, ("Error", ""))
        super().__init__(title or default_title)
        self.status = status
        self.title = title or default_title
        self.detail = detail or default_detail


def wants_json() -> bool:
    """True when the client asked for JSON (API paths or an Accept header)."""
    if request.path.startswith("/api/") or request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > (request.accept_mimetypes["text/html"])
    )


def error_format(
    app: Flask, prefix: str, render: Callable[[AppError], Response]
) -> None:
    """Errors under the path ``prefix`` are written by ``render`` (the OData feed's
    format). Kept by path, not by blueprint: a routing error (404, 405) is raised
    before any blueprint is chosen."""
    app.extensions.setdefault("tablefront.error_formats", {})[prefix] = render


def render_error(error: AppError):
    """Render ``error`` in its path's format (``error_format``), else as an HTML
    page or a JSON object, with the request id."""
    formats = current_app.extensions.get("tablefront.error_formats", {})
    for prefix, render in formats.items():
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return render(error)
    request_id = g.get("request_id", "-")
    if wants_json():
        body = {
            "error": {
                "status": error.status,
                "title": error.title,
                "detail": error.detail,
                "request_id": request_id,
            }
        }
        response = jsonify(body)
    else:
        response = make_response(
            render_template("errors/error.html", error=error, request_id=request_id)
        )
    response.status_code = error.status
    return response


def _rollback() -> None:
    from app.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone
        log.warning("rollback after an error failed", exc_info=True)


def _is_unreachable(exc: SQLAlchemyError) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def handle_app_error(error: AppError):
    return render_error(error)


def handle_http_exception(exc: HTTPException):
    error, headers = http_error(exc)
    response = render_error(error)
    response.headers.update(headers)
    return response


def http_error(exc: HTTPException) -> tuple[AppError, dict[str, str]]:
    """The user-facing error, and its extra headers, for an HTTP exception."""
    status = exc.code or 500
    title, detail = EXPLANATIONS.get(status, (exc.name, exc.description or ""))
    if isinstance(exc, CSRFError):
        title = "Form expired or invalid"
        detail = (
            "The form's security token was missing or did not match. Nothing was "
            "changed. Go back, reload the page, and submit the form again."
        )
    elif status == 413:
        limit = request.max_content_length or 0
        detail = f"The upload is larger than the limit of {limit // (1024 * 1024)} MB."
    elif status == 405:
        detail = f"This address does not accept {request.method} requests."
    headers = {}
    valid_methods = getattr(exc, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    return AppError(status, title, detail), headers


def handle_database_error(exc: SQLAlchemyError):
    error, headers = database_error(exc)
    response = render_error(error)
    response.headers.update(headers)
    return response


def database_error(exc: SQLAlchemyError) -> tuple[AppError, dict[str, str]]:
    """Roll back, log, and name the user-facing error (and its headers) for a
    database exception."""
    from app.data.db_errors import TransientError  # app.data imports this module

    _rollback()
    if isinstance(exc, TransientError):
        # A lock wait or a second deadlock: the server is up, the rows are busy.
        # 503 + Retry-After is what browsers, Excel and scripts treat as "later".
        log.warning("database busy (%s)", exc.__class__.__name__, exc_info=exc)
        title, detail = EXPLANATIONS["busy"]
        return AppError(503, title, detail), {"Retry-After": str(BUSY_RETRY_AFTER)}
    if _is_unreachable(exc):
        log.error("database unreachable: %s", exc.__class__.__name__, exc_info=exc)
        return AppError(503), {}
    log.error("database error", exc_info=exc)
    return AppError(500), {}


def handle_unexpected(exc: Exception):
    return render_error(unexpected_error(exc))


def unexpected_error(exc: Exception) -> AppError:
    """Roll back, log with the traceback (never shown), and answer 500."""
    _rollback()
    log.error("unhandled exception", exc_info=exc)
    return AppError(500)


def register_error_handlers(app: Flask) -> None:
    """Route every error through render_error."""
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(SQLAlchemyError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
