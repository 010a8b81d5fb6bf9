"""Import internals kept fast: line reading, bulk JSON, bulk inserts (issue 6)."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import uuid

import pytest
from sqlalchemy import select

from app.data import writes
from app.data.imports import reading
from app.extensions import db
from tests.edit.world import skills

TRICKY = [
    "a,b\r\nc,d\r\n",
    "a,b\rc,d\re,f",  # old Mac line ends
    'a,"x\r\ny"\nb,"p\rq"\r\n',  # line ends inside quoted fields
    "a,\x0cb\u2028c\r\n,,\r\n  \n",  # characters splitlines() would split at
    "",
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 16])
def test_lines_read_like_one_stringio(monkeypatch, text, block):
    """GIVEN CSV text with every kind of line end, read in blocks of any size
    WHEN it is split into lines and parsed
    THEN the lines and rows are those of one StringIO over the whole text."""
    monkeypatch.setattr(reading, "LINE_BLOCK", block)
    assert list(reading.text_lines(text)) == list(io.StringIO(text, newline=""))
    assert list(csv.reader(reading.text_lines(text))) == list(
        csv.reader(io.StringIO(text, newline=""))
    )


def test_bulk_dumps_writes_the_same_text_as_dumps():
    """GIVEN values of every column type (and a subclass of one)
    WHEN they are encoded for the audit log in bulk
    THEN the text is exactly what writes.dumps gives."""

    class Money(decimal.Decimal):
        pass

    values = {
        "n": 1,
        "s": 'Zoë "q"\n\u2028',
        "d": decimal.Decimal("1234.50"),
        "m": Money("2.5"),
        "day": dt.date(2024, 3, 1),
        "at": dt.datetime(2024, 3, 1, 8, 30, 0, 5),
        "t": dt.time(8, 30),
        "g": uuid.UUID(int=7),
        "f": 1.25,
        "b": True,
        "none": None,
        "raw": b"\x01\xff",
    }
    assert writes.bulk_dumps(values) == writes.dumps(values)
    assert writes.bulk_dumps({}) == writes.dumps({}) == "{}"


def test_insert_rows_binds_typed_values(world):
    """GIVEN typed rows in an order other than the table's columns
    WHEN they are inserted in bulk
    THEN every row is stored with its values (bound, type-processed)."""
    with world.app_context():
        rows = [(3, "Python", 1), (4, "SQL; DROP TABLE x", 2)]
        writes.insert_rows(skills, ["level", "skill", "employee_id"], rows)
        stored = db.session.execute(
            select(skills.c.employee_id, skills.c.skill, skills.c.level).where(
                skills.c.skill.in_(["Python", "SQL; DROP TABLE x"])
            )
        ).all()
        db.session.rollback()
    assert sorted(map(tuple, stored)) == [(1, "Python", 3), (2, "SQL; DROP TABLE x", 4)]
