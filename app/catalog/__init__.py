"""Which tables exist and how they are shown: model metadata + app/settings/tables.toml.

``register_catalog(app)`` builds and validates it once at start-up;
``get_catalog()`` returns it during a request.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app

from app.catalog.model import ColumnInfo, ForeignKeyInfo, ReferenceInfo, TableInfo
from app.catalog.registry import (
    Catalog,
    build_catalog,
    catalog_from_metadata,
    column_kind,
)
from app.catalog.settings import SettingsError, load_settings

log = logging.getLogger(__name__)

EXTENSION_KEY = "tablefront.catalog"
DEFAULT_SETTINGS = Path(__file__).resolve().parent.parent / "settings" / "tables.toml"

__all__ = [
    "Catalog",
    "ColumnInfo",
    "ForeignKeyInfo",
    "ReferenceInfo",
    "SettingsError",
    "TableInfo",
    "build_catalog",
    "catalog_from_metadata",
    "column_kind",
    "get_catalog",
    "load_settings",
    "register_catalog",
    "set_catalog",
    "settings_path",
]


def settings_path(app: Flask) -> Path:
    """The settings file: TABLES_FILE (TABLEFRONT_TABLES_FILE), else the bundled one."""
    configured = app.config.get("TABLES_FILE")
    return Path(configured) if configured else DEFAULT_SETTINGS


def register_catalog(app: Flask) -> None:
    """Build the catalog from the mapped tables; a bad settings file stops start-up."""
    from app.cli import tolerate_settings_error
    from app.extensions import db

    path = settings_path(app)
    try:
        catalog = catalog_from_metadata(db.metadata, path)
    except SettingsError as exc:
        if not tolerate_settings_error(app, exc):
            raise
        catalog = catalog_from_metadata(db.metadata, None)
    set_catalog(app, catalog)
    log.info("catalog: %d tables, settings from %s", len(catalog.tables), path)


def set_catalog(app: Flask, catalog: Catalog) -> None:
    """Install ``catalog`` on ``app`` (start-up, and tests with their own tables)."""
    app.extensions[EXTENSION_KEY] = catalog


def get_catalog() -> Catalog:
    """The current app's catalog."""
    return current_app.extensions[EXTENSION_KEY]
