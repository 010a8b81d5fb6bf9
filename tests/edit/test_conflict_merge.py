"""Edit conflicts between two real sessions: "apply mine anyway" writes only the
fields this user changed, on top of the current row, and re-checks concurrency.

Each case runs on a rowversion table (corp.employees) and on a table whose
concurrency compares the original values (corp.assets)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.edit.world import ALEX, DANA, assets, employees
from tests.html import by_testid, soup, text_of

# (url, table, their field and value, my field and value, another of their fields)
CASES = {
    "rowversion": (
        "/t/corp/employees/1/edit",
        employees,
        ("level", "1", 1),
        ("first_name", "Al", "Al"),
        ("last_name", "Morgan-Lee", "Morgan-Lee"),
    ),
    "original-values": (
        "/t/corp/assets/1/edit",
        assets,
        ("note", "Dock 4", "Dock 4"),
        ("asset_tag", "LT-0099", "LT-0099"),
        ("assigned_to", "", None),
    ),
}


def browser_fields(response, testid: str) -> dict[str, str]:
    """What a browser submits from the form with ``testid`` as the page shows it."""
    form = by_testid(response, testid)
    data: dict[str, str] = {}
    for el in form.select("input, textarea, select"):
        name = el.get("name")
        if not name:
            continue
        if el.name == "select":
            chosen = el.select_one("option[selected]") or el.select_one("option")
            data[name] = chosen.get("value", "") if chosen else ""
        elif el.get("type") == "checkbox":
            if el.has_attr("checked"):
                data[name] = el.get("value", "y")
        elif el.name == "textarea":
            data[name] = el.get_text().removeprefix("\r\n")
        else:
            data[name] = el.get("value", "")
    return data


def _row(world, table) -> dict:
    with world.app_context():
        key = next(iter(table.primary_key.columns))
        found = db.session.execute(select(table).where(key == 1)).mappings().first()
        return dict(found)


def _save(client, url: str, changes: dict[str, str], page=None):
    """Open (or reuse) the edit form, change fields as a user would, submit it."""
    data = browser_fields(page or client.get(url), "edit-form")
    data.update({f"f_{k}": v for k, v in changes.items()})
    return client.post(url, data=data)


@pytest.mark.parametrize("case", CASES)
def test_apply_mine_after_conflict_keeps_their_change_to_a_field_i_never_touched(
    world, as_user, case
):
    """GIVEN Alex and Dana open the same row; Dana saves a change to one field
    WHEN Alex saves a change to another field, gets the conflict page and submits it
    as the page shows it ("apply mine anyway")
    THEN Alex's field has his value and Dana's field keeps hers."""
    url, table, (their_field, their_text, their_value), mine, _ = CASES[case]
    my_field, my_text, my_value = mine
    alex, dana = as_user(ALEX), as_user(DANA)
    alex_page = alex.get(url)
    assert _save(dana, url, {their_field: their_text}).status_code == 302
    conflict = _save(alex, url, {my_field: my_text}, page=alex_page)
    assert conflict.status_code == 409
    applied = alex.post(url, data=browser_fields(conflict, "conflict-form"))
    assert applied.status_code == 302
    row = _row(world, table)
    assert row[my_field] == my_value
    assert row[their_field] == their_value


@pytest.mark.parametrize("case", CASES)
def test_conflict_page_marks_who_changed_what_and_what_applying_saves(
    world, as_user, case
):
    """GIVEN Dana saved a change to one field while Alex had the row open
    WHEN Alex saves a change to another field
    THEN the conflict page marks her field "changed by them" (applying keeps hers)
    and his "changed by you" (applying saves his), and the form shows her value."""
    url, _table, (their_field, their_text, _), (my_field, my_text, _), _ = CASES[case]
    alex, dana = as_user(ALEX), as_user(DANA)
    alex_page = alex.get(url)
    assert _save(dana, url, {their_field: their_text}).status_code == 302
    conflict = _save(alex, url, {my_field: my_text}, page=alex_page)
    page = soup(conflict)
    assert by_testid(page, f"conflict-row-{their_field}")["data-change"] == "theirs"
    assert by_testid(page, f"conflict-row-{my_field}")["data-change"] == "yours"
    assert text_of(page, f"applied-{their_field}") == their_text
    assert text_of(page, f"applied-{my_field}") == my_text
    form = browser_fields(conflict, "conflict-form")
    assert form[f"f_{their_field}"] == their_text
    assert form[f"f_{my_field}"] == my_text


def test_field_changed_by_both_shows_both_values_and_applies_mine_there_only(
    world, as_user
):
    """GIVEN Dana changed first name and level while Alex had employee 1 open
    WHEN Alex saves another first name, then applies his version
    THEN the conflict page shows both first names marked "changed by both", and
    afterwards the first name is Alex's while the level stays Dana's."""
    url = "/t/corp/employees/1/edit"
    alex, dana = as_user(ALEX), as_user(DANA)
    alex_page = alex.get(url)
    their = {"first_name": "Alexandra", "level": "1"}
    assert _save(dana, url, their).status_code == 302
    conflict = _save(alex, url, {"first_name": "Al"}, page=alex_page)
    assert conflict.status_code == 409
    page = soup(conflict)
    assert by_testid(page, "conflict-row-first_name")["data-change"] == "both"
    assert text_of(page, "theirs-first_name") == "Alexandra"
    assert text_of(page, "yours-first_name") == "Al"
    assert by_testid(page, "conflict-both-count")
    applied = alex.post(url, data=browser_fields(conflict, "conflict-form"))
    assert applied.status_code == 302
    row = _row(world, employees)
    assert (row["first_name"], row["level"]) == ("Al", 1)


@pytest.mark.parametrize("case", CASES)
def test_apply_mine_after_a_third_change_gives_the_conflict_page_again(
    world, as_user, case
):
    """GIVEN Alex got the conflict page after Dana's change
    WHEN Dana saves yet another change before Alex applies his version
    THEN applying answers the conflict page again (409) and Dana's second change
    is still in the row: never a silent overwrite."""
    url, table, their, (my_field, my_text, _), third = CASES[case]
    third_field, third_text, third_value = third
    alex, dana = as_user(ALEX), as_user(DANA)
    alex_page = alex.get(url)
    assert _save(dana, url, {their[0]: their[1]}).status_code == 302
    conflict = _save(alex, url, {my_field: my_text}, page=alex_page)
    assert conflict.status_code == 409
    assert _save(dana, url, {third_field: third_text}).status_code == 302
    again = alex.post(url, data=browser_fields(conflict, "conflict-form"))
    assert again.status_code == 409
    row = _row(world, table)
    assert row[third_field] == third_value
    assert row[their[0]] == their[2]
    assert by_testid(again, "conflict-title")
