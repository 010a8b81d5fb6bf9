"""CSV import pages: upload, map and review (every problem, preview), apply."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, g, render_template, request

from app import signing
from app.catalog import get_catalog
from app.data import imports, writes
from app.data.export import FORMATS
from app.data.import_template import template_csv, template_xlsx
from app.data.imports import storage
from app.data.scope import Scope, open_scope
from app.errors import AppError
from app.pages.links import list_url
from app.writable import open_for

log = logging.getLogger(__name__)

bp = Blueprint("imports", __name__, url_prefix="/t")

PURPOSE = "import"  # app.signing's purpose (and salt) of upload tokens
MODES = ("insert", "upsert")


def upload_limits() -> storage.UploadLimits:
    """Where uploads wait between steps, for how long, and how many bytes."""
    return storage.limits_from_config(current_app.config)


def _sweep() -> storage.UploadLimits:
    # Every import request expires old uploads, whichever server or user it is;
    # `flask tablefront uploads sweep` does the same on a schedule.
    limits = upload_limits()
    storage.sweep(limits)
    return limits


def _token(
    scope: Scope,
    upload_id: str,
    reviewed: tuple[dict[str, str], str] | None = None,
) -> str:
    """The signed upload reference; ``reviewed`` = (mapping, mode) of a review that
    found no problem, so apply may stream the file without validating it twice."""
    payload: dict = {"id": upload_id, "t": scope.info.key, "u": g.identity.login}
    if reviewed is not None:
        payload["m"], payload["mode"] = reviewed
    return signing.sign(PURPOSE, payload)


def _payload(scope: Scope, token: str) -> dict:
    try:
        payload = signing.unsign(PURPOSE, token or "")
    except signing.BadToken:
        raise AppError(400, "Import tampered", "The import form was changed.") from None
    if payload.get("t") != scope.info.key or payload.get("u") != g.identity.login:
        raise AppError(400, "Import tampered", "This upload belongs elsewhere.")
    return payload


def _upload_from_token(
    scope: Scope, token: str, limits: storage.UploadLimits
) -> tuple[str, bytes]:
    payload = _payload(scope, token)
    data = storage.load(limits, g.identity.login, payload.get("id", ""))
    if data is None:
        raise AppError(
            410,
            "Upload expired",
            "The uploaded file is no longer kept (after "
            f"{limits.ttl_seconds // 60} minutes, once imported, or when you "
            "uploaded another file to this table). Upload it again.",
        )
    return payload["id"], data


def _store_new_upload(
    scope: Scope, limits: storage.UploadLimits
) -> tuple[str, bytes, imports.ParsedFile]:
    """(id, data, parsed) of the posted file, stored only once it parsed: an
    unreadable file raises UnreadableFile and leaves nothing on disk."""
    file = request.files.get("file")
    data = file.read() if file else b""
    if not data:
        raise imports.UnreadableFile("Choose a CSV file to upload.")
    parsed = imports.parse(data)
    try:
        upload_id = storage.save(limits, g.identity.login, scope.info.key, data)
    except storage.UploadRefused as exc:
        log.warning(
            "upload to %s by %s refused: %s", scope.info.key, g.identity, exc.title
        )
        raise AppError(exc.status, exc.title, exc.detail) from None
    return upload_id, data, parsed


def _mode() -> str:
    mode = request.form.get("mode", "insert")
    if mode not in MODES:
        raise AppError(400, detail=f"Unknown import mode {mode!r}.")
    return mode


def _mapping(parsed: imports.ParsedFile) -> dict[str, str] | None:
    if not any(k.startswith("map-") for k in request.form):
        return None
    return {
        header: request.form.get(f"map-{index}", "")
        for index, header in enumerate(parsed.headers)
    }


def _review(
    scope: Scope,
    upload_id: str,
    data: bytes,
    mode: str,
    status: int = 200,
    parsed: imports.ParsedFile | None = None,
):
    hidden = frozenset(scope.hidden)
    try:
        parsed = parsed or imports.parse(data)
    except imports.UnreadableFile as exc:
        return _upload_page(scope, problem=str(exc), status=422), None
    mapping = _mapping(parsed) or imports.auto_mapping(
        parsed.headers, scope.info, hidden, mode
    )
    checked = imports.validate(scope, parsed, mapping, mode)
    reviewed = None if checked.total_problems else (mapping, mode)
    targets = imports.importable_columns(scope.info, hidden, mode)
    preview_columns = [c for c in targets if c in set(mapping.values())]
    return (
        render_template(
            "imports/import_review.html",
            info=scope.info,
            parsed=parsed,
            mapping=mapping,
            targets=targets,
            checked=checked,
            preview_columns=preview_columns,
            token=_token(scope, upload_id, reviewed),
            mode=mode,
            display=lambda v: "—" if v is None else str(writes.json_value(v)),
        ),
        422 if checked.total_problems else status,
    ), checked


def _upload_page(scope: Scope, problem: str | None = None, status: int = 200):
    return (
        render_template(
            "imports/import_upload.html",
            info=scope.info,
            problem=problem,
            limit_mb=(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20,
            cancel_url=list_url(scope.info),
        ),
        status,
    )


@bp.route("/<schema>/<table>/-/import", methods=["GET", "POST"])
def import_upload(schema: str, table: str):
    """Upload a CSV (GET: the form); POST: map, validate and preview it."""
    scope = open_for(schema, table, "import")
    limits = _sweep()
    if request.method == "GET":
        return _upload_page(scope)
    mode = _mode()
    token = request.form.get("token")
    parsed = None
    if token:
        upload_id, data = _upload_from_token(scope, token, limits)
    else:
        try:
            upload_id, data, parsed = _store_new_upload(scope, limits)
        except imports.UnreadableFile as exc:
            log.info("upload to %s not stored: %s", scope.info.key, exc)
            return _upload_page(scope, problem=str(exc), status=422)
    return _review(scope, upload_id, data, mode, parsed=parsed)[0]


@bp.post("/<schema>/<table>/-/import/apply")
def import_apply(schema: str, table: str):
    """Write a reviewed file in one transaction, or nothing; anything not reviewed
    as clean (another mapping or mode, a refusal meanwhile) is reviewed again."""
    scope = open_for(schema, table, "import")
    limits = _sweep()
    mode = _mode()
    token = request.form.get("token", "")
    upload_id, data = _upload_from_token(scope, token, limits)
    payload = _payload(scope, token)
    try:
        parsed = imports.parse(data, count=False)  # apply reads every row
    except imports.UnreadableFile as exc:
        return _upload_page(scope, problem=str(exc), status=422)
    mapping = _mapping(parsed)
    if payload.get("m") != mapping or payload.get("mode") != mode:
        return _review(scope, upload_id, data, mode)[0]
    try:
        summary = imports.apply(scope, parsed, mapping, mode)
    except writes.OutsideFilter as exc:
        return _upload_page(scope, problem=str(exc), status=422)
    except imports.ReviewAgain as exc:
        page, checked = _review(scope, upload_id, data, mode, status=422)
        if checked is not None and checked.total_problems:
            return page
        return _upload_page(scope, problem=str(exc), status=422)
    storage.discard(limits, g.identity.login, upload_id)
    return render_template(
        "imports/import_done.html",
        info=scope.info,
        summary=summary,
        list_url=list_url(scope.info),
    )


TEMPLATE_BUILDERS = {"csv": template_csv, "xlsx": template_xlsx}


@bp.get("/<schema>/<table>/-/import/template.<fmt>")
def template(schema: str, table: str, fmt: str) -> Response:
    """The table's import template (404 for another format; the import action)."""
    scope = open_scope(g.identity, get_catalog(), f"{schema}.{table}", "import")
    build = TEMPLATE_BUILDERS.get(fmt)
    if build is None:
        raise AppError(404, detail=f"No {fmt!r} template: csv or xlsx.")
    name = f"{scope.info.schema}.{scope.info.name}-import-template.{fmt}"
    return Response(
        build(scope),
        mimetype=FORMATS[fmt].split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
