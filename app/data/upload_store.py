"""Compatibility name for ``app.data.imports.storage`` (pending CSV uploads)."""

from app.data.imports.storage import (
    UploadLimits,
    UploadRefused,
    discard,
    limits_from_config,
    load,
    save,
    sweep,
    user_folder,
)

__all__ = [
    "UploadLimits",
    "UploadRefused",
    "discard",
    "limits_from_config",
    "load",
    "save",
    "sweep",
    "user_folder",
]
