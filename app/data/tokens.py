"""Signed page tokens: where the next/previous page starts, and the count so far.

A token is signed with the app's SECRET_KEY (``app.signing``), bound to one table and
one ordering; a tampered, foreign or stale token is a 400, never a 500. Values in a
token are readable (signed, not encrypted): they are the sort values of a row the
caller was already shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app import signing
from app.data.values import tag, untag
from app.errors import AppError

PURPOSE = "page"  # app.signing's purpose (and salt) of page tokens
SALT = signing.SALTS[PURPOSE]
DIRECTIONS = ("next", "prev")


@dataclass(frozen=True)
class PageToken:
    """A decoded token: direction, ordering values of the boundary row, count."""

    direction: str
    values: tuple[Any, ...]
    count: tuple[int, bool] | None = None  # (rows, capped) for the same row set
    # How many rows come before the page the token leads to (for "Rows 251-300").
    start: int | None = None


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
    start: int | None = None,
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
    if start is not None:
        payload["s"] = [start, _digest(state_key)]
    return signing.sign(PURPOSE, payload)


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
        payload = signing.unsign(PURPOSE, token)
    except signing.BadToken:
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
    start = None
    s = payload.get("s")
    if (
        isinstance(s, list)
        and len(s) == 2
        and type(s[0]) is int
        and s[0] >= 0
        and s[1] == _digest(state_key)
    ):
        start = s[0]
    return PageToken(direction, values, count, start)
