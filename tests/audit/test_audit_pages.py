"""History and /audit pages obey the access policy."""

from __future__ import annotations

from tests.edit.world import ALEX, DANA, LINH, employees
from tests.html import soup

EMP = "/t/corp/employees"


def _edit(client, key: int, **changes):
    page = soup(client.get(f"{EMP}/{key}/edit"))
    form = page.select_one('[data-testid="edit-form"]')
    data = {}
    for el in form.select("input[name], select[name]"):
        if el.name == "select":
            chosen = el.select_one("option[selected]") or el.select_one("option")
            data[el["name"]] = chosen.get("value", "")
        elif el.get("type") == "checkbox":
            if el.has_attr("checked"):
                data[el["name"]] = "y"
        else:
            data[el["name"]] = el.get("value", "")
    data.update(changes)
    assert client.post(f"{EMP}/{key}/edit", data=data).status_code == 302


def test_history_lists_changes_with_old_and_new_values(as_user):
    """GIVEN an edit of employee 1's last name by Alex
    WHEN the row's history is opened
    THEN it shows the update by Alex with old and new value."""
    alex = as_user(ALEX)
    _edit(alex, 1, f_last_name="Morgan-Lee")
    page = soup(alex.get(f"{EMP}/1/history"))
    entries = page.select('[data-testid="history-entry"]')
    assert len(entries) == 1
    cells = [td.get_text(strip=True) for td in entries[0].select("td")]
    assert cells == ["Morgan", "Morgan-Lee"]


def test_history_strips_columns_hidden_from_reader(as_user):
    """GIVEN Alex changed secret_notes of employee 1
    WHEN Dana (secret_notes hidden) reads its history
    THEN neither the column nor its values appear."""
    _edit(as_user(ALEX), 1, f_secret_notes="salary talk")
    body = as_user(DANA).get(f"{EMP}/1/history").get_data(as_text=True)
    assert "salary talk" not in body and "likes tea" not in body


def test_history_of_row_outside_filter_is_404(as_user):
    """GIVEN employee 2, outside Dana's filter
    WHEN Dana asks for its history
    THEN 404."""
    assert as_user(DANA).get(f"{EMP}/2/history").status_code == 404


def test_audit_page_is_for_admins_only(as_user):
    """GIVEN Linh, who holds no admin role
    WHEN she opens /audit
    THEN 403."""
    assert as_user(LINH).get("/audit").status_code == 403


def test_audit_page_filters_by_user_and_table(as_user):
    """GIVEN changes by Alex on employees and by Dana on employees
    WHEN the admin filters by Dana
    THEN only Dana's entry is listed."""
    alex = as_user(ALEX)
    _edit(alex, 1, f_first_name="Al")
    _edit(as_user(DANA), 3, f_first_name="Jim")
    page = soup(
        alex.get("/audit", query_string={"user": DANA, "table": "corp.employees"})
    )
    rows = page.select('[data-testid="audit-entry"]')
    assert len(rows) == 1
    assert DANA in rows[0].get_text()


def test_audit_table_filter_offers_tables_by_label_and_keeps_the_choice(as_user):
    """GIVEN the admin filtering the audit log by corp.employees
    WHEN the page is shown
    THEN the table menu names each table by label and key, sends the key, and
    keeps corp.employees selected."""
    page = soup(as_user(ALEX).get("/audit", query_string={"table": "corp.employees"}))
    options = page.select('[data-testid="audit-table"] option')
    chosen = [o for o in options if o.has_attr("selected")]
    assert [o["value"] for o in chosen] == ["corp.employees"]
    label = chosen[0].get_text()
    assert label.endswith("(corp.employees)") and label != "corp.employees"


def test_audit_page_bad_date_is_400(as_user):
    """GIVEN a malformed date filter
    WHEN /audit is requested
    THEN 400, not 500."""
    assert as_user(ALEX).get("/audit?since=yesterday").status_code == 400


def _change_rows(entry) -> dict[str, list[str]]:
    """Field header text -> [old, new] in one audit entry's change table."""
    return {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in entry.select("table.tf-changes tbody tr")
    }


def test_audit_page_names_columns_and_key_by_label(as_user):
    """GIVEN Alex changed employee 1's first name
    WHEN he opens /audit
    THEN the change, the table and the row key name the column by its catalog label
    (as the detail page does), not by its raw name."""
    alex = as_user(ALEX)
    _edit(alex, 1, f_first_name="Al")
    page = alex.get("/audit")
    detail = soup(alex.get(f"{EMP}/1"))
    label = {
        row["data-column"]: row.dt.get_text(strip=True)
        for row in detail.select('[data-testid="field"]')
    }
    assert label["first_name"] != "first_name"  # the test means something
    (entry,) = soup(page).select('[data-testid="audit-entry"]')
    assert _change_rows(entry) == {label["first_name"]: ["Alex", "Al"]}
    key = entry.select_one('[data-testid="audit-entry-key"]').get_text(strip=True)
    assert key == f"{label['employee_id']}: 1"
    table = entry.select_one('[data-testid="audit-entry-table"]').get_text(" ")
    assert "Employees" in table and "corp.employees" in table


def test_audit_page_leaves_hidden_columns_out_of_labels_and_values(as_user, policy):
    """GIVEN Alex changed employee 1's first name and secret notes, and secret_notes
    is then hidden from him
    WHEN he opens /audit
    THEN the entry shows the first name change only: neither the hidden column's
    label nor its name nor its values appear."""
    alex = as_user(ALEX)
    _edit(alex, 1, f_first_name="Al", f_secret_notes="salary talk")
    policy.give(ALEX, employees, hidden=frozenset({"secret_notes"}))
    page = soup(alex.get("/audit"))
    (entry,) = page.select('[data-testid="audit-entry"]')
    fields = _change_rows(entry)
    assert len(fields) == 1 and list(fields.values()) == [["Alex", "Al"]]
    text = entry.get_text(" ")
    for leaked in ("salary talk", "likes tea", "secret_notes", "Secret notes"):
        assert leaked not in text
