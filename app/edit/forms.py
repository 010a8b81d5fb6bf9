"""Forms generated from column metadata (Flask-WTF).

One field per column the caller may set, by the column rules CSV imports use too
(app.catalog.columns: editability, required, range, length, scale, and the parsing
of the submitted text, so form and import accept and refuse the same values with the
same words): date / datetime-local / checkbox widgets, foreign keys as a select
(small referenced tables) or a searchable lookup (large ones). Server-managed columns
(identity, computed, rowversion, clock/newid defaults), primary keys on edit, and
binary columns are shown read-only and are never fields, so a crafted POST cannot set
them; columns hidden from the caller are neither shown nor read. The field classes
and validators that apply the column rules are in app.edit.fields; this module picks
one per column and builds, fills, reads and signs the form.

wtforms-sqlalchemy's ``model_form`` was considered: it needs ORM classes and knows
neither SQL Server's tinyint/money ranges nor server-managed columns, so the fields
are built here from the ``Column`` objects with plain WTForms.

The values the form was opened with travel in one signed hidden field
(``original_token``: the table, the primary key and the rowversion or the original
values), so a tampered key or original is detected (400) and concurrency needs no
server state.
"""

from __future__ import annotations

import decimal
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    Field,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app import signing
from app.catalog import ColumnInfo, TableInfo
from app.catalog.columns import BadInput, column_rule
from app.data.values import tag, untag
from app.data.writes import rowversion_column
from app.edit.fields import (
    RuleBooleanField,
    RuleCheck,
    RuleChoiceField,
    RuleDateField,
    RuleDateTimeField,
    RuleDecimalField,
    RuleFloatField,
    RuleIntegerField,
    RuleRequired,
    RuleTextField,
    RuleTimeField,
    RuleYesNoField,
    choice_options,
)
from app.errors import AppError

ORIGINAL_FIELD = "original_token"


YES_NO_CHOICES = [
    SelectChoice("", "—"),
    SelectChoice("1", "Yes"),
    SelectChoice("0", "No"),
]
# WTForms' own widgets, one instance each (widgets keep no per-field state).
TEXT_INPUT = widgets.TextInput()
NUMBER_INPUT = widgets.NumberInput()
ANY_NUMBER_INPUT = widgets.NumberInput(step="any")
DATE_INPUT = widgets.DateInput()
DATETIME_INPUT = widgets.DateTimeLocalInput()
TIME_INPUT = widgets.TimeInput()
CHECKBOX_INPUT = widgets.CheckboxInput()
HIDDEN_INPUT = widgets.HiddenInput()
SELECT = widgets.Select()
TEXT_AREA = widgets.TextArea()
SIGNING_PURPOSE = "edit"  # app.signing's purpose (salt "tablefront.edit.original")


@dataclass(frozen=True)
class FieldSpec:
    """How one column appears in the form."""

    column: str  # column name
    field_name: str  # HTML name (column names may contain spaces)
    label: str
    kind: str
    read_only: bool
    fk_mode: str = ""  # "" | "select" | "lookup"


def field_name(column: str) -> str:
    """An HTML-safe field name for a column (spaces and symbols become _)."""
    return "f_" + re.sub(r"\W", "_", column)


def _field_for(info: ColumnInfo, spec: FieldSpec, required: bool) -> Field:
    rule = column_rule(info)
    validators: list[Any] = [RuleRequired() if required else Optional()]
    render: dict[str, Any] = {"data-testid": f"field-{spec.column}"}
    if required:
        render["required"] = True
    kind = info.kind
    if spec.fk_mode == "select":
        return SelectField(
            spec.label,
            validators=validators,
            render_kw=render,
            coerce=str,
            validate_choice=True,
            widget=SELECT,
        )
    if spec.fk_mode == "lookup":
        return StringField(
            spec.label, validators=validators, render_kw=render, widget=TEXT_INPUT
        )
    validators.append(RuleCheck(rule))
    if rule.choices is not None and kind != "bool":
        return RuleChoiceField(
            spec.label,
            rule=rule,
            choices=choice_options(rule),
            validators=validators,
            render_kw=render,
            widget=SELECT,
        )
    if kind == "bool":
        if required or not info.nullable:
            return RuleBooleanField(
                spec.label, rule=rule, render_kw=render, widget=CHECKBOX_INPUT
            )
        return RuleYesNoField(
            spec.label,
            rule=rule,
            choices=YES_NO_CHOICES,
            validators=[Optional()],
            render_kw=render,
            widget=SELECT,
        )
    common = {"rule": rule, "validators": validators, "render_kw": render}
    if kind in {"int", "float"}:
        render.update(rule.flags())  # min/max: the type's range and CHECK's
    if kind == "int":
        render["step"] = 1
        return RuleIntegerField(spec.label, widget=NUMBER_INPUT, **common)
    if kind in {"decimal", "money"}:
        # Text, not type=number: "90,900.00" is accepted as typed (a browser's
        # number input would drop it), inputmode brings the phone's number pad.
        render["inputmode"] = "decimal"
        return RuleDecimalField(spec.label, places=None, widget=TEXT_INPUT, **common)
    if kind == "float":
        return RuleFloatField(spec.label, widget=ANY_NUMBER_INPUT, **common)
    if kind == "date":
        return RuleDateField(spec.label, widget=DATE_INPUT, **common)
    if kind == "datetime":
        common["render_kw"] = {**render, "step": 1}
        return RuleDateTimeField(
            spec.label,
            format=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"],
            widget=DATETIME_INPUT,
            **common,
        )
    if kind == "time":
        return RuleTimeField(spec.label, format="%H:%M:%S", widget=TIME_INPUT, **common)
    if kind == "guid":
        return RuleTextField(spec.label, widget=TEXT_INPUT, **common)
    if rule.max_length:
        render["maxlength"] = rule.max_length
    if kind == "longtext":
        return TextAreaField(
            spec.label, validators=validators, render_kw=render, widget=TEXT_AREA
        )
    return StringField(
        spec.label, validators=validators, render_kw=render, widget=TEXT_INPUT
    )


@dataclass(frozen=True, slots=True)
class FieldView:
    """What ``render_field`` (templates/_macros.html) lays out for one field."""

    id: str
    label: str
    required: bool
    switch: bool  # a BooleanField: label above a switch
    wrapper: str  # the wrapper's extra classes
    widget: Markup
    errors: Sequence[str]
    error_id: str
    help_id: str
    hints: Markup  # description and widget hint, escaped, or empty


def split_specs(
    specs: Sequence[FieldSpec],
) -> tuple[list[FieldSpec], list[FieldSpec]]:
    """(read-only specs, editable specs), in order: for the form templates."""
    readonly: list[FieldSpec] = []
    editable: list[FieldSpec] = []
    for spec in specs:
        (readonly if spec.read_only else editable).append(spec)
    return readonly, editable


SELECT_TYPES = frozenset({"SelectField", "QuerySelectField"})


def field_view(
    field: Field, help: str | None = None, wide: bool = False, attrs: Any = None
) -> FieldView:
    """The macro's decisions for one field, made in Python (a template spends
    microseconds per attribute lookup): the widget with its classes, ARIA links to
    the error and help texts, and the wrapper's classes."""
    errors = field.errors
    hints = [h for h in (field.description, help) if h]
    field_id = field.id
    error_id = f"{field_id}-error"
    help_id = f"{field_id}-help"
    attrs = dict(attrs or ())
    described = ([error_id] if errors else []) + ([help_id] if hints else [])
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if errors:
        attrs["aria-invalid"] = "true"
    invalid = " is-invalid" if errors else ""
    kind = field.type
    switch = kind == "BooleanField"
    if switch:
        widget = field(class_="form-check-input" + invalid, role="switch", **attrs)
    else:
        base = "form-select" if kind in SELECT_TYPES else "form-control"
        widget = field(class_=base + invalid, **attrs)
    wide = wide or kind == "TextAreaField"
    wrapper = (" tf-field-wide" if wide else "") + (" tf-field-error" if errors else "")
    return FieldView(
        id=field_id,
        label=field.label.text,
        required=bool(field.flags.required),
        switch=switch,
        wrapper=wrapper,
        widget=widget,
        errors=errors,
        error_id=error_id,
        help_id=help_id,
        hints=Markup(" ").join(hints),
    )


class EditForm(FlaskForm):
    """Base of every generated form: the signed original values ride along."""

    original_token = HiddenField(
        render_kw={"data-testid": "original-token"}, widget=HIDDEN_INPUT
    )


def field_specs(
    info: TableInfo,
    hidden: frozenset[str],
    *,
    creating: bool,
    fk_modes: Mapping[str, str],
) -> list[FieldSpec]:
    """Every visible column, in table order, with whether it is editable."""
    specs = []
    for name, col_info in info.columns.items():
        if name in hidden:
            continue
        read_only = not column_rule(col_info).editable(creating)
        specs.append(
            FieldSpec(
                column=str(name),  # not quoted_name: templates escape it cheaply
                field_name=field_name(name),
                label=str(col_info.label),
                kind=col_info.kind,
                read_only=read_only,
                fk_mode=fk_modes.get(name, "") if not read_only else "",
            )
        )
    return specs


# WTForms form classes are declared once and instantiated per request: building one
# per request cost about 0.3 ms and left a class (a reference cycle) for the
# collector. A class holds field declarations only, from the table and the specs
# (no row values, choices or caller: those are bound on each instance).
_FORM_CLASSES: dict[tuple, tuple[TableInfo, type[EditForm]]] = {}
_FORM_CLASSES_MAX = 256


def form_class(
    info: TableInfo, specs: Sequence[FieldSpec], *, creating: bool
) -> type[EditForm]:
    """A FlaskForm subclass with one field per editable spec, made once per table
    and set of fields."""
    key = (id(info), tuple(specs), creating)
    found = _FORM_CLASSES.get(key)
    if found is not None and found[0] is info:  # the id of a live catalog entry
        return found[1]
    if len(_FORM_CLASSES) >= _FORM_CLASSES_MAX:
        _FORM_CLASSES.clear()
    cls = _new_form_class(info, specs, creating)
    _FORM_CLASSES[key] = (info, cls)
    return cls


def _new_form_class(
    info: TableInfo, specs: Sequence[FieldSpec], creating: bool
) -> type[EditForm]:
    attrs: dict[str, Any] = {}
    for spec in specs:
        if spec.read_only:
            continue
        col_info = info.columns[spec.column]
        required = column_rule(col_info).required(creating)
        unbound = _field_for(col_info, spec, required)
        if col_info.help:
            unbound.kwargs["description"] = col_info.help  # the macro shows it
        attrs[spec.field_name] = unbound
    return type(f"{info.name.title()}Form", (EditForm,), attrs)


def form_data(
    info: TableInfo, specs: Sequence[FieldSpec], row: Mapping[str, Any]
) -> dict[str, Any]:
    """Initial field data from a row (booleans and FK keys in their widget form)."""
    data: dict[str, Any] = {}
    for spec in specs:
        if spec.read_only or spec.column not in row:
            continue
        value = row[spec.column]
        if spec.fk_mode:
            value = "" if value is None else str(value)
        elif spec.kind == "bool" and info.columns[spec.column].nullable:
            value = "" if value is None else ("1" if value else "0")
        elif spec.kind == "guid" and value is not None:
            value = str(value)
        elif spec.kind in {"decimal", "money"} and value is not None:
            value = decimal_text(value, column_rule(info.columns[spec.column]).scale)
        data[spec.field_name] = value
    return data


def decimal_text(value: Any, scale: int | None) -> str:
    """A decimal as an input shows it: the column's scale exactly (90900.00 for
    DECIMAL(12, 2), 4 places for money), no thousands separators."""
    number = decimal.Decimal(value)
    if scale is not None:
        number = number.quantize(decimal.Decimal(10) ** -scale)
    return format(number, "f")


def refill(
    form: EditForm,
    info: TableInfo,
    specs: Sequence[FieldSpec],
    row: Mapping[str, Any],
) -> None:
    """Show ``row``'s values in the fields of ``specs`` (dropping what was posted
    for them): the conflict page's fields this user did not change."""
    for name, value in form_data(info, specs, row).items():
        field = form[name]
        field.raw_data = None  # widgets show raw_data first
        field.data = value
        field.errors = []


def _typed(col_info: ColumnInfo, spec: FieldSpec, raw: Any) -> Any:
    if raw is None or raw == "":
        return None
    if spec.kind == "bool":
        return raw if isinstance(raw, bool) else raw == "1"
    if spec.kind == "guid":
        return uuid.UUID(str(raw))
    if spec.fk_mode:  # a key typed or chosen: parsed by the key column's rule
        try:
            return column_rule(col_info).parse(str(raw))
        except BadInput as exc:
            raise ValueError(str(exc)) from None
    return raw


def form_values(
    info: TableInfo, specs: Sequence[FieldSpec], form: EditForm, *, creating: bool
) -> dict[str, Any]:
    """Column values from a validated form. Empty text is NULL for nullable columns;
    on create, empty optional columns are left out so server defaults apply."""
    values: dict[str, Any] = {}
    for spec in specs:
        if spec.read_only:
            continue
        col_info = info.columns[spec.column]
        if form[spec.field_name].errors:
            continue  # refused already: its message is on the field
        raw = form[spec.field_name].data
        if (
            isinstance(raw, str)
            and spec.kind in {"text", "longtext"}
            and not spec.fk_mode
        ):
            raw = raw if raw != "" or not col_info.nullable else None
        try:
            value = _typed(col_info, spec, raw)
        except ValueError as exc:
            form[spec.field_name].errors = [*form[spec.field_name].errors, str(exc)]
            continue
        if creating and value is None and column_rule(col_info).defaulted:
            continue
        values[spec.column] = value
    return values


# --- the signed original -----------------------------------------------------------


def original_values(
    info: TableInfo, specs: Sequence[FieldSpec], row: Mapping[str, Any]
) -> dict[str, Any]:
    """What proves the row unchanged: its rowversion, else its editable values."""
    rv = rowversion_column(info.table)
    if rv is not None:
        return {rv.name: row[rv.name]}
    return base_values(specs, row)


def base_values(specs: Sequence[FieldSpec], row: Mapping[str, Any]) -> dict[str, Any]:
    """The editable values a form opens with: what tells which fields a user
    changed (app.edit.merge)."""
    return {s.column: row[s.column] for s in specs if not s.read_only}


@dataclass(frozen=True)
class Signed:
    """A decoded original token: the concurrency originals and the base values the
    form was opened with (None from a token signed before bases were carried)."""

    original: dict[str, Any]
    base: dict[str, Any] | None


def sign_original(
    info: TableInfo,
    pk: Mapping[str, Any],
    original: Mapping[str, Any],
    base: Mapping[str, Any] | None = None,
) -> str:
    """The hidden field's value: table, key, originals and (when they are not the
    originals themselves, as on rowversion tables) the base values, signed with
    SECRET_KEY."""
    payload: dict[str, Any] = {
        "t": info.key,
        "k": [tag(v) for v in pk.values()],
        "o": {k: tag(v) for k, v in original.items()},
    }
    if base is not None and dict(base) != dict(original):
        payload["b"] = {k: tag(v) for k, v in base.items()}
    return signing.sign(SIGNING_PURPOSE, payload)


def sign_form(
    info: TableInfo,
    pk: Mapping[str, Any],
    specs: Sequence[FieldSpec],
    row: Mapping[str, Any],
) -> str:
    """The token of an edit form opened on ``row``: its originals and its base."""
    return sign_original(
        info, pk, original_values(info, specs, row), base_values(specs, row)
    )


def read_signed(info: TableInfo, pk: Mapping[str, Any], token: str | None) -> Signed:
    """Originals and base from a signed token; 400 when it is missing, forged, or
    for another table or row (a tampered primary key)."""
    tampered = AppError(
        400,
        "Form tampered or incomplete",
        "The form's hidden check values are missing or were changed, so it was not "
        "saved. Reload the page and make your change again.",
    )
    if not token:
        raise tampered
    try:
        payload = signing.unsign(SIGNING_PURPOSE, token)
        keys = [untag(v) for v in payload["k"]]
        original = {k: untag(v) for k, v in payload["o"].items()}
        base = payload.get("b")
        if base is not None:
            base = {k: untag(v) for k, v in base.items()}
    except (signing.BadToken, KeyError, TypeError, ValueError, AttributeError):
        raise tampered from None
    if payload.get("t") != info.key or keys != list(pk.values()):
        raise tampered
    if base is None and rowversion_column(info.table) is None:
        base = original  # the originals are the form's editable values
    return Signed(original, base)


def read_original(
    info: TableInfo, pk: Mapping[str, Any], token: str | None
) -> dict[str, Any]:
    """The originals from a signed token (see ``read_signed``)."""
    return read_signed(info, pk, token).original
