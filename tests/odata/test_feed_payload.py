"""The feed's JSON texts of SQLite's own column values (no SQLAlchemy conversion)."""

from __future__ import annotations

import json

from app.odata.payload import _column_texts


def test_column_texts_sqlite_booleans_become_true_false():
    """GIVEN a Boolean column read raw from SQLite (0/1 and a NULL) WHEN it is
    written THEN the texts are JSON true/false/null, never 1/0."""
    assert _column_texts([1, 0, None], "bool") == ["true", "false", "null"]


def test_column_texts_sqlite_decimals_become_json_numbers():
    """GIVEN a decimal column read raw from SQLite (REAL and INTEGER values) WHEN
    it is written THEN every text parses as the same JSON number."""
    texts = _column_texts([12.5, 3, 264465.45], "decimal")
    assert [json.loads(t) for t in texts] == [12.5, 3, 264465.45]


def test_column_texts_non_finite_sqlite_real_is_not_bare_inf():
    """GIVEN a decimal column holding an infinite REAL WHEN it is written THEN the
    text is valid JSON (no bare inf)."""
    texts = _column_texts([1.5, float("inf")], "decimal")
    assert all(json.loads(t) is not None or t == "null" for t in texts)
    assert "inf" not in texts
