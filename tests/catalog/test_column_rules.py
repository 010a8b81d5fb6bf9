"""Forms and imports share one set of column rules (app.catalog.columns): they agree
on which columns may be set and on what they accept and refuse, in the same words."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Column,
    Computed,
    FetchedValue,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)
from sqlalchemy.dialects import mssql
from werkzeug.datastructures import MultiDict

from app import models  # noqa: F401  (the demo models on db.metadata)
from app.catalog import DEFAULT_SETTINGS, build_catalog, catalog_from_metadata
from app.data import imports
from app.edit.forms import field_specs, form_class, form_values
from app.extensions import db

# Columns the database fills, and a binary column (the demo models have none).
documents = Table(
    "documents",
    MetaData(),
    Column("document_id", Integer, Identity(), primary_key=True),
    Column("title", String(100), nullable=False),
    Column("scan", LargeBinary),
    Column("title_length", Integer, Computed("len(title)")),
    Column("row_version", mssql.TIMESTAMP, server_default=FetchedValue()),
    schema="corp",
)
DOCUMENTS = build_catalog([documents], None).get("corp.documents")
DEMO = catalog_from_metadata(db.metadata, DEFAULT_SETTINGS)
DEMO_COLUMNS = [
    (key, name) for key, info in sorted(DEMO.tables.items()) for name in info.columns
]
EDITABLE_DEMO_COLUMNS = [
    (key, name)
    for key, name in DEMO_COLUMNS
    if name in imports.importable_columns(DEMO.get(key), ())
]
SAMPLES = [
    "",
    " ",
    "12",
    "-3",
    "300",
    "1,5",
    "12.345",
    "1e400",
    "abc",
    "99999999999999999999",
    "2024-03-01",
    "01.03.2024",
    "2024-02-30",
    "2024-03-01 10:30",
    "10:30",
    "yes",
    "maybe",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "x" * 300,
]


def _form_result(app, info, name: str, text: str):
    """(errors, value) of the new-row form's field for ``name`` given ``text``."""
    specs = field_specs(info, frozenset(), creating=True, fk_modes={})
    (spec,) = [s for s in specs if s.column == name]
    with app.test_request_context(method="POST"):
        form = form_class(info, specs, creating=True)(
            formdata=MultiDict({spec.field_name: text})
        )
        form.validate()
        errors = list(form[spec.field_name].errors)
        values = form_values(info, specs, form, creating=True)
        errors += [e for e in form[spec.field_name].errors if e not in errors]
        return errors, values.get(name)


def _import_result(info, name: str, text: str):
    """(errors, value) of an import cell for ``name`` given ``text``."""
    try:
        return [], imports.converter(info, name)(text)
    except imports.BadCell as exc:
        return [str(exc)], None


@pytest.mark.parametrize(
    ("key", "name"),
    DEMO_COLUMNS + [("corp.documents", name) for name in DOCUMENTS.columns],
)
def test_form_and_import_agree_on_editability(key, name):
    """GIVEN a column of the demo models or of a table with identity, binary,
    computed and rowversion columns
    WHEN a new-row form and an insert import decide whether it can be set
    THEN they decide the same."""
    info = DOCUMENTS if key == "corp.documents" else DEMO.get(key)
    specs = field_specs(info, frozenset(), creating=True, fk_modes={})
    (spec,) = [s for s in specs if s.column == name]
    assert (not spec.read_only) == (name in imports.importable_columns(info, ()))


@pytest.mark.parametrize(("key", "name"), EDITABLE_DEMO_COLUMNS)
def test_form_and_import_agree_on_parsing_and_refusals(make_app, key, name):
    """GIVEN an editable column of the demo models and texts of every kind
    WHEN each text is submitted in the new-row form and imported as a CSV cell
    THEN both refuse it with the same message, or both accept the same value
    (an empty text: both refuse or both accept)."""
    info = DEMO.get(key)
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = False
    for text in SAMPLES:
        form_errors, form_value = _form_result(app, info, name, text)
        import_errors, import_value = _import_result(info, name, text)
        if not text.strip():
            assert bool(form_errors) == bool(import_errors), repr(text)
            continue
        assert form_errors == import_errors, repr(text)
        if not form_errors:
            assert form_value == import_value, repr(text)


# --- columns the database fills, and binary columns -----------------------------

READ_ONLY = {
    "document_id": "is set by the database",
    "scan": "is binary: binary values cannot be typed in",
    "title_length": "is set by the database",
    "row_version": "is set by the database",
}


@pytest.mark.parametrize(("name", "reason"), READ_ONLY.items())
def test_import_mapped_to_a_read_only_column_is_refused_as_the_form_treats_it(
    name, reason
):
    """GIVEN an identity, binary, computed and rowversion column, read-only in forms
    WHEN an import maps a file column to one of them
    THEN the mapping is refused with the reason, before any row is read."""
    specs = field_specs(DOCUMENTS, frozenset(), creating=True, fk_modes={})
    assert next(s for s in specs if s.column == name).read_only
    parsed = imports.parse(b"title,other\r\nScan 1,0x4142\r\n")
    checked = imports.Checked()
    mapping = {"title": "title", "other": name}
    the_plan = imports.plan(DOCUMENTS, (), parsed.headers, mapping, "insert", checked)
    assert the_plan is None
    (problem,) = checked.problems
    assert (problem.row, problem.column) == (0, "other")
    assert problem.message == f"{name!r} {reason}, so it cannot be imported"
