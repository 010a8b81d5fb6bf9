"""Opt-in: every page and write path of the app against a real SQL Server.

Each flow goes through the test client as a browser would, on the throwaway
database of ``live_database`` (see conftest.py). Compile-time checks elsewhere
catch T-SQL SQL Server would refuse; only these runs catch what the server does:
DATETIME rounding, triggers, temporal period columns, locks, real constraint names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from tests.edit.test_edit_pages import _form_fields
from tests.html import by_testid, soup, text_of
from tests.mssql_live.conftest import TESTER
from tests.odata.json_values import parsed

pytestmark = pytest.mark.mssql_live


def _rows(response) -> list:
    return soup(response).select('[data-testid="results-table"] [data-testid="row"]')


def _column(response, name: str) -> list[str]:
    cells = soup(response).select(
        f'[data-testid="results-table"] [data-testid="cell"][data-column="{name}"]'
    )
    return [c.get_text(strip=True) for c in cells]


def _scalar(app: Flask, sql: str):
    """One value read back through the app's own engine (its own connection)."""
    from app.extensions import db

    with app.app_context():
        value = db.session.execute(text(sql)).scalar()
        db.session.rollback()
        return value


def _other_client(app: Flask):
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": "CONTOSO\\other", "AUTH_TYPE": "NTLM"})
    return client


def _create_skill(client, name: str) -> int:
    form = _form_fields(client.get("/t/hr/skills/-/new"))
    form.update({"f_name": name, "f_category": "Live", "f_description": "made live"})
    response = client.post("/t/hr/skills/-/new", data=form)
    assert response.status_code == 302, text_of(response, "edit-form")
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


# --- the flows -----------------------------------------------------------------


def flow_home(client, app) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert not soup(response).select('[data-testid="table-count-unavailable"]')


def flow_list(client, app) -> None:
    response = client.get("/t/hr/employees")
    assert response.status_code == 200
    assert _rows(response)
    following = client.get(by_testid(response, "page-next")["href"])
    assert following.status_code == 200 and _rows(following)


def flow_search(client, app) -> None:
    response = client.get("/t/hr/employees?q=Morgan")
    assert response.status_code == 200
    assert "Morgan" in _column(response, "last_name")


def flow_filters(client, app) -> None:
    response = client.get("/t/hr/employees?fc=is_active&fo=eq&fv=yes&size=100")
    assert response.status_code == 200
    assert _rows(response)


def flow_detail(client, app) -> None:
    response = client.get("/t/hr/employees/1")
    assert response.status_code == 200
    assert soup(response).select_one("h1")


def flow_create(client, app) -> None:
    skill_id = _create_skill(client, "Live create")
    name = _scalar(app, f"SELECT name FROM hr.skills WHERE skill_id = {skill_id}")
    assert name == "Live create"


def flow_edit(client, app) -> None:
    skill_id = _create_skill(client, "Live edit")
    url = f"/t/hr/skills/{skill_id}/edit"
    form = _form_fields(client.get(url))
    form["f_description"] = "Éditée — ✓"  # NVARCHAR keeps non-Latin-1 text
    assert client.post(url, data=form).status_code == 302
    got = _scalar(app, f"SELECT description FROM hr.skills WHERE skill_id = {skill_id}")
    assert got == "Éditée — ✓"


def flow_conflict(client, app) -> None:
    url = "/t/hr/employees/2/edit"
    mine = _form_fields(client.get(url))
    other = _other_client(app)
    theirs = _form_fields(other.get(url))
    theirs["f_phone"] = "+1 555 0100"
    assert other.post(url, data=theirs).status_code == 302
    mine["f_phone"] = "+1 555 0199"
    assert client.post(url, data=mine).status_code == 409


def flow_delete(client, app) -> None:
    skill_id = _create_skill(client, "Live delete")
    url = f"/t/hr/skills/{skill_id}/delete"
    page = client.get(url)
    form = soup(page).select_one("form[method=post]")
    data = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    assert client.post(url, data=data).status_code == 302
    left = _scalar(app, f"SELECT COUNT(*) FROM hr.skills WHERE skill_id = {skill_id}")
    assert left == 0


def flow_delete_referenced_is_refused(client, app) -> None:
    url = "/t/hr/departments/1/delete"
    page = client.get(url)
    form = soup(page).select_one("form[method=post]")
    if form is None:  # the page already says why it cannot be deleted
        return
    data = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    assert client.post(url, data=data).status_code in (409, 422)
    assert _scalar(app, "SELECT COUNT(*) FROM hr.departments WHERE department_id = 1")


def flow_import(client, app) -> None:
    lines = ["name;category;description"] + [
        f"Live import {n};Live;row {n}" for n in range(1, 4)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    review = client.post(
        "/t/hr/skills/-/import",
        data={"file": (io.BytesIO(data), "skills.csv"), "mode": "insert"},
        content_type="multipart/form-data",
    )
    assert review.status_code == 200, text_of(review, "import-problems")
    form = by_testid(review, "import-apply").find_parent("form")
    fields = {el["name"]: el.get("value", "") for el in form.select("input[name]")}
    done = client.post(form["action"], data=fields)
    assert "3 rows inserted" in text_of(done, "import-summary")


def flow_export(client, app) -> None:
    response = client.get("/t/hr/employees/-/export.csv")
    assert response.status_code == 200
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    )
    assert "last_name" in rows[0] or "Last name" in rows[0]
    assert len(rows) > 1


def flow_audit(client, app) -> None:
    skill_id = _create_skill(client, "Live audit")
    history = client.get(f"/t/hr/skills/{skill_id}/history")
    assert history.status_code == 200
    assert soup(history).select('[data-testid="history-entry"]')
    log = client.get("/audit")
    assert log.status_code == 200
    who = _scalar(
        app,
        "SELECT user_login FROM tablefront.audit_log WHERE audit_id = "
        "(SELECT MAX(audit_id) FROM tablefront.audit_log)",
    )
    assert who.upper() == TESTER.upper()


def flow_datetime_save_is_not_a_conflict(client, app) -> None:
    url = "/t/livetest/stamps/1/edit"  # happened_at ends in .003 (DATETIME)
    form = _form_fields(client.get(url))
    form["f_label"] = "three, saved"
    assert client.post(url, data=form).status_code == 302
    got = _scalar(app, "SELECT label FROM livetest.stamps WHERE stamp_id = 1")
    assert got == "three, saved"


def flow_datetime_keyset_visits_each_row_once(client, app) -> None:
    seen, response = [], client.get("/t/livetest/stamps?sort=happened_at&size=1")
    for _ in range(10):
        seen += _column(response, "stamp_id")
        nxt = soup(response).select_one('a[data-testid="page-next"]')
        if nxt is None:
            break
        response = client.get(nxt["href"])
    assert sorted(seen) == ["1", "2", "3"]


def flow_trigger_table_create_and_edit(client, app) -> None:
    form = _form_fields(client.get("/t/livetest/notes/-/new"))
    form["f_body"] = "written through a trigger"
    created = client.post("/t/livetest/notes/-/new", data=form)
    assert created.status_code == 302
    note_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    url = f"/t/livetest/notes/{note_id}/edit"
    form = _form_fields(client.get(url))
    form["f_body"] = "edited through a trigger"
    assert client.post(url, data=form).status_code == 302
    logged = _scalar(
        app, f"SELECT COUNT(*) FROM livetest.note_log WHERE note_id = {note_id}"
    )
    assert logged == 2


def flow_temporal_table_edit_keeps_history(client, app) -> None:
    url = "/t/livetest/prices/1/edit"
    form = _form_fields(client.get(url))
    assert "f_valid_from" not in form and "f_valid_to" not in form
    form["f_amount"] = "10.49"
    assert client.post(url, data=form).status_code == 302
    assert _scalar(app, "SELECT amount FROM livetest.prices WHERE price_id = 1") == (
        pytest.approx(10.49)
    )
    kept = _scalar(
        app, "SELECT COUNT(*) FROM livetest.prices_history WHERE price_id = 1"
    )
    assert kept >= 1


def flow_odata_rows_written_by_the_server_match_the_python_writer(client, app) -> None:
    # FOR JSON PATH on SQL Server, json_object on the embedded demo: every entity
    # set's first page, with the database writing the rows and without.
    sets = [s["name"] for s in client.get("/odata/").get_json()["value"]]
    assert sets
    try:
        for name in sets:
            pages = []
            for on in (True, False):
                app.config["ODATA_DB_JSON"] = on
                answer = client.get(f"/odata/{name}?$top=25")
                assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
                pages.append(parsed(answer.data))
            assert pages[0] == pages[1], name
    finally:
        app.config["ODATA_DB_JSON"] = True


FLOWS: dict[str, Callable] = {
    name.removeprefix("flow_"): fn
    for name, fn in dict(globals()).items()
    if name.startswith("flow_")
}


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_live_mssql_flow_runs_against_sql_server(live_app, live_client, flow):
    """GIVEN the app on a real SQL Server loaded from sql/ and seeded
    WHEN one user flow (list, search, filters, detail, create, edit, conflict,
    delete, import, export, audit, DATETIME, trigger, temporal) runs through it
    THEN it behaves as on the embedded database: no error page, rows as expected."""
    FLOWS[flow](live_client, live_app)


def test_live_mssql_server_is_2016_or_later(live_app):
    """GIVEN the live app's engine
    WHEN the server version is read through it
    THEN it is SQL Server 2016+ (temporal tables, DATETIME rules of level 130)."""
    with live_app.app_context():
        from app.extensions import db

        assert db.engine.dialect.server_version_info >= (13,)
        assert db.session.execute(
            select(func.count()).select_from(text("sys.tables"))
        ).scalar()
