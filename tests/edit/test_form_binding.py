"""Edit forms bind their fields by copying the first bound field of their class
(app.edit.forms.EditForm.Meta.bind_field): the copies behave exactly like fields
WTForms binds, and no form shares state with another."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import widgets
from wtforms.meta import DefaultMeta

from app.edit.forms import EditForm
from tests.edit.test_form_widgets import EXTRA, _forms


def _snapshot(form) -> list[tuple]:
    """What a form shows and decided, field by field."""
    out = []
    for field in form:
        if field.name == "csrf_token":
            continue
        out.append(
            (
                field.name,
                field.type,
                field.label.text,
                field.id,
                field.description,
                repr(field.data),
                list(field.errors),
                sorted(vars(field.flags).items()),
                [str(field(**extra)) for extra in EXTRA],
            )
        )
    return out


def test_copied_fields_behave_like_fields_wtforms_binds(app, monkeypatch):
    """GIVEN the forms of a table with a field of every kind: empty, filled with
    values that need escaping, and posted with bad values
    WHEN each is built with copied fields, then with WTForms' own binding
    THEN every field has the same label, data, errors and flags, and renders the
    same HTML."""
    with app.test_request_context():
        copied = [_snapshot(form) for form in _forms(app)]
        monkeypatch.setattr(EditForm.Meta, "bind_field", DefaultMeta.bind_field)
        stock = [_snapshot(form) for form in _forms(app)]
    assert len(copied) == len(stock) == 3
    assert copied == stock


def test_forms_of_one_class_share_no_state(app):
    """GIVEN a form posted with bad values, given its own choices, and with a
    field's choices and widget attributes changed in place
    WHEN a second form of the same class is built from other values
    THEN the second has no errors, its own data, none of the first's choices or
    attributes, and each field belongs to its own form."""
    with app.test_request_context():
        first, *_ = list(_forms(app))[2:]
        cls = type(first)
        first["f_parent"].choices = [("9", "Nine")]
        maybe_choices = list(first["f_maybe"].choices)
        first["f_maybe"].choices.append(("x", "Changed in place"))
        first["original_token"].render_kw["data-x"] = "changed in place"
        second = cls(formdata=MultiDict({"f_name": "Ok", "f_count": "3"}))
        assert first.errors
        assert second["f_name"].data == "Ok"
        assert second["f_count"].data == 3
        assert not second["f_name"].errors
        assert second["f_parent"].choices != [("9", "Nine")]
        assert second["f_maybe"].choices == maybe_choices
        assert "data-x" not in second["original_token"].render_kw
        for name in ("f_name", "f_parent", "f_active"):
            assert second[name] is not first[name]
            assert second[name].meta is second.meta
            assert first[name].meta is first.meta


def test_csrf_field_renders_like_wtforms(app):
    """GIVEN CSRF protection on, so each form carries Flask-WTF's token field
    WHEN the field is rendered with the fast hidden widget it is given
    THEN the HTML is what WTForms' own hidden widget renders, token included."""
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context():
        form = next(iter(_forms(app)))
        field = form["csrf_token"]
        assert type(field.widget).__name__ == "FastHiddenInput"
        html = str(field())
        assert html == str(widgets.HiddenInput()(field))
        assert 'name="csrf_token"' in html
        assert f'value="{field.current_token}"' in html
