"""Pages rendered once per shape and kept, with their holes filled per request.

A page whose template output depends only on a few things known up front (the
table, the site root, who is asking) apart from some per-request values is rendered
once with a marker in each hole (``hole(name)``), split at the markers, and kept per
app in a bounded cache. A request then joins the kept text with its own values,
escaped as the template would have escaped them. The template still decides the
markup: the frame is its output.

A page with flashed messages is never kept (the messages are in the frame): callers
render those afresh.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request
from markupsafe import Markup

from app.access import is_admin
from app.access.groups import DirectoryUnavailable
from app.errors import AppError
from app.identity import dev_identity_enabled

_HOLE = re.compile("\x00tf:([^\x00]+)\x00")
FRAMES_KEY = "tablefront_frames"  # app.extensions: each app its own
FRAMES_MAX = 512


def hole(name: str) -> Markup:
    """The marker a template prints where ``name``'s per-request value goes."""
    return Markup(f"\x00tf:{name}\x00")


@dataclass(frozen=True)
class Frame:
    """Rendered text split at its holes: text, hole name, text, ..., text."""

    parts: tuple[str, ...]
    owner: object  # the object the frame was rendered for (a rebuilt one misses)
    data: Any = None  # what the caller learnt while rendering it, kept with it

    @property
    def holes(self) -> tuple[str, ...]:
        return self.parts[1::2]

    def fill(self, values: Mapping[str, str]) -> str:
        """The page with each hole's value (already escaped) in place."""
        parts = list(self.parts)
        for i in range(1, len(parts), 2):
            parts[i] = values[parts[i]]
        return "".join(parts)


def split(text: str, owner: object = None, data: Any = None) -> Frame:
    """``text`` cut at its holes."""
    return Frame(tuple(_HOLE.split(text)), owner, data)


def _caller_is_admin() -> bool:
    try:
        return is_admin(g.identity)
    except (DirectoryUnavailable, AppError):  # as caller_is_admin() in base.html
        return False


def caller_shape() -> tuple:
    """What base.html shows of the request and the caller: the site root, login,
    how they signed in, whether they are an admin, whether a dev identity is on.
    Part of every frame's key."""
    identity = g.identity
    return (
        request.script_root,
        getattr(identity, "login", None),
        getattr(identity, "auth_type", None),
        _caller_is_admin(),
        dev_identity_enabled(),
    )


def kept(
    key: Hashable,
    owner: object,
    render: Callable[[], str | tuple[str, Any]],
    *,
    keep: bool = True,
    expect: frozenset[str] = frozenset(),
) -> Frame:
    """The frame kept under ``key`` for ``owner``, else ``render()`` split (and kept
    unless ``keep`` is false). ``render`` returns the page, or (the page, data to
    keep with the frame). ``expect`` names holes the template must print; a
    template that lost one raises instead of serving a page without the value."""
    frames = current_app.extensions.get(FRAMES_KEY)
    if frames is None:
        frames = current_app.extensions[FRAMES_KEY] = {}
    found = frames.get(key) if keep else None
    if found is not None and found.owner is owner:
        return found
    rendered = render()
    text, data = rendered if isinstance(rendered, tuple) else (rendered, None)
    found = split(text, owner, data)
    missing = expect - set(found.holes)
    if missing:
        raise RuntimeError(f"the page lost its holes: {', '.join(sorted(missing))}")
    if keep:
        if len(frames) >= FRAMES_MAX:
            frames.clear()
        frames[key] = found
    return found
