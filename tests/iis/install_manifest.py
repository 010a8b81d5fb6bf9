"""iis/install-manifest.json applied the way setup.ps1 applies it, on any folder.

``release_files`` is robocopy's selection (``/E /XD names-or-paths /XF patterns``):
a /XD entry without a slash matches a folder of that name anywhere, one with a slash
is that single folder under the release; /XF patterns match file names (wildcards,
case-insensitive). ``upgrade`` copies that selection over an install folder and seeds
each site-owned folder only when it is empty, from a previous install first.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tests.iis.iis_files import MANIFEST


@dataclass(frozen=True)
class Manifest:
    """The copy rules and site-owned folders setup.ps1 reads."""

    exclude_dirs: tuple[str, ...]
    exclude_files: tuple[str, ...]
    site_owned: tuple[dict, ...]
    merged: tuple[str, ...]


def load_manifest(path: Path = MANIFEST) -> Manifest:
    """The manifest file as a Manifest."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Manifest(
        tuple(data["copy"]["exclude_dirs"]),
        tuple(data["copy"]["exclude_files"]),
        tuple(data["site_owned"]),
        tuple(data["merged"]),
    )


def _dir_excluded(relative: PurePosixPath, manifest: Manifest) -> bool:
    for rule in manifest.exclude_dirs:
        if "/" in rule:
            if relative.as_posix().lower() == rule.lower():
                return True
        elif relative.name.lower() == rule.lower():
            return True
    return False


def release_files(release: Path, manifest: Manifest) -> list[PurePosixPath]:
    """Files robocopy would copy from ``release``, relative, sorted."""
    selected = []
    for folder, dirs, files in os.walk(release):
        rel_folder = PurePosixPath(Path(folder).relative_to(release).as_posix())
        dirs[:] = [d for d in dirs if not _dir_excluded(rel_folder / d, manifest)]
        for name in files:
            if any(
                fnmatch.fnmatch(name.lower(), p.lower()) for p in manifest.exclude_files
            ):
                continue
            selected.append(rel_folder / name)
    return sorted(selected)


def upgrade(release: Path, install: Path, site: Path, manifest: Manifest) -> None:
    """Copy the release over ``install`` and seed ``site`` as setup.ps1 does."""
    for relative in release_files(release, manifest):
        target = install / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(release / relative, target)
    for owned in manifest.site_owned:
        target = site / owned["folder"]
        if target.is_dir() and any(target.iterdir()):
            continue
        previous = install / owned["previous_install"]
        seed = previous if previous.is_dir() and any(previous.iterdir()) else None
        seed = seed or release / owned["starter"]
        shutil.copytree(
            seed,
            target,
            ignore=shutil.ignore_patterns("__pycache__"),
            dirs_exist_ok=True,
        )
