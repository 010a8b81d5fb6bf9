"""The edit and new-row pages' kept frame (app.frames).

A clean form page (a GET: no problems, no field errors) is the same markup for every
row of a table shown to one caller, except for

- the widgets (their values, a select's options),
- the read-only values,
- the hidden fields (the signed original values, the CSRF token),
- the row's cancel and delete links.

It is rendered once through ``edit/form.html`` and its field macro with a hole in
each of those places, while the widgets the macro asks for are recorded with the
attributes it gave them. A request then makes only those widget calls (the very
calls the macro makes) and fills the holes. Pages with problems are rendered whole.
"""

from __future__ import annotations

from typing import Any

from flask import get_flashed_messages, render_template
from markupsafe import Markup, escape

from app.frames import caller_shape, hole, kept

Widget = tuple[str, str, dict[str, Any]]  # (hole, field name, widget attributes)


class _FieldHole:
    """Stands in for a bound field while the frame is rendered: its attributes are
    the field's; calling it (the macro asking for the widget) records the call and
    prints a hole."""

    __slots__ = ("_field", "_name", "_widgets")

    def __init__(self, field: Any, name: str, widgets: list[Widget]) -> None:
        self._field = field
        self._name = name
        self._widgets = widgets

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._field, attr)

    def __call__(self, **attrs: Any) -> Markup:
        slot = f"w{len(self._widgets)}"
        self._widgets.append((slot, self._name, dict(attrs)))
        return hole(slot)


class _FormHoles:
    """Stands in for the form while the frame is rendered. It offers only what the
    form templates use; a template asking for anything else fails loudly instead
    of keeping one request's values in the frame."""

    def __init__(self, form: Any) -> None:
        self._form = form
        self.widgets: list[Widget] = []

    @property
    def errors(self) -> dict:
        return {}

    def __getitem__(self, name: str) -> _FieldHole:
        return _FieldHole(self._form[name], name, self.widgets)

    def hidden_tag(self) -> Markup:
        return hole("hidden")


def framed_form_page(context: dict[str, Any]) -> str:
    """The clean form page ``edit/form.html`` renders from ``context`` (without
    problems or field errors), from the kept frame."""
    form = context["form"]
    info = context["info"]
    row = context["row"]
    display = context["display"]
    delete_url = context["delete_url"]
    flashes = get_flashed_messages(with_categories=True)
    key = (
        "edit-form",
        id(info),
        caller_shape(),
        context["creating"],
        type(form),
        tuple(context["specs"]),
        delete_url is not None,
    )

    def render() -> tuple[str, tuple]:
        holes = _FormHoles(form)
        readonly: list[tuple[str, str]] = []

        def display_hole(_value: Any, column: str) -> Markup:
            slot = f"r{len(readonly)}"
            readonly.append((slot, column))
            return hole(slot)

        page = render_template(
            "edit/form.html",
            **{
                **context,
                "form": holes,
                "problems": [],
                "display": display_hole,
                "cancel_url": hole("cancel"),
                "delete_url": hole("delete") if delete_url is not None else None,
            },
        )
        return page, (tuple(holes.widgets), tuple(readonly))

    frame = kept(key, info, render, keep=not flashes, expect=frozenset({"hidden"}))
    widgets, readonly = frame.data
    values = {
        "hidden": str(form.hidden_tag()),
        "cancel": str(escape(context["cancel_url"])),
    }
    if delete_url is not None:
        values["delete"] = str(escape(delete_url))
    for slot, column in readonly:
        values[slot] = str(escape(display(row.get(column), column)))
    for slot, name, attrs in widgets:
        values[slot] = str(form[name](**attrs))
    return frame.fill(values)
