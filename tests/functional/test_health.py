"""Health checks for load balancers."""

from __future__ import annotations


def test_health_live_answers_without_identity_by_default(client):
    """GIVEN the default PUBLIC_HEALTH WHEN /health is asked anonymously THEN 200 ok."""
    response = client.get("/health")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_health_ready_checks_the_database(client):
    """GIVEN a reachable database WHEN /health/ready is asked THEN 200 with timing."""
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_health_requires_identity_when_not_public(make_app):
    """GIVEN TABLEFRONT_PUBLIC_HEALTH=0 WHEN /health is asked anonymously THEN 401,
    and signed in THEN 200."""
    app = make_app(TABLEFRONT_PUBLIC_HEALTH="0")
    c = app.test_client()
    assert c.get("/health").status_code == 401
    assert c.get("/health/ready").status_code == 401
    assert (
        c.get("/health", environ_base={"REMOTE_USER": "CONTOSO\\lb"}).status_code == 200
    )


def test_health_ready_unreachable_database_is_503(make_app, tmp_path):
    """GIVEN a database file that cannot be opened WHEN /health/ready is asked THEN
    503 unavailable, without details."""
    db_dir = tmp_path / "db"
    (db_dir / "main.db").mkdir(parents=True)  # a folder where the file should be
    app = make_app(TABLEFRONT_EMBEDDED_DB_DIR=str(db_dir))
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
