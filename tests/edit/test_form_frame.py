"""The form page's kept frame (app.edit.form_frame): the same HTML as the page
rendered whole, with each request's own values, links, tokens and messages."""

from __future__ import annotations

import re

import pytest
from flask import render_template
from sqlalchemy import insert, update

from app.data.values import encode_row_key
from app.edit import views
from app.extensions import db
from tests.edit.world import ALEX, DANA, WRITE, employees, skills
from tests.html import by_testid, soup

EMP = "/t/corp/employees"
HOSTILE = "\"'><script>x</script>&"
TOKENS = re.compile(
    r'(name="(?:original_token|csrf_token)" type="hidden" value=")[^"]*'
)


def _whole(context):
    """The page rendered whole by edit/form.html, as pages with problems are."""
    return render_template("edit/form.html", **context, problems=[])


def _tokens_blanked(html: str) -> str:
    """The signed tokens carry a timestamp: blank them to compare two pages."""
    return TOKENS.sub(r"\1…", html)


PAGES = [
    (ALEX, f"{EMP}/1/edit"),  # FK select, switch, read-only strip, delete link
    (ALEX, f"{EMP}/2/edit"),
    (DANA, f"{EMP}/1/edit"),  # a hidden column, a row filter
    (ALEX, f"{EMP}/-/new"),
    (ALEX, "/t/corp/assets/-/new"),
    (ALEX, "/t/corp/employee_skills/1,SQL/edit"),  # composite key
]


@pytest.mark.parametrize(("login", "url"), PAGES)
def test_framed_page_is_the_page_rendered_whole(
    world, as_user, monkeypatch, login, url
):
    """GIVEN a form page asked for twice (the second time from the kept frame)
    WHEN the same page is rendered whole by the template
    THEN all three are the same HTML (the signed tokens aside)."""
    client = as_user(login)
    first = client.get(url)
    assert first.status_code == 200, first.get_data(as_text=True)[:500]
    second = client.get(url)
    monkeypatch.setattr(views, "framed_form_page", _whole)
    whole = client.get(url)
    assert whole.status_code == 200
    pages = [_tokens_blanked(r.get_data(as_text=True)) for r in (first, second, whole)]
    assert pages[0] == pages[2]
    assert pages[1] == pages[2]


def test_each_row_gets_its_own_values_and_links(as_user):
    """GIVEN one caller opening the edit pages of two rows in turn, twice
    WHEN each page is shown
    THEN its fields, read-only key, cancel and delete links are that row's."""
    client = as_user(ALEX)
    for _ in range(2):
        for key, first_name in ((1, "Alex"), (2, "Priya")):
            doc = soup(client.get(f"{EMP}/{key}/edit"))
            assert doc.select_one('input[name="f_first_name"]')["value"] == first_name
            assert (
                by_testid(doc, "readonly-employee_id")
                .get_text(strip=True)
                .endswith(str(key))
            )
            assert by_testid(doc, "cancel")["href"] == f"{EMP}/{key}"
            assert by_testid(doc, "crumb-row")["href"] == f"{EMP}/{key}"
            assert by_testid(doc, "action-delete")["href"] == f"{EMP}/{key}/delete"


def test_values_are_escaped_in_every_hole(world, as_user):
    """GIVEN a row whose text holds markup
    WHEN its edit page is shown from the kept frame
    THEN the input holds the text as text and no element is made of it."""
    client = as_user(ALEX)
    client.get(f"{EMP}/1/edit")  # the frame is kept
    with world.app_context():
        db.session.execute(
            update(employees)
            .where(employees.c.employee_id == 1)
            .values(first_name=HOSTILE[:50])
        )
        db.session.commit()
    response = client.get(f"{EMP}/1/edit")
    doc = soup(response)
    assert doc.select_one('input[name="f_first_name"]')["value"] == HOSTILE
    assert doc.find("script", string="x") is None
    assert b"<script>x" not in response.data


def test_read_only_values_are_escaped(world, as_user):
    """GIVEN a row whose key (read-only on its edit page) holds markup
    WHEN its edit page is shown from the kept frame
    THEN the read-only value is the text itself and no element is made of it."""
    client = as_user(ALEX)
    client.get("/t/corp/employee_skills/1,SQL/edit")  # the frame is kept
    with world.app_context():
        db.session.execute(insert(skills).values(employee_id=2, skill=HOSTILE, level=3))
        db.session.commit()
    key = encode_row_key([2, HOSTILE])
    response = client.get(f"/t/corp/employee_skills/{key}/edit")
    assert response.status_code == 200
    doc = soup(response)
    assert (
        by_testid(doc, "readonly-skill").select_one(".tf-readonly-value").get_text()
        == HOSTILE
    )
    assert doc.find("script", string="x") is None


def test_callers_get_their_own_header(as_user, policy):
    """GIVEN an admin and a caller with the same rights on the table
    WHEN they open the same edit page in turn, twice
    THEN each page names its own caller, and only the admin's has the admin links."""
    policy.give(DANA, employees)  # no hidden column, no row filter: ALEX's rights
    for _ in range(2):
        for login, admin in ((ALEX, True), (DANA, False)):
            doc = soup(as_user(login).get(f"{EMP}/1/edit"))
            assert by_testid(doc, "current-user").get_text() == login
            assert (doc.select_one('[data-testid="nav-audit"]') is not None) == admin
            assert doc.select_one('[data-testid="action-delete"]') is not None


def test_delete_link_follows_the_callers_current_rights(as_user, policy):
    """GIVEN a caller who may delete rows, whose delete right is then taken away
    (their groups changed)
    WHEN they open the same edit page before and after
    THEN the first page has the delete link and the second does not."""
    policy.give(DANA, employees)
    client = as_user(DANA)
    before = client.get(f"{EMP}/1/edit")
    assert by_testid(soup(before), "action-delete")
    policy.give(DANA, employees, WRITE - {"delete"})
    after = client.get(f"{EMP}/1/edit")
    assert after.status_code == 200
    assert soup(after).select_one('[data-testid="action-delete"]') is None


def test_each_session_gets_its_own_working_csrf_token(world, as_user):
    """GIVEN CSRF protection on and two browsers (sessions) of the same caller
    WHEN each opens the edit page (the second from the kept frame) and saves it
    THEN each page carries its own session's token, and both saves go through."""
    world.config["WTF_CSRF_ENABLED"] = True
    tokens = []
    for name in ("Ada", "Adah"):
        client = as_user(ALEX)
        doc = soup(client.get(f"{EMP}/1/edit"))
        form = {
            i["name"]: i.get("value", "")
            for i in doc.select("form[data-testid=edit-form] input")
            if i.get("type") != "checkbox"
        }
        form["f_first_name"] = name
        form["f_is_active"] = "y"
        form["f_department_id"] = "1"
        tokens.append(form["csrf_token"])
        response = client.post(f"{EMP}/1/edit", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert tokens[0] != tokens[1]


def test_each_site_root_gets_its_own_links(as_user):
    """GIVEN the app served at the site root and under an IIS sub-application
    (SCRIPT_NAME), the same caller opening the same edit page on both, in turn
    WHEN each page is shown
    THEN every link and the form's lookup URLs start with that page's own root."""
    client = as_user(ALEX)
    for _ in range(2):
        for root in ("", "/tablefront"):
            response = client.get(
                f"{EMP}/1/edit", environ_overrides={"SCRIPT_NAME": root}
            )
            assert response.status_code == 200
            doc = soup(response)
            assert by_testid(doc, "cancel")["href"] == f"{root}{EMP}/1"
            assert by_testid(doc, "action-delete")["href"] == f"{root}{EMP}/1/delete"
            assert by_testid(doc, "crumb-table")["href"] == f"{root}{EMP}"
            css = doc.select_one('link[href$="css/edit.css"]')["href"]
            assert css.startswith(f"{root}/static/")


def test_flashed_message_shows_once_and_is_not_kept(world, as_user):
    """GIVEN a message (holding markup) flashed into the caller's session
    WHEN the edit page is shown, then shown again
    THEN the first page shows the message as text, the second does not."""
    client = as_user(ALEX)
    client.get(f"{EMP}/1/edit")  # the frame is kept
    with client.session_transaction() as session:
        session["_flashes"] = [("success", HOSTILE)]
    first = soup(client.get(f"{EMP}/1/edit"))
    assert [m.get_text() for m in first.select('[data-testid="flash"]')] == [HOSTILE]
    again = soup(client.get(f"{EMP}/1/edit"))
    assert again.select('[data-testid="flash"]') == []


def test_page_with_problems_is_rendered_whole(as_user):
    """GIVEN an edit saved with a value too long for its column
    WHEN the page comes back
    THEN it shows the field's error and the caller's input (no frame hole left)."""
    client = as_user(ALEX)
    client.get(f"{EMP}/1/edit")
    doc = soup(client.get(f"{EMP}/1/edit"))
    form = {
        i["name"]: i.get("value", "")
        for i in doc.select("form[data-testid=edit-form] input")
        if i.get("type") != "checkbox"
    }
    form.update(f_first_name="A" * 51, f_department_id="1")
    response = client.post(f"{EMP}/1/edit", data=form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "\x00" not in body
    doc = soup(response)
    assert doc.select_one('input[name="f_first_name"]')["value"] == "A" * 51
    assert doc.select_one("#f_first_name-error") is not None
