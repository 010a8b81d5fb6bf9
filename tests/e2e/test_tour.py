"""The screenshot tour: every main page at laptop and phone width, as the admin.

The PNGs go to tests/artifacts/screenshots/<page>-<width>.png (git-ignored) for a
person to look at; the README's Tour shows a few of them.
"""

from __future__ import annotations

import struct
import time

import pytest

from tests.e2e.pages import ADMIN, MAIN_PAGES, WIDTHS


@pytest.fixture
def demo(live_server):
    """The demo server with an audit entry; skips (fails where required) without."""
    live_server.require_demo()
    live_server.ensure_history()
    return live_server


def png_width(path) -> int:
    """The pixel width in a PNG's IHDR header (0 for a file that is not a PNG)."""
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        return 0
    return struct.unpack(">I", header[16:20])[0]


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def test_tour_saves_a_screenshot_of_every_main_page(open_session, demo, width: str):
    """GIVEN the main pages of the demo (tests/e2e/pages.py)
    WHEN the admin opens each at one width and the tour photographs it
    THEN <page>-<width>.png is a fresh PNG for every page.
    """
    tf = open_session(viewport=WIDTHS[width], login=ADMIN.login)
    started = time.time()
    saved = []
    for main_page in MAIN_PAGES:
        tf.allow_error(main_page.path)
        tf.goto(main_page.path, expect_status=main_page.status)
        # What a person sees on arrival: a full-page shot smears sticky bars.
        saved.append(tf.screenshot(f"{main_page.name}-{width}"))

    # Widths are the phone test's business (a wider page makes a wider PNG).
    stale = [
        p.name for p in saved if p.stat().st_mtime < started - 1 or not png_width(p)
    ]
    assert stale == []
