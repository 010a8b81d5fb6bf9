"""Where the generated models come from: the site's own folder, or the bundled demo.

An upgrade copies a release over the install folder, so the DBA's regenerated models
live outside it (``TABLEFRONT_MODELS_DIR``, setup.ps1: C:\\ProgramData\\Tablefront\\
models). The folder is loaded as the package ``app.models.generated``, so the
generated modules' own imports (``from app.models.generated import hr``) resolve there.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from config import MODELS_DIR_VAR, ConfigError, _models_dir

PACKAGE = "app.models.generated"


def load_generated() -> ModuleType:
    """Import the generated models from TABLEFRONT_MODELS_DIR, else the bundled ones."""
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    # Read from the process environment: the models are imported once per process,
    # before any app (wfastcgi copies web.config's appSettings in first).
    folder = _models_dir(os.environ)
    if folder is None:
        return importlib.import_module(PACKAGE)
    if not (folder / "__init__.py").is_file():
        # `models generate` into an empty folder (config lets only that through):
        # an empty package, so the app builds with no tables and the command fills it.
        module = ModuleType(PACKAGE, "Generated models (none yet)")
        module.__file__ = str(folder / "__init__.py")
        module.__path__ = [str(folder)]
        sys.modules[PACKAGE] = module
        return module
    spec = importlib.util.spec_from_file_location(
        PACKAGE, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[PACKAGE]
        raise
    return module


def loaded_models_dir() -> Path:
    """The folder the generated models were loaded from."""
    return Path(sys.modules[PACKAGE].__file__).resolve().parent


def check_models_dir(configured: Path | None) -> None:
    """Refuse to start when the configured models folder is not the one loaded."""
    if configured is None:
        return
    if loaded_models_dir() != Path(configured).resolve():
        raise ConfigError(
            f"{MODELS_DIR_VAR} {str(configured)!r} is not where this process loaded "
            f"its models from ({loaded_models_dir()}): set it in the environment "
            "(web.config appSettings) before the app starts."
        )
