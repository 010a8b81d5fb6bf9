"""Signed page tokens: where the next/previous page starts, and the count so far.

A token is signed with the app's SECRET_KEY (itsdangerous), bound to one table and one
ordering; a tampered, foreign or stale token is a 400, never a 500. Values in a token
are readable (signed, not encrypted): they are the sort values of a row the caller
was already shown.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, Serializer, Signer, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.signer import HMACAlgorithm

from app.data.values import tag, untag
from app.errors import AppError

SALT = "tablefront.page"
DIRECTIONS = ("next", "prev")
_SERIALIZER_KEY = "tablefront_page_tokens"


@dataclass(frozen=True)
class PageToken:
    """A decoded token: direction, ordering values of the boundary row, count."""

    direction: str
    values: tuple[Any, ...]
    count: tuple[int, bool] | None = None  # (rows, capped) for the same row set


class _HMACSHA1(HMACAlgorithm):
    """itsdangerous' default HMAC-SHA1, computed by one C call (hmac.digest)."""

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, "sha1")


class _PageSigner(Signer):
    """itsdangerous' Signer (same signatures), deriving each key once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[Any, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self._derived.get(secret_key)
        if key is None:
            key = self._derived[secret_key] = super().derive_key(secret_key)
        return key


class PageTokenSerializer(URLSafeSerializer):
    """URL-safe signed JSON, written without zlib: a page token is about a hundred
    bytes, which compression shortens by a character or two at the price of a
    compressor set up per token (tens of microseconds on every list page). Tokens
    are still read either way (a compressed one starts with "."). Signed exactly
    as itsdangerous' URLSafeSerializer signs (HMAC-SHA1, django-concat key), by
    one signer made once instead of one per token."""

    def __init__(self, secret_key: str, salt: str) -> None:
        super().__init__(
            secret_key,
            salt=salt,
            signer=_PageSigner,
            signer_kwargs={"algorithm": _HMACSHA1()},
        )
        self._signer = super().make_signer(salt)

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is None or salt == self.salt:
            return self._signer
        return super().make_signer(salt)

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


def _serializer() -> URLSafeSerializer:
    """The app's token serializer, made once per secret key (not per token)."""
    secret = current_app.config["SECRET_KEY"]
    cached = current_app.extensions.get(_SERIALIZER_KEY)
    if cached is None or cached[0] != secret:
        cached = (secret, PageTokenSerializer(secret, salt=SALT))
        current_app.extensions[_SERIALIZER_KEY] = cached
    return cached[1]


@lru_cache(maxsize=1024)
def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode("utf-8"), digest_size=6).hexdigest()


def make_token(
    table_key: str,
    sort_sig: str,
    direction: str,
    values: Sequence[Any],
    state_key: str,
    count: tuple[int, bool] | None,
) -> str:
    """A signed token for the page after (``next``) or before (``prev``) a row."""
    payload: dict[str, Any] = {
        "t": table_key,
        "o": sort_sig,
        "d": direction,
        "v": [tag(v) for v in values],
    }
    if count is not None:
        payload["n"] = [count[0], count[1], _digest(state_key)]
    return _serializer().dumps(payload)


def _bad(detail: str) -> AppError:
    return AppError(
        400,
        "Page link not valid",
        f"{detail} Go back to the first page of the list and page from there.",
    )


def read_token(
    token: str, table_key: str, sort_sig: str, width: int, state_key: str
) -> PageToken:
    """Decode and check a token; 400 when tampered, foreign or stale."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        raise _bad("The page link was altered or is from another server.") from None
    if not isinstance(payload, dict):
        raise _bad("The page link is malformed.")
    if payload.get("t") != table_key:
        raise _bad("The page link belongs to another table.")
    if payload.get("o") != sort_sig:
        raise _bad("The page link was made for a different sort order.")
    direction = payload.get("d")
    raw = payload.get("v")
    if direction not in DIRECTIONS or not isinstance(raw, list) or len(raw) != width:
        raise _bad("The page link is malformed.")
    try:
        values = tuple(untag(v) for v in raw)
    except (ValueError, TypeError):
        raise _bad("The page link is malformed.") from None
    count = None
    n = payload.get("n")
    if (
        isinstance(n, list)
        and len(n) == 3
        and isinstance(n[0], int)
        and n[2] == _digest(state_key)
    ):
        count = (n[0], bool(n[1]))
    return PageToken(direction, values, count)
