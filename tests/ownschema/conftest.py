"""The awkward site (sql/awkward through the README's commands), built once."""

from __future__ import annotations

import pytest

from tests.ownschema.readme_site import build_site


@pytest.fixture(scope="session")
def awkward_site(tmp_path_factory) -> dict[str, str]:
    """Models, settings and a sample database for sql/awkward, in a scratch folder."""
    return build_site(tmp_path_factory.mktemp("awkward-site"))
