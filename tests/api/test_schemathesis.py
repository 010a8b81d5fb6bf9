"""schemathesis (PyPI) against the caller's OpenAPI document: never a 5xx."""

from __future__ import annotations

import pytest

from tests.access.bypass_world import STAFF_LOGIN

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402


@pytest.fixture
def api_schema(world):
    """The staff's OpenAPI document, loaded from the app itself over WSGI."""

    def signed_in(environ, start_response):
        environ["REMOTE_USER"] = STAFF_LOGIN
        return world.wsgi_app(environ, start_response)

    return schemathesis.openapi.from_wsgi("/api/openapi.json", signed_in)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_schemathesis_cases_never_get_5xx(case):
    """GIVEN generated requests from the document WHEN sent THEN no 5xx."""
    response = case.call()
    assert response.status_code < 500, response.text[:300]
