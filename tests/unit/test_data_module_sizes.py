"""The data layer stays in modules a reader can hold: none past about 600 lines."""

from __future__ import annotations

from pathlib import Path

import app.data

MAX_LINES = 600


def test_data_modules_each_stay_under_600_lines():
    """GIVEN every Python module under app/data (packages included)
    WHEN their lines are counted
    THEN none has more than 600: a bigger one is split along its seams."""
    root = Path(app.data.__file__).parent
    sizes = {
        str(path.relative_to(root)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(root.rglob("*.py"))
    }
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
