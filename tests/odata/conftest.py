"""Fixtures for the OData feed tests: the bypass world's app and its callers."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.access.bypass_world import (
    ADMIN_LOGIN,
    STAFF_LOGIN,
    build_world,
    seed_template,
)


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """The demo tables with the bypass world's rows, built once per module."""
    return seed_template(tmp_path_factory.mktemp("odata-template"))


@pytest.fixture
def world(make_app, tmp_path, test_environ, template_db) -> Flask:
    db_dir = Path(test_environ["TABLEFRONT_EMBEDDED_DB_DIR"])
    return build_world(make_app, tmp_path, template_db, db_dir)


def client_for(app: Flask, login: str) -> FlaskClient:
    """A test client signed in as ``login``, as IIS would pass it."""
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": login, "AUTH_TYPE": "Negotiate"})
    return client


@pytest.fixture
def staff(world) -> FlaskClient:
    return client_for(world, STAFF_LOGIN)


@pytest.fixture
def admin(world) -> FlaskClient:
    return client_for(world, ADMIN_LOGIN)
