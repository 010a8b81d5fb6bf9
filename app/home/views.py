"""The home page and /whoami."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template

from app.access.policy import describe_caller
from app.catalog import get_catalog
from app.data import table_summaries
from app.errors import wants_json
from app.pages import as_json
from app.pages.home import home_view

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Home: the tables the caller may see, grouped by schema."""
    view = home_view(table_summaries(g.identity, get_catalog()))
    if wants_json():
        return jsonify(as_json(view))
    return render_template("home/index.html", view=view)


@bp.get("/whoami")
def whoami():
    """Who the app thinks the caller is, as HTML or JSON."""
    identity = g.identity
    data = {
        "login": identity.login,
        "domain": identity.domain,
        "name": identity.name,
        "auth_type": identity.auth_type or None,
        "source": identity.source,
        "access": describe_caller(identity),
    }
    if wants_json():
        return jsonify(data)
    return render_template("home/whoami.html", data=data)
