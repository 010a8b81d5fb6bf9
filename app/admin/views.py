"""/admin: pages for Tablefront administrators (roles with ``admin = true``)."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request

from app.access.policy import ACTIONS, current_policy, describe_caller, is_admin
from app.access.rowfilters import describe
from app.errors import AppError, wants_json
from app.identity import parse_account

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin() -> None:
    """Only an admin role opens these pages."""
    if not is_admin(g.identity):
        raise AppError(
            403, detail="The administration pages need a Tablefront admin role."
        )


@bp.get("/access")
def access():
    """The role x table x action matrix, every grant's source, and check-a-user."""
    policy = current_policy()
    roles = list(policy.settings.roles.values())
    lines = policy.grant_lines(roles)
    tables = sorted({line.table_key for line in lines})
    # One cell per (table, role): a role's several grants on a table merge.
    cells: dict[tuple[str, str], dict] = {}
    for line in lines:
        cell = cells.setdefault(
            (line.table_key, line.role), {"actions": set(), "sources": []}
        )
        cell["actions"].update(line.actions)
        cell["sources"].append(f"{line.source}: {line.rows}")
    checked = None
    login = request.args.get("login", "").strip()
    if login:
        cfg = current_app.config
        ident = parse_account(login, cfg["DOMAIN_MAP"], cfg["DEFAULT_DOMAIN"])
        if ident is None:
            raise AppError(400, "Not an account name", "Write DOMAIN\\user.")
        checked = {"login": ident.login, **describe_caller(ident)}
    data = {
        "file": str(policy.settings.path),
        "provider": policy.provider.name,
        "warnings": list(policy.warnings),
        "actions": list(ACTIONS),
        "roles": [
            {
                "name": r.name,
                "description": r.description,
                "groups": sorted(r.groups),
                "users": sorted(r.users),
                "admin": r.admin,
                "grants": [
                    {
                        "tables": list(gr.patterns),
                        "actions": [a for a in ACTIONS if a in gr.actions],
                        "hidden_columns": sorted(gr.hidden_columns),
                        "rows": describe(gr.rows),
                        "source": gr.source,
                    }
                    for gr in r.grants
                ],
            }
            for r in roles
        ],
        "matrix": [
            {
                "table": table,
                "roles": {
                    role.name: {
                        "actions": [
                            a
                            for a in ACTIONS
                            if a in cells[(table, role.name)]["actions"]
                        ],
                        "sources": cells[(table, role.name)]["sources"],
                    }
                    for role in roles
                    if (table, role.name) in cells
                },
            }
            for table in tables
        ],
        "checked": checked,
    }
    if wants_json():
        return jsonify(data)
    return render_template("admin/access.html", data=data)
