"""URLs that are the same on every request: built once, not on every page.

``url_for`` walks the URL map each time (about 10 microseconds); a page names the same
stylesheets, scripts and fixed pages on every request. These are built once per site
root (IIS may mount the app under a virtual directory, so the request's script root
is part of every key) and then read from a dict:

- templates: ``static_url['css/app.css']`` (a static file) and
  ``page_url['home.index']`` (an endpoint without arguments) — item lookups, no
  call per URL;
- code and templates: ``fixed_url(endpoint, **values)``.

Only for endpoints and values that come from the code or the catalog, never from
user input (the caches are bounded, but a key per user value would defeat them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for

EXTENSION_KEY = "tablefront_fixed_urls"
MAX_URLS = 4096
MAX_ROOTS = 64


class LazyUrls(dict):
    """name -> URL for one script root, each built on first use."""

    def __init__(self, build: Callable[[str], str]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, name: str) -> str:
        url = self[name] = self._build(name)
        return url


def _static(filename: str) -> str:
    return url_for("static", filename=filename)


def _page(endpoint: str) -> str:
    return url_for(endpoint)


def fixed_url(endpoint: str, **values: str) -> str:
    """``url_for(endpoint, **values)`` (a relative URL), built once per script root."""
    if not has_request_context():
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    cache = current_app.extensions[EXTENSION_KEY]["urls"]
    url = cache.get(key)
    if url is None:
        if len(cache) >= MAX_URLS:
            cache.clear()
        url = cache[key] = url_for(endpoint, **values)
    return url


def _inject_urls() -> dict[str, Any]:
    if not has_request_context():
        return {}
    roots = current_app.extensions[EXTENSION_KEY]["roots"]
    root = request.script_root
    urls = roots.get(root)
    if urls is None:
        if len(roots) >= MAX_ROOTS:
            roots.clear()
        urls = roots[root] = {
            "static_url": LazyUrls(_static),
            "page_url": LazyUrls(_page),
        }
    return urls


def register_urls(app: Flask) -> None:
    """Give templates ``static_url``, ``page_url`` and ``fixed_url``."""
    app.extensions[EXTENSION_KEY] = {"urls": {}, "roots": {}}
    app.add_template_global(fixed_url)
    app.context_processor(_inject_urls)
