"""Pending CSV uploads, kept as files between an import's review and apply steps.

The folder may be a share used by several web servers, so nothing lives in process
memory: each user's uploads sit in a folder of their own (named by a hash of the
login), a file's age is its mtime, and a file is written under a temporary name and
renamed into place, so a reader or a sweep never sees half of it.

- Only readable files are stored: the caller parses an upload before saving it, and
  an upload that is refused (unreadable, over a cap) leaves nothing behind.
- Caps: the bytes one user may have pending (``IMPORT_USER_MAX_MB``) and the bytes
  all users together may have pending (``IMPORT_TOTAL_MAX_MB``). A new upload to a
  table replaces the same user's pending upload to that table.
- Expiry: files older than ``IMPORT_TTL_MINUTES`` are deleted by ``sweep``, which
  runs on every import request and from ``flask tablefront uploads sweep`` (a
  scheduled task), whichever web server or machine runs it.

Two servers checking a cap at the same instant can overshoot it by one upload; the
caps bound the disk, they are not a quota system.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SUFFIX = ".csv"
PART_SUFFIX = ".part"
ID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{32}")
USER_DIR_PATTERN = re.compile(r"[0-9a-f]{32}")
DEFAULT_TTL_MINUTES = 60
DEFAULT_USER_MAX_MB = 100
DEFAULT_TOTAL_MAX_MB = 2000
MB = 1024 * 1024


class UploadRefused(Exception):
    """An upload the store will not keep: HTTP status, title, plain detail."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(title)
        self.status, self.title, self.detail = status, title, detail


@dataclass(frozen=True)
class UploadLimits:
    """Where uploads wait, how long, and how many bytes may wait."""

    folder: Path
    ttl_seconds: int = DEFAULT_TTL_MINUTES * 60
    user_bytes: int = DEFAULT_USER_MAX_MB * MB
    total_bytes: int = DEFAULT_TOTAL_MAX_MB * MB


@dataclass(frozen=True)
class Swept:
    """What one sweep deleted and what it kept."""

    deleted: int
    deleted_bytes: int
    kept: int
    kept_bytes: int


def limits_from_config(config: Mapping[str, Any]) -> UploadLimits:
    """The upload limits of an app config (IMPORT_DIR, else beside the log folder)."""
    folder = config.get("IMPORT_DIR") or Path(config["LOG_DIR"]).parent / "imports"
    return UploadLimits(
        folder=Path(folder),
        ttl_seconds=int(config.get("IMPORT_TTL_MINUTES") or DEFAULT_TTL_MINUTES) * 60,
        user_bytes=int(config.get("IMPORT_USER_MAX_MB") or DEFAULT_USER_MAX_MB) * MB,
        total_bytes=int(config.get("IMPORT_TOTAL_MAX_MB") or DEFAULT_TOTAL_MAX_MB) * MB,
    )


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:size]


def user_folder(limits: UploadLimits, login: str) -> Path:
    """The folder of one user's pending uploads (a hash: logins hold ``\\``)."""
    return limits.folder / _digest(login.lower(), 32)


def _files(folder: Path, pattern: str) -> Iterator[tuple[Path, os.stat_result]]:
    try:
        entries = list(folder.glob(pattern))
    except OSError:
        return
    for path in entries:
        try:
            yield path, path.stat()
        except OSError:  # deleted meanwhile by another server's sweep
            continue


def _pending(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every stored or half-written upload under ``folder`` (all users)."""
    yield from _files(folder, f"*/*{SUFFIX}")
    yield from _files(folder, f"*/*{PART_SUFFIX}")


def sweep(limits: UploadLimits, now: float | None = None) -> Swept:
    """Delete uploads whose mtime is older than the TTL; keep the others."""
    now = time.time() if now is None else now
    deleted = deleted_bytes = kept = kept_bytes = 0
    for path, stat in _pending(limits.folder):
        if now - stat.st_mtime > limits.ttl_seconds:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.warning("cannot delete expired upload %s: %s", path, exc.strerror)
                continue
            deleted += 1
            deleted_bytes += stat.st_size
        else:
            kept += 1
            kept_bytes += stat.st_size
    if deleted:
        log.info("deleted %s expired uploads (%s bytes)", deleted, deleted_bytes)
    return Swept(deleted, deleted_bytes, kept, kept_bytes)


def _table_tag(table_key: str) -> str:
    return _digest(table_key.lower(), 8)


def _check_caps(
    limits: UploadLimits, mine: Path, size: int, replaced: list[Path]
) -> None:
    if size > limits.user_bytes:
        raise UploadRefused(
            413,
            "Upload too large",
            f"The file has {size / MB:.1f} MB; an import may keep at most "
            f"{limits.user_bytes / MB:.0f} MB. Split it into smaller files.",
        )
    total = user = 0
    for path, stat in _pending(limits.folder):
        if path in replaced:
            continue
        total += stat.st_size
        if path.parent == mine:
            user += stat.st_size
    if user + size > limits.user_bytes:
        minutes = limits.ttl_seconds // 60
        raise UploadRefused(
            409,
            "Too many pending uploads",
            f"Your uploads that wait for review already hold {user / MB:.1f} MB of "
            f"the {limits.user_bytes / MB:.0f} MB you may keep. Finish or leave "
            f"those imports: an upload is removed once imported, or after {minutes} "
            "minutes. Then upload again.",
        )
    if total + size > limits.total_bytes:
        raise UploadRefused(
            507,
            "Import folder full",
            "Too many uploads are waiting for review on this site. Try again in a "
            "few minutes; if it persists, tell the site administrator.",
        )


def save(limits: UploadLimits, login: str, table_key: str, data: bytes) -> str:
    """Store ``data`` for ``login`` and return its id; UploadRefused over a cap."""
    mine = user_folder(limits, login)
    tag = _table_tag(table_key)
    replaced = [path for path, _ in _files(mine, f"{tag}-*{SUFFIX}")]
    _check_caps(limits, mine, len(data), replaced)
    mine.mkdir(parents=True, exist_ok=True)
    upload_id = f"{tag}-{secrets.token_hex(16)}"
    part = mine / f"{upload_id}{PART_SUFFIX}"
    try:
        part.write_bytes(data)
        os.replace(part, mine / f"{upload_id}{SUFFIX}")
    except OSError:
        part.unlink(missing_ok=True)
        raise
    for old in replaced:
        old.unlink(missing_ok=True)
    return upload_id


def _path(limits: UploadLimits, login: str, upload_id: str) -> Path | None:
    if not ID_PATTERN.fullmatch(upload_id or ""):
        return None
    return user_folder(limits, login) / f"{upload_id}{SUFFIX}"


def load(limits: UploadLimits, login: str, upload_id: str) -> bytes | None:
    """The user's stored upload, or None when it expired, is gone or is not theirs."""
    path = _path(limits, login, upload_id)
    if path is None:
        return None
    try:
        if time.time() - path.stat().st_mtime > limits.ttl_seconds:
            return None
        return path.read_bytes()
    except OSError:
        return None


def discard(limits: UploadLimits, login: str, upload_id: str) -> None:
    """Delete a stored upload once it was applied."""
    path = _path(limits, login, upload_id)
    if path is not None:
        path.unlink(missing_ok=True)
