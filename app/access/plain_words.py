"""Row-filter rules read out in plain words: "Showing only tickets you opened".

The list page tells callers that a row filter applies. The sentence is built from
the rule itself (app.access.rowfilters conditions), so it changes when the access
file does. A rule that cannot be read plainly, or that names a column the caller may
not see, gets the general sentence: a notice must never reveal a hidden column.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.access.rowfilters import Condition

FALLBACK = "Showing only the rows your access allows"
SUFFIX = " (your access)"
# Columns that name a person: "employee_id = caller.employee_id" reads "yours".
PERSON_STEMS = frozenset(
    {"employee", "user", "person", "owner", "login", "member", "staff", "caller"}
)
OP_WORDS = {
    "=": "is",
    "!=": "is not",
    "<": "is below",
    "<=": "is at most",
    ">": "is above",
    ">=": "is at least",
    "in": "is one of",
    "not in": "is none of",
}


def _stem(name: str) -> str:
    """A column name as words, without an ``_id``/``_login`` tail: department."""
    lowered = name.lower()
    for tail in ("_id", "_login", "_key", "_code"):
        if lowered.endswith(tail) and len(lowered) > len(tail):
            lowered = lowered[: -len(tail)]
            break
    return lowered.replace("_", " ").strip()


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(_value(v) for v in value)
    return str(value)


def _caller_phrase(cond: Condition) -> str | None:
    column = cond.column.lower()
    if column.endswith("_by") and len(column) > 3:  # opened_by, approved_by
        return "you " + column[:-3].replace("_", " ")
    stem = _stem(cond.column)
    if stem in PERSON_STEMS or cond.value == "login":
        return "that are yours"
    if stem == _stem(str(cond.value)):
        return f"of your {stem}"
    if _stem(str(cond.value)) in PERSON_STEMS:  # sales_rep_id = caller.employee_id
        return f"{stem} you" if stem.endswith(" to") else f"whose {stem} is you"
    return None


def _in_phrase(cond: Condition) -> str | None:
    # Only a link to the caller is read ("in your department", "for people whose
    # manager is you"): the other table's data columns are never named.
    if len(cond.where) != 1 or cond.where[0].kind != "caller":
        return None
    inner = cond.where[0]
    stem, value = _stem(inner.column), _stem(str(inner.value))
    if stem == value and stem not in PERSON_STEMS:
        return f"in your {stem}"
    if value in PERSON_STEMS and stem not in PERSON_STEMS:
        return f"for people whose {stem} is you"
    return None


def _op_phrase(cond: Condition) -> str | None:
    words = _stem(cond.column)
    if cond.op == "is null":
        return f"with no {words}"
    if cond.op == "is not null":
        return f"with a {words}"
    if isinstance(cond.value, bool) and cond.op in ("=", "!="):
        yes = cond.value == (cond.op == "=")
        lowered = cond.column.lower()
        if lowered.startswith("is_"):
            state = lowered[3:].replace("_", " ")
            return f"that are {state}" if yes else f"that are not {state}"
        return f"where {words} is {'yes' if yes else 'no'}"
    verb = OP_WORDS.get(cond.op)
    return f"where {words} {verb} {_value(cond.value)}" if verb else None


def _phrase(cond: Condition, hidden: frozenset[str]) -> str | None:
    if cond.kind == "any":
        parts = [_phrase(c, hidden) for c in cond.where]
        return None if None in parts else " or ".join(p for p in parts if p)
    if cond.column.lower() in hidden:
        return None
    if cond.kind == "caller":
        return _caller_phrase(cond)
    if cond.kind == "in":
        return _in_phrase(cond)
    return _op_phrase(cond)


def _rule_phrase(rule: tuple[Condition, ...], hidden: frozenset[str]) -> str | None:
    parts = [_phrase(c, hidden) for c in rule]
    if not parts or None in parts:
        return None
    return " and ".join(p for p in parts if p)


def rows_sentence(
    rules: Iterable[tuple[Condition, ...]], noun: str, hidden: Iterable[str] = ()
) -> str:
    """ "Showing only <noun> <rule> (your access)" for the OR of ``rules`` (each an
    AND of conditions), or the general sentence when a rule cannot be read plainly
    or names one of the ``hidden`` columns."""
    folded = frozenset(h.lower() for h in hidden)
    phrases = [_rule_phrase(rule, folded) for rule in rules]
    if not phrases or None in phrases or not noun:
        return FALLBACK if phrases else ""
    return f"Showing only {noun} {' or '.join(dict.fromkeys(phrases))}{SUFFIX}"
