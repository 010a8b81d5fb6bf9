"""Fixtures for the JSON API tests: the bypass world with staff allowed to write
leave requests of her own department."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.access.bypass_world import (
    ADMIN_LOGIN,
    STAFF_LOGIN,
    access_toml,
    build_world,
    seed_template,
)
from tests.odata.conftest import client_for


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    return seed_template(tmp_path_factory.mktemp("api-template"))


@pytest.fixture
def world(make_app, tmp_path, test_environ, template_db) -> Flask:
    db_dir = Path(test_environ["TABLEFRONT_EMBEDDED_DB_DIR"])
    access = access_toml(leave_actions=("read", "create", "update", "delete"))
    return build_world(make_app, tmp_path, template_db, db_dir, access)


@pytest.fixture
def staff(world) -> FlaskClient:
    return client_for(world, STAFF_LOGIN)


@pytest.fixture
def admin(world) -> FlaskClient:
    return client_for(world, ADMIN_LOGIN)
