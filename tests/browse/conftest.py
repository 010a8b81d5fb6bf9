"""Fixtures for browse tests: an app serving the shop tables, signed-in clients."""

from __future__ import annotations

import pytest

from tests.browse.shop import ACCESS_TOML, install_shop


@pytest.fixture
def shop_app(make_app, tmp_path):
    """A testing app whose catalog is the shop database (everyone reads/exports)."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    app = make_app(TABLEFRONT_ACCESS_FILE=str(access))
    app.shop = install_shop(app, tmp_path)
    return app


@pytest.fixture
def shop_client(shop_app):
    """A client signed in as CONTOSO\\jdoe on the shop app."""
    client = shop_app.test_client()
    client.environ_base.update({"REMOTE_USER": "CONTOSO\\jdoe"})
    return client
