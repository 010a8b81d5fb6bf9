"""Presenters: data-layer results turned into typed page views (plain values only).

A page view is a dataclass tree of strings, numbers, booleans and lists: the
template prints it as HTML and ``as_json`` serves the same view as JSON. Nothing
here touches the database or decides permission (app.data and app.access do).
"""

from __future__ import annotations

import dataclasses
from typing import Any


def as_json(view: Any) -> dict[str, Any]:
    """The page view as a JSON-ready dict (the same values the template prints)."""
    return dataclasses.asdict(view)
