"""LIKE patterns from user text, with every wildcard escaped.

``%`` and ``_`` are wildcards everywhere; ``[`` opens a character class in T-SQL.
SQLAlchemy's ``autoescape`` does not escape ``[``, so patterns are built here with an
explicit ESCAPE character that is itself escaped.
"""

from __future__ import annotations

LIKE_ESCAPE = "~"
_SPECIAL = (LIKE_ESCAPE, "%", "_", "[", "]")


def escape_like(text: str) -> str:
    """``text`` with LIKE wildcards (and the escape character) made literal."""
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append(LIKE_ESCAPE)
        out.append(ch)
    return "".join(out)


def prefix_pattern(text: str) -> str:
    """A LIKE pattern matching values that start with ``text``."""
    return escape_like(text) + "%"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching values that contain ``text``."""
    return "%" + escape_like(text) + "%"


def next_prefix(text: str) -> str | None:
    """The smallest string greater than every string starting with ``text``.

    ``col >= text AND col < next_prefix(text)`` is the index-friendly form of a prefix
    match; None when no such bound exists (the caller then uses ``>=`` alone).
    """
    chars = list(text)
    while chars:
        last = ord(chars[-1])
        if last < 0x10FFFF:
            chars[-1] = chr(last + 1)
            return "".join(chars)
        chars.pop()
    return None
