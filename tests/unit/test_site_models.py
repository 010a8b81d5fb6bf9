"""Generated models from the site's own folder (TABLEFRONT_MODELS_DIR)."""

from __future__ import annotations

import pytest

from app.models.site_models import check_models_dir, loaded_models_dir
from config import ConfigError


def test_site_models_config_naming_another_folder_refuses_to_start(tmp_path):
    """GIVEN this process loaded the bundled models WHEN the config names another
    models folder THEN start-up refuses (it would silently serve the wrong models)."""
    (tmp_path / "__init__.py").write_text("", "utf-8")
    with pytest.raises(ConfigError, match="not where this process loaded"):
        check_models_dir(tmp_path)


def test_site_models_config_naming_the_loaded_folder_starts():
    """GIVEN the config names the folder the models came from WHEN checked THEN ok."""
    check_models_dir(loaded_models_dir())
    check_models_dir(None)
