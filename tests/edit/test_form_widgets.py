"""The form's fast widgets render exactly what WTForms' own widgets render."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.dialects import mssql
from werkzeug.datastructures import MultiDict
from wtforms import widgets

from app.catalog import build_catalog
from app.edit.forms import field_specs, form_class

KINDS = Table(
    "kinds",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
    Column("code", String(5)),
    Column("small", mssql.TINYINT),
    Column("count", Integer, nullable=False),
    Column("price", Numeric(8, 2)),
    Column("ratio", Float),
    Column("born", Date),
    Column("seen", DateTime),
    Column("at", Time),
    Column("guid", Uuid),
    Column("notes", Text),
    Column("active", Boolean, nullable=False),
    Column("maybe", Boolean),
    Column("parent", Integer),
    Column("other", Integer),
    schema="shop",
)

ROWS = [
    {},
    {
        "name": 'Tom & "Jerry" <b>',
        "code": "a'b",
        "small": 7,
        "count": -3,
        "price": decimal.Decimal("12.50"),
        "ratio": 0.25,
        "born": dt.date(2024, 2, 29),
        "seen": dt.datetime(2024, 1, 2, 3, 4, 5),
        "at": dt.time(13, 14, 15),
        "guid": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "notes": "line 1\nline <2> & 'three'",
        "active": True,
        "maybe": "1",
        "parent": "2",
        "other": "<x>",
    },
]
POSTED = MultiDict(
    {
        "f_name": "",
        "f_small": "999",
        "f_count": "abc",
        "f_price": "1.234",
        "f_born": "2024-13-01",
        "f_seen": "yesterday",
        "f_active": "y",
        "f_maybe": "0",
        "f_parent": "nope",
        "f_notes": "<script>",
    }
)
EXTRA = [
    {},
    {
        "class_": "form-control is-invalid",
        "aria-describedby": "f-error f-help",
        "aria-invalid": "true",
        "role": "switch",
    },
    {"list": "dl-x", "autocomplete": "off", "hx-get": "/t/a?b=1&c=<2>"},
]


def _stock(widget):
    """The WTForms widget the fast one stands in for, with the same settings."""
    base = next(c for c in type(widget).__mro__ if c.__module__.startswith("wtforms"))
    twin = base.__new__(base)
    twin.__dict__.update(widget.__dict__)
    return twin


def _forms(app):
    info = build_catalog([KINDS], None).get("shop.kinds")
    modes = {"parent": "select", "other": "lookup"}
    specs = field_specs(info, frozenset(), creating=True, fk_modes=modes)
    cls = form_class(info, specs, creating=True)
    choices = [("", "—"), ("1", "One"), ("2", 'Two & "2"'), ("3", "")]
    for row in ROWS:
        form = cls(formdata=None, data={f"f_{k}": v for k, v in row.items()})
        form["f_parent"].choices = choices
        yield form
    form = cls(formdata=POSTED)
    form["f_parent"].choices = choices
    assert not form.validate()
    yield form


@pytest.mark.parametrize("extra", EXTRA)
def test_fast_widgets_render_like_wtforms(app, extra):
    """GIVEN a form with a field of every kind, empty, filled with values that
    need escaping, and posted with bad values (errors)
    WHEN each field is rendered by its fast widget and by the WTForms widget it
    replaces, with the macro's extra attributes
    THEN the HTML is identical, and every fast widget was exercised."""
    seen = set()
    with app.test_request_context():
        for form in _forms(app):
            for field in form:
                if field.name == "csrf_token":
                    continue
                fast = field.widget
                assert type(fast).__module__ == "app.edit.forms", field.name
                seen.add(type(fast).__name__)
                stock = _stock(fast)
                assert isinstance(
                    stock, widgets.Input | widgets.Select | widgets.TextArea
                )
                assert fast(field, **extra) == stock(field, **extra), field.name
    assert seen >= {
        "FastTextInput",
        "FastHiddenInput",
        "FastNumberInput",
        "FastDateInput",
        "FastDateTimeLocalInput",
        "FastTimeInput",
        "FastCheckbox",
        "FastSelect",
        "FastTextArea",
    }
