"""Development only: act as another Windows user to try out roles.

This blueprint is registered only by the development/testing configs (see
app/blueprints.py); production refuses to start with a development identity.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from app.errors import AppError
from app.identity import ACT_AS_SESSION_KEY, parse_account

bp = Blueprint("dev", __name__, url_prefix="/dev")


@bp.route("/act-as", methods=["GET", "POST"])
def act_as():
    """Show the switcher; on POST remember the chosen account in the session."""
    if request.method == "POST":
        if request.form.get("reset"):
            session.pop(ACT_AS_SESSION_KEY, None)
            flash(
                f"Acting as the development user {current_app.config['DEV_USER']}.",
                "info",
            )
            return redirect(url_for("home.index"))
        raw = request.form.get("login", "").strip()
        ident = parse_account(
            raw, current_app.config["DOMAIN_MAP"], current_app.config["DEFAULT_DOMAIN"]
        )
        if ident is None:
            raise AppError(
                400, "Not an account name", "Write DOMAIN\\user or user@domain."
            )
        session[ACT_AS_SESSION_KEY] = ident.login
        flash(f"Now acting as {ident.login}.", "info")
        return redirect(url_for("home.index"))
    return render_template("dev/act_as.html", suggestions=_suggestions())


def _suggestions() -> list[dict[str, str]]:
    """Demo accounts worth trying; filled in by the access settings when present."""
    provider = current_app.extensions.get("tablefront_dev_accounts")
    return provider() if provider else []
