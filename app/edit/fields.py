"""The WTForms fields and validators that apply the column rules (app.catalog.columns).

Each ``Rule*Field`` parses its submitted text with the column's rule (the parser CSV
imports use), so a form refuses what an import refuses, in the same words;
``RuleRequired`` and ``RuleCheck`` are the rule's required and range / scale / length
checks as validators; ``RuleChoiceField`` and ``choice_options`` are the select of the
values a CHECK lists. The form builder (app.edit.forms) picks one per column.
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    Field,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from app.catalog.columns import REQUIRED, BadInput, ColumnRule


class RuleRequired:
    """A required column's field: refused when the submitted text parses to no
    value (empty, or only spaces for non-text kinds), in the rule's words."""

    field_flags = {"required": True}

    def __call__(self, _form: Any, field: Field) -> None:
        if field.process_errors:  # unparsable: its own message says why
            raise StopValidation()
        if field.data is None or field.data == "":
            field.errors[:] = []
            raise StopValidation(REQUIRED)


class RuleCheck:
    """The column rule's range, scale and length check as a WTForms validator,
    with the HTML attributes (min, max, maxlength) it implies."""

    def __init__(self, rule: ColumnRule) -> None:
        self.rule = rule
        self.field_flags = rule.flags()

    def __call__(self, _form: Any, field: Field) -> None:
        try:
            self.rule.check(field.data)
        except BadInput as exc:
            raise ValidationError(str(exc)) from None


class RuleParsed:
    """A field whose submitted text is parsed by the column rule (the import's
    parser): its data is the typed value, a refusal the rule's message, and the
    widget shows the text as typed. ``type`` stays the WTForms class name the
    templates and ``field_view`` know."""

    wtforms_type = ""

    def __init__(self, *args: Any, rule: ColumnRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.type = self.wtforms_type

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = self.parsed(self.rule.parse(valuelist[0]))
        except BadInput as exc:
            self.data = None
            raise ValueError(str(exc)) from None

    def parsed(self, value: Any) -> Any:
        return value

    def _value(self) -> Any:
        if self.raw_data:
            return self.raw_data[0]
        return super()._value()


class RuleIntegerField(RuleParsed, IntegerField):
    wtforms_type = "IntegerField"


class RuleDecimalField(RuleParsed, DecimalField):
    wtforms_type = "DecimalField"


class RuleFloatField(RuleParsed, FloatField):
    wtforms_type = "FloatField"


class RuleDateField(RuleParsed, DateField):
    wtforms_type = "DateField"


class RuleDateTimeField(RuleParsed, DateTimeLocalField):
    wtforms_type = "DateTimeLocalField"


class RuleTimeField(RuleParsed, TimeField):
    wtforms_type = "TimeField"


class RuleTextField(RuleParsed, StringField):
    wtforms_type = "StringField"


class RuleBooleanField(RuleParsed, BooleanField):
    """A checkbox: absent is False, a sent value must be a yes/no word."""

    wtforms_type = "BooleanField"

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if not valuelist:
            self.data = False

    def parsed(self, value: Any) -> Any:
        return bool(value)


class RuleYesNoField(RuleParsed, SelectField):
    """The yes / no / empty select of a nullable boolean; the data stays in the
    widget's form ("1", "0", "") so the choice is shown again after an error."""

    wtforms_type = "SelectField"

    def parsed(self, value: Any) -> Any:
        return "" if value is None else ("1" if value else "0")

    def _value(self) -> Any:  # a select shows its data, not raw text
        return SelectField._value(self)

    def pre_validate(self, form: Any) -> None:
        if not self.process_errors:  # a refused word is one message, not two
            super().pre_validate(form)


class RuleChoiceField(RuleParsed, SelectField):
    """A select of the values a CHECK lists (``status IN (...)``); the data is the
    parsed value, and the rule's check refuses anything else in its words."""

    wtforms_type = "SelectField"

    def __init__(self, *args: Any, rule: ColumnRule, **kwargs: Any) -> None:
        parse = rule.parse

        def coerce(value: Any) -> Any:  # a choice's text as the parsed value
            if not isinstance(value, str):
                return value
            try:
                return parse(value)
            except BadInput:
                return value

        super().__init__(*args, rule=rule, coerce=coerce, **kwargs)

    def _value(self) -> Any:  # a select shows its data, not raw text
        return SelectField._value(self)

    def pre_validate(self, form: Any) -> None:
        """Nothing: RuleCheck says what is allowed."""


def choice_options(rule: ColumnRule, current: Any = None) -> list[SelectChoice]:
    """(value, text) options of a CHECK-listed column, plus a stored value it does
    not list (an old row): shown, not lost."""
    listed = [str(v) for v in rule.choices or ()]
    options = [SelectChoice("", "—")] + [SelectChoice(v, v) for v in listed]
    if current is not None and str(current) not in listed:
        options.append(SelectChoice(str(current), str(current)))
    return options
