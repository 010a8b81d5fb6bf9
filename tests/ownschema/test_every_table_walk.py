"""The every-table walk (issue 13 item 5) over the demo and over sql/awkward."""

from __future__ import annotations

import pytest

from tests.functional.demo_world import ADMIN, build_demo_app
from tests.ownschema.walk import walk_every_table


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    return build_demo_app(tmp_path_factory.mktemp("walk"), TABLEFRONT_TEST_CSRF="0")


def test_every_table_walk_demo_admin_finds_no_problem(demo_app):
    """GIVEN the demo database and its admin
    WHEN every page and action of every table is walked
    THEN no request fails, nothing is logged as an error and every value reads back."""
    walk = walk_every_table(demo_app, ADMIN)
    assert len(walk.tables) >= 10
    assert walk.problems == [], "\n".join(walk.problems)
