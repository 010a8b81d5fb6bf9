"""Health checks for load balancers and the setup script's warm-up request."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict

from flask import Blueprint, current_app, g, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.access import caller_groups
from app.database import connect_breaker
from app.errors import AppError
from app.extensions import db
from app.identity import public

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__, url_prefix="/health")


def _require_identity_unless_public() -> None:
    if not current_app.config["PUBLIC_HEALTH"] and g.get("identity") is None:
        raise AppError(401)


@bp.get("")
@public
def live():
    """Liveness: the process answers. Touches nothing else."""
    _require_identity_unless_public()
    return jsonify(status="ok")


@bp.get("/ready")
@public
def ready():
    """Readiness: the database answers ``SELECT 1`` within the connect deadline."""
    _require_identity_unless_public()
    started = time.perf_counter()
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.error("readiness check failed: %s", exc.__class__.__name__, exc_info=exc)
        response = jsonify(
            status="unavailable", database="unreachable", breaker=_breaker()
        )
        response.status_code = 503
        return response
    ms = round((time.perf_counter() - started) * 1000, 1)
    return jsonify(status="ok", database="ok", ms=ms, breaker=_breaker())


@bp.get("/directory")
def directory():
    """Directory: one group lookup for the caller, through the configured provider."""
    identity = g.get("identity")
    started = time.perf_counter()
    try:
        groups = caller_groups(identity)
    except AppError as exc:
        if exc.status != 503:
            raise
        response = jsonify(status="unavailable", directory="unreachable")
        response.status_code = 503
        return response
    ms = round((time.perf_counter() - started) * 1000, 1)
    # The count only: the names are the caller's business, not a probe's.
    return jsonify(
        status="ok", directory="ok", login=identity.login, groups=len(groups), ms=ms
    )


def _breaker() -> dict[str, object]:
    state = connect_breaker(current_app)
    return asdict(state.state())
