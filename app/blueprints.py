"""Every blueprint, registered in one place."""

from __future__ import annotations

from flask import Flask

from app.identity import dev_identity_enabled


def register_blueprints(app: Flask) -> None:
    """Mount the feature blueprints; development tools only in development."""
    from app.admin.views import bp as admin_bp
    from app.audit.views import bp as audit_bp
    from app.browse.views import bp as browse_bp
    from app.edit.views import bp as edit_bp
    from app.health.views import bp as health_bp
    from app.home.views import bp as home_bp
    from app.imports.views import bp as imports_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(browse_bp)
    app.register_blueprint(edit_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(imports_bp)
    if dev_identity_enabled(app):
        from app.dev.views import bp as dev_bp

        app.register_blueprint(dev_bp)
