"""Template downloads for the import page: the importable columns as CSV or XLSX."""

from __future__ import annotations

from flask import Blueprint, Response, g

from app.catalog import get_catalog
from app.data.export import FORMATS
from app.data.import_template import template_csv, template_xlsx
from app.data.scope import open_scope
from app.errors import AppError

bp = Blueprint("imports", __name__, url_prefix="/t")

BUILDERS = {"csv": template_csv, "xlsx": template_xlsx}


@bp.get("/<schema>/<table>/-/import/template.<fmt>")
def template(schema: str, table: str, fmt: str) -> Response:
    """The table's import template (404 for another format; the import action)."""
    scope = open_scope(g.identity, get_catalog(), f"{schema}.{table}", "import")
    build = BUILDERS.get(fmt)
    if build is None:
        raise AppError(404, detail=f"No {fmt!r} template: csv or xlsx.")
    name = f"{scope.info.schema}.{scope.info.name}-import-template.{fmt}"
    return Response(
        build(scope),
        mimetype=FORMATS[fmt].split(";")[0],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
