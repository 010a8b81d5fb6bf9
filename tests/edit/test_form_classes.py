"""Edit form classes: declared once per table and set of fields, bound per request."""

from __future__ import annotations

from app.catalog import build_catalog
from app.edit.forms import field_specs, form_class
from tests.browse.shop import make_metadata


def _items():
    return build_catalog(make_metadata().tables.values(), None).get("shop.items")


def test_form_class_same_table_and_fields_is_one_class():
    """GIVEN shop.items' field specs
    WHEN its form class is asked for twice
    THEN both answers are the same class (not a class built per request)."""
    info = _items()
    specs = field_specs(info, frozenset(), creating=True, fk_modes={})
    first = form_class(info, specs, creating=True)
    assert form_class(info, list(specs), creating=True) is first


def test_form_class_other_fields_get_their_own_class():
    """GIVEN shop.items' form class with every field
    WHEN a caller for whom sku is hidden asks for it
    THEN the class has no sku field (the set of fields is part of what is shared)."""
    info = _items()
    every = field_specs(info, frozenset(), creating=True, fk_modes={})
    fewer = field_specs(info, frozenset({"sku"}), creating=True, fk_modes={})
    assert hasattr(form_class(info, every, creating=True), "f_sku")
    assert not hasattr(form_class(info, fewer, creating=True), "f_sku")


def test_form_class_of_another_catalog_is_built_from_it():
    """GIVEN shop.items' form class of one catalog
    WHEN a newer catalog's shop.items without help asks for it
    THEN it gets a class of its own (a class never outlives its table info)."""
    old = _items()
    old.columns["sku"].help = "Old help"
    specs = field_specs(old, frozenset(), creating=True, fk_modes={})
    old_class = form_class(old, specs, creating=True)
    new = _items()
    new_class = form_class(new, specs, creating=True)
    assert new_class is not old_class
    assert "description" not in new_class.f_sku.kwargs
