"""Per-column help text: the ``[tables."schema.table".help]`` setting, its
validation, ``ColumnInfo.help`` and the form field that shows it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import render_template_string

from app.catalog import SettingsError, build_catalog
from app.catalog.settings import load_settings
from app.edit.forms import field_specs, form_class
from tests.browse.shop import make_metadata

HELP = "Stock keeping unit, as printed on the label."
HEAD = '[tables."shop.items"]\nlabel = "I"\n\n[tables."shop.items".help]\n'
SETTINGS = f'{HEAD}sku = "{HELP}"\n'


def _write(tmp_path, text: str):
    path = tmp_path / "tables.toml"
    path.write_text(text, encoding="utf-8")
    return path


class _Elements(HTMLParser):
    """Every start tag's attributes and the text of elements with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        self.tags.append(found)
        self._open.append(found.get("id"))

    def handle_endtag(self, tag) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data) -> None:
        for element_id in self._open:
            if element_id:
                self.text_by_id[element_id] = self.text_by_id.get(element_id, "") + data


def test_settings_help_table_is_read_per_column(tmp_path):
    """GIVEN a settings file with a help text for shop.items.sku
    WHEN it is loaded
    THEN the table's settings carry that text for sku."""
    settings = load_settings(_write(tmp_path, SETTINGS))

    assert settings.tables["shop.items"].column_help == {"sku": HELP}


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("sku = 3\n", 5, "shop.items.help.sku must be a help text"),
        ('sku = "   "\n', 5, "shop.items.help.sku must be a help text"),
    ],
)
def test_settings_help_that_is_not_text_names_file_and_line(
    tmp_path, body, line, message
):
    """GIVEN a help entry that is not a text
    WHEN the settings file is loaded
    THEN SettingsError names the file, the line and the mistake."""
    text = HEAD + body

    with pytest.raises(SettingsError) as caught:
        load_settings(_write(tmp_path, text))

    assert f"tables.toml:{line}: {message}" in str(caught.value)


def test_settings_help_must_be_a_table(tmp_path):
    """GIVEN help written as a plain string instead of a table of columns
    WHEN the settings file is loaded
    THEN SettingsError reports the wrong type on that line."""
    text = '[tables."shop.items"]\nlabel = "I"\nhelp = "everything"\n'

    with pytest.raises(SettingsError) as caught:
        load_settings(_write(tmp_path, text))

    assert "tables.toml:3: shop.items.help has the wrong type" in str(caught.value)


def test_catalog_help_setting_becomes_column_help(tmp_path):
    """GIVEN a help text for shop.items.sku
    WHEN the catalog is built
    THEN ColumnInfo.help of sku holds it and other columns have none."""
    catalog = build_catalog(make_metadata().tables.values(), _write(tmp_path, SETTINGS))

    columns = catalog.get("shop.items").columns
    assert columns["sku"].help == HELP
    assert columns["name"].help == ""


def test_catalog_help_for_unknown_column_names_file_and_line(tmp_path):
    """GIVEN a help text for a column shop.items does not have
    WHEN the catalog is built
    THEN SettingsError names the file, the line and the unknown column."""
    text = HEAD + 'skew = "x"\n'

    with pytest.raises(SettingsError) as caught:
        build_catalog(make_metadata().tables.values(), _write(tmp_path, text))

    assert "tables.toml:5:" in str(caught.value)
    assert "unknown column 'skew'" in str(caught.value)


def test_bundled_settings_give_employee_login_help():
    """GIVEN the bundled app/settings/tables.toml
    WHEN the app's catalog is built
    THEN hr.employees.login explains the DOMAIN\\user form."""
    from app import models  # noqa: F401
    from app.catalog import DEFAULT_SETTINGS, catalog_from_metadata
    from app.extensions import db

    catalog = catalog_from_metadata(db.metadata, DEFAULT_SETTINGS)

    assert "DOMAIN\\user" in catalog.get("hr.employees").columns["login"].help


def test_form_field_shows_column_help_as_described_help_text(app, tmp_path):
    """GIVEN shop.items whose sku column has a help text
    WHEN its new-row form's sku field is rendered through render_field
    THEN a form-text element holds the help and the input points at it."""
    info = build_catalog(make_metadata().tables.values(), None).get("shop.items")
    info.columns["sku"].help = HELP
    specs = field_specs(info, frozenset(), creating=True, fk_modes={})
    with app.test_request_context():
        form = form_class(info, specs, creating=True)(meta={"csrf": False})
        html = render_template_string(
            '{% from "_macros.html" import render_field %}{{ render_field(field) }}',
            field=form["f_sku"],
        )

    parsed = _Elements()
    parsed.feed(html)
    widget = next(t for t in parsed.tags if t.get("name") == "f_sku")
    described = (widget.get("aria-describedby") or "").split()
    assert [parsed.text_by_id[i].strip() for i in described] == [HELP]
    helps = [t for t in parsed.tags if "form-text" in (t.get("class") or "")]
    assert [h.get("id") for h in helps] == described


def test_form_field_without_help_has_no_help_text(app):
    """GIVEN shop.items without help settings
    WHEN the sku field is rendered
    THEN there is no form-text and no aria-describedby."""
    info = build_catalog(make_metadata().tables.values(), None).get("shop.items")
    specs = field_specs(info, frozenset(), creating=True, fk_modes={})
    with app.test_request_context():
        form = form_class(info, specs, creating=True)(meta={"csrf": False})
        html = render_template_string(
            '{% from "_macros.html" import render_field %}{{ render_field(field) }}',
            field=form["f_sku"],
        )

    parsed = _Elements()
    parsed.feed(html)
    widget = next(t for t in parsed.tags if t.get("name") == "f_sku")
    assert "aria-describedby" not in widget
    assert not [t for t in parsed.tags if "form-text" in (t.get("class") or "")]
