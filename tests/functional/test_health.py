"""Health checks for load balancers: anonymous only when configured so."""

from __future__ import annotations

import pytest

SIGNED_IN = {"REMOTE_USER": "CONTOSO\\lb-probe"}


@pytest.fixture
def public_client(make_app):
    return make_app(TABLEFRONT_PUBLIC_HEALTH="1").test_client()


@pytest.mark.parametrize("path", ["/health", "/health/ready"])
def test_health_requires_windows_auth_by_default(client, path):
    """GIVEN the default settings WHEN a health check comes without an identity THEN
    401, and with one THEN 200."""
    assert client.get(path).status_code == 401
    assert client.get(path, environ_base=SIGNED_IN).status_code == 200


def test_health_live_answers_anonymously_when_public(public_client):
    """GIVEN TABLEFRONT_PUBLIC_HEALTH=1 WHEN /health is asked anonymously THEN ok."""
    response = public_client.get("/health")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_health_ready_checks_the_database(public_client):
    """GIVEN a reachable database WHEN /health/ready is asked THEN 200 with timing."""
    response = public_client.get("/health/ready")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_health_ready_unreachable_database_is_503(make_app, tmp_path):
    """GIVEN a database file that cannot be opened WHEN /health/ready is asked THEN
    503 unavailable, with a plain reason and no internals."""
    db_dir = tmp_path / "db"
    (db_dir / "main.db").mkdir(parents=True)  # a folder where the file should be
    app = make_app(TABLEFRONT_EMBEDDED_DB_DIR=str(db_dir), TABLEFRONT_PUBLIC_HEALTH="1")
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["database"] == "unreachable"
    assert "Traceback" not in response.get_data(as_text=True)


def test_health_directory_looks_up_the_callers_groups(client):
    """GIVEN a signed-in caller WHEN /health/directory is asked THEN 200 with the
    provider's answer for that login: a count, never the group names."""
    response = client.get("/health/directory", environ_base=SIGNED_IN)
    assert response.status_code == 200
    assert response.json["directory"] == "ok"
    assert response.json["login"] == "CONTOSO\\lb-probe"
    assert isinstance(response.json["groups"], int)
    assert "CONTOSO\\" not in str(response.json.get("names", ""))


def test_health_directory_without_identity_is_401_even_when_public(public_client):
    """GIVEN TABLEFRONT_PUBLIC_HEALTH=1 WHEN /health/directory comes anonymously THEN
    401: a group lookup needs someone to look up."""
    assert public_client.get("/health/directory").status_code == 401


def test_health_directory_unreachable_directory_is_503(client, app, monkeypatch):
    """GIVEN a directory that does not answer WHEN /health/directory is asked THEN
    503 unavailable with a plain reason, so setup.ps1's warm-up fails the install."""
    from app.access.groups import DirectoryUnavailable

    def down(identity):
        raise DirectoryUnavailable("ldaps://dc1.contoso.com did not answer")

    policy = app.extensions["tablefront_access"]
    monkeypatch.setattr(policy.provider, "groups_for", down)
    response = client.get("/health/directory", environ_base=SIGNED_IN)
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "directory": "unreachable"}
