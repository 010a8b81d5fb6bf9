"""`flask tablefront db status` on the embedded database."""

from __future__ import annotations

from app.extensions import db


def status(app):
    return app.test_cli_runner().invoke(args=["tablefront", "db", "status"])


def test_db_status_sqlite_reports_backend_version_and_schemas(make_app):
    """GIVEN the embedded DB with audit_log WHEN db status THEN ok lines, exit 0."""
    app = make_app(TABLEFRONT_SCHEMA_MAP="tablefront=tf_uat")
    with app.app_context():
        db.metadata.create_all(
            db.engine, tables=[db.metadata.tables["tablefront.audit_log"]]
        )
    result = status(app)
    lines = result.output.splitlines()
    assert result.exit_code == 0, result.output
    assert "backend: sqlite (pysqlite)" in lines
    assert any(line.startswith("server version: SQLite 3.") for line in lines)
    assert "schema map: tablefront=tf_uat" in lines
    assert "schema tablefront -> tf_uat: 1/1 tables present" in lines


def test_db_status_sqlite_missing_tables_are_listed(make_app):
    """GIVEN an empty embedded DB WHEN db status THEN the audit table is missing."""
    result = status(make_app())
    assert (
        "schema tablefront -> tablefront: 0/1 tables present (missing: audit_log)"
        in (result.output.splitlines())
    )
