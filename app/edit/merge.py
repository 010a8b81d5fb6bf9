"""What one user changed in a form, and how it lands on a row changed meanwhile.

An edit form carries the values it was opened with (its *base*, in the signed
token). The fields this user changed are those whose submitted value differs from
the base, and a save writes only those: so "apply mine anyway" after a conflict
never undoes another person's change to a field this user did not touch.

The conflict page rebases the form on the current row: its token then carries the
current version (rowversion or original values, re-checked on the next save, so a
third change in between gives the conflict page again) and the current values as the
new base; the fields this user did not change are refilled with the current values,
the ones they changed keep what they typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.catalog import TableInfo
from app.catalog.model import STRING_KINDS

# Who changed a field since the base: nobody, the other person, this user, or both
# (to different values; both to the same value counts as nobody's conflict).
UNCHANGED, THEIRS, YOURS, BOTH = "", "theirs", "yours", "both"


def same_value(kind: str, a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are the same value as a form can express it."""
    if kind in STRING_KINDS and (a in (None, "") and b in (None, "")):
        return True  # a form cannot tell an empty text from NULL
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, dt.datetime | dt.time) and isinstance(b, dt.datetime | dt.time):
        # the widgets show whole seconds: sub-second digits are not a user's change
        return a.replace(microsecond=0) == b.replace(microsecond=0)
    return a == b


def my_changes(
    info: TableInfo, values: Mapping[str, Any], base: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The submitted ``values`` that differ from the form's ``base`` (all of them
    when the base is unknown: a token signed before bases were carried)."""
    if base is None:
        return dict(values)
    kinds = {name: info.columns[name].kind for name in values}
    return {
        name: value
        for name, value in values.items()
        if name not in base or not same_value(kinds[name], value, base[name])
    }


@dataclass(frozen=True)
class FieldChange:
    """One field on the conflict page: who changed it and what applying saves."""

    change: str  # UNCHANGED | THEIRS | YOURS | BOTH
    applied: Any  # the value the row has after "apply mine anyway"


def field_change(
    info: TableInfo,
    column: str,
    base: Mapping[str, Any] | None,
    current: Mapping[str, Any],
    changes: Mapping[str, Any],
) -> FieldChange:
    """How ``column`` stands between the base, the current row and this user's
    ``changes`` (from ``my_changes``)."""
    kind = info.columns[column].kind
    now = current.get(column)
    theirs = base is not None and (
        column not in base or not same_value(kind, now, base[column])
    )
    if column not in changes:
        return FieldChange(THEIRS if theirs else UNCHANGED, now)
    mine = changes[column]
    if same_value(kind, mine, now):
        return FieldChange(UNCHANGED, now)  # both made the same change
    return FieldChange(BOTH if theirs else YOURS, mine)
