"""URLs that are the same on every request: built once, not on every page.

``url_for`` walks the URL map each time (about 10 microseconds); a page names the same
stylesheets, scripts and fixed pages on every request. ``fixed_url`` builds such a
URL once per site root (IIS may mount the app under a virtual directory, so the
request's script root is part of the key) and then reads it from a dict. Use it only
for endpoints whose values come from the code or the catalog, never from user input
(the cache is bounded, but a key per user value would defeat it).
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, url_for

EXTENSION_KEY = "tablefront_fixed_urls"
MAX_URLS = 4096


def fixed_url(endpoint: str, **values: str) -> str:
    """``url_for(endpoint, **values)`` (a relative URL), built once per script root."""
    if not has_request_context():
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    cache = current_app.extensions[EXTENSION_KEY]
    url = cache.get(key)
    if url is None:
        if len(cache) >= MAX_URLS:
            cache.clear()
        url = cache[key] = url_for(endpoint, **values)
    return url


def register_urls(app: Flask) -> None:
    """Give templates ``fixed_url`` beside ``url_for``."""
    app.extensions[EXTENSION_KEY] = {}
    app.add_template_global(fixed_url)
