"""Fixtures for the browser tier: a live demo server and headless Chromium.

``live_server`` (session)
    The app in the development configuration on the embedded demo database (its own
    temporary database and log folders), served by waitress on 127.0.0.1 and a free
    port in a background thread. No REMOTE_USER reaches it, so the development config
    injects its identity (CONTOSO\\amorgan), as ``flask --app app run`` would.
``browser`` (session)
    Debian's Chromium (``/usr/bin/chromium``, or ``TABLEFRONT_CHROMIUM``) driven by
    Playwright; skips with the reason when the binary is absent (CI turns the skip into
    a failure through TABLEFRONT_REQUIRE_TIERS). Playwright's own browser downloads are
    never used.
``open_session`` (function)
    Opens further sessions at another viewport, as another demo persona.
``tf`` (function)
    A 1366x768 page wrapped in :class:`BrowserSession`: ``goto``, ``screenshot`` (PNGs
    in tests/artifacts/screenshots/) and ``assert_clean`` (no console errors, page
    errors or Content-Security-Policy violations so far).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.demo import DemoServer

CHROMIUM = os.environ.get("TABLEFRONT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}  # a laptop screen
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"

# Records CSP violations and counts htmx swaps; init scripts are not subject to CSP.
PAGE_PROBES = """
window.__cspViolations = [];
window.__htmxSettles = 0;
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + e.blockedURI);
});
document.addEventListener('htmx:afterSettle', () => { window.__htmxSettles += 1; });
"""
# Nothing is tolerated by default (base.html links the favicon, so Chromium's
# request for it succeeds); a test allows an expected error with allow_error().
TOLERATED_ERRORS: list[str] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives the browser: mark it ``browser``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[DemoServer]:
    """The development app on a fresh embedded demo database, served by waitress."""
    from waitress import create_server

    from app import create_app
    from config import DevelopmentConfig

    base = tmp_path_factory.mktemp("e2e")
    environ = {
        "TABLEFRONT_ENV": "development",
        "TABLEFRONT_EMBEDDED_DB_DIR": str(base / "db"),
        "TABLEFRONT_LOG_DIR": str(base / "logs"),
    }
    app = create_app(DevelopmentConfig(environ))
    demo = DemoServer.prepare(app, base)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="e2e-waitress", daemon=True)
    thread.start()
    demo.base_url = f"http://127.0.0.1:{server.effective_port}"
    try:
        yield demo
    finally:
        server.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium, launched once per session."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM} (install Debian's chromium: "
            "tests/install_system_packages.sh, or set TABLEFRONT_CHROMIUM)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"playwright is not installed (requirements-dev.txt): {exc}")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class BrowserSession:
    """One page plus what it logged: console errors, page errors, CSP violations."""

    page: object
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    allowed_errors: list[str] = field(default_factory=lambda: [*TOLERATED_ERRORS])

    def url(self, path: str) -> str:
        """The absolute URL of an app path."""
        return self.base_url + path

    def goto(self, path: str, expect_status: int = 200):
        """Open an app path; fail unless the response has the expected status."""
        response = self.page.goto(self.url(path))
        assert response is not None, f"no response for {path}"
        assert response.status == expect_status, (
            f"GET {path}: HTTP {response.status}, expected {expect_status}"
        )
        return response

    def allow_error(self, fragment: str) -> None:
        """Tolerate console errors containing ``fragment`` (an expected 4xx, say)."""
        self.allowed_errors.append(fragment)

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        """Save a PNG of the viewport as tests/artifacts/screenshots/<name>.png."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def settled(self, action: Callable[[], object], timeout_ms: int = 10_000) -> None:
        """Run ``action`` (a click, a selection) and wait for htmx's next swap."""
        before = self.page.evaluate("window.__htmxSettles")
        action()
        # Polled from outside: wait_for_function would need 'unsafe-eval' under CSP.
        deadline = time.monotonic() + timeout_ms / 1000
        while self.page.evaluate("window.__htmxSettles") <= before:
            assert time.monotonic() < deadline, "htmx did not swap in time"
            self.page.wait_for_timeout(20)

    def csp_violations(self) -> list[str]:
        """CSP violations recorded by the page since it last loaded."""
        return self.page.evaluate("window.__cspViolations || []")

    def assert_clean(self) -> None:
        """No console errors, uncaught exceptions or CSP violations so far."""
        errors = [
            e
            for e in self.console_errors
            if not any(a in e for a in self.allowed_errors)
        ]
        errors += [f"CSP: {v}" for v in self.csp_violations()]
        assert errors == [], "browser reported problems:\n" + "\n".join(errors)


@pytest.fixture
def tf(browser, live_server) -> Iterator[BrowserSession]:
    """A fresh 1366x768 browser context on the live demo server."""
    yield from _session(browser, live_server, javascript_enabled=True)


@pytest.fixture
def tf_nojs(browser, live_server) -> Iterator[BrowserSession]:
    """Like ``tf`` with JavaScript switched off (the no-JS fallback)."""
    yield from _session(browser, live_server, javascript_enabled=False)


@pytest.fixture
def open_session(browser, live_server) -> Iterator[Callable[..., BrowserSession]]:
    """Open more sessions in one test: ``open_session(viewport=..., login=...)``.

    ``login`` acts as that demo persona (through /dev/act-as, once per session and
    persona: the signed cookie is reused). ``bypass_csp`` lets a test inject a
    script of its own (axe-core), which the app's CSP would otherwise refuse.
    """
    opened: list[Iterator[BrowserSession]] = []

    def open_one(
        viewport: dict[str, int] = VIEWPORT,
        login: str | None = None,
        bypass_csp: bool = False,
    ) -> BrowserSession:
        state = persona_state(browser, live_server, login) if login else None
        sessions = _session(
            browser, live_server, True, viewport, state, bypass_csp=bypass_csp
        )
        opened.append(sessions)
        return next(sessions)

    try:
        yield open_one
    finally:
        for sessions in opened:
            sessions.close()


_PERSONA_STATES: dict[tuple[str, str], dict] = {}


def persona_state(browser, live_server, login: str) -> dict:
    """Cookies of a session acting as ``login`` (cached per server and login)."""
    cache_key = (live_server.base_url, login)
    if cache_key not in _PERSONA_STATES:
        context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
        try:
            page = context.new_page()
            page.goto(live_server.base_url + "/dev/act-as")
            page.locator("#login").fill(login)
            with page.expect_navigation():
                page.get_by_role("button", name="Act as", exact=True).click()
            _PERSONA_STATES[cache_key] = context.storage_state()
        finally:
            context.close()
    return _PERSONA_STATES[cache_key]


def _session(
    browser,
    live_server,
    javascript_enabled: bool,
    viewport: dict[str, int] = VIEWPORT,
    storage_state: dict | None = None,
    bypass_csp: bool = False,
):
    context = browser.new_context(
        viewport=viewport,
        accept_downloads=True,
        java_script_enabled=javascript_enabled,
        locale="en-GB",
        storage_state=storage_state,
        bypass_csp=bypass_csp,
    )
    context.add_init_script(PAGE_PROBES)
    page = context.new_page()
    page.set_default_timeout(10_000)
    session = BrowserSession(page=page, base_url=live_server.base_url)
    errors = session.console_errors

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            errors.append(f"console error: {message.text} at {where}")

    def on_response(response) -> None:
        if response.status >= 400:
            errors.append(f"HTTP {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    try:
        yield session
    finally:
        context.close()
