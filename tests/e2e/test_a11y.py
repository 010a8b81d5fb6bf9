"""axe-core on every main page, as every demo persona, at laptop and phone width.

Fails on any serious or critical violation and says, per page, persona and width,
which rule broke, on which elements, and where axe explains the fix. The pages are
the data-driven list in tests/e2e/pages.py.
"""

from __future__ import annotations

import pytest

from tests.e2e.axe import axe_path, serious_violations
from tests.e2e.pages import MAIN_PAGES, PERSONAS, WIDTHS, MainPage


@pytest.fixture
def demo(live_server):
    """The demo server with an audit entry; skips (fails where required) without."""
    live_server.require_demo()
    live_server.ensure_history()
    return live_server


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=[p.name for p in MAIN_PAGES])
def test_axe_main_page_as_every_persona_has_no_serious_violations(
    open_session, demo, main_page: MainPage, width: str
):
    """GIVEN one main page of the demo at one width
    WHEN each demo persona opens it (a persona refused sees the error page) and
    axe-core checks it
    THEN axe reports no serious or critical violation.
    """
    script = axe_path()
    report: list[str] = []
    for persona in PERSONAS:
        tf = open_session(viewport=WIDTHS[width], login=persona.login, bypass_csp=True)
        tf.page.goto(tf.url(main_page.path))
        found = serious_violations(tf.page, script)
        if found:
            report.append(
                f"{main_page.name} ({main_page.path}) as {persona.login} "
                f"({persona.role}) at {width}px:"
            )
            report += [v.describe() for v in found]

    if report:
        pytest.fail(
            "axe-core found serious/critical accessibility violations; fix the "
            "template or CSS named by each target (app/templates, app/static/css):\n"
            + "\n".join(report),
            pytrace=False,
        )
