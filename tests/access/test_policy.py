"""The policy: settings + identity + table -> actions, hidden columns, and a row
filter that selects exactly the right rows when run on a real (SQLite) database."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, select

from app.access.groups import StaticGroups
from app.access.policy import AccessPolicy, TableAccess
from app.access.settings import load_settings
from tests.access.conftest import identity
from tests.mssql import compile_mssql

SETTINGS = r"""
[caller]
table = "hr.employees"
login_column = "login"

[roles.employee]
users = ["*"]
[[roles.employee.grants]]
tables = ["hr.employees"]
actions = ["read", "export"]
hidden_columns = ["salary", "notes"]
[[roles.employee.grants]]
tables = ["ops.tickets"]
actions = ["read", "create"]
rows = [{ column = "opened_by", equals = "caller.employee_id" }]
[[roles.employee.grants]]
tables = ["hr.leave_requests"]
actions = ["read"]
[[roles.employee.grants.rows]]
column = "employee_id"
in.table = "hr.employees"
in.column = "employee_id"
in.where = [{ column = "department_id", equals = "caller.department_id" }]

[roles.hr]
groups = ["CONTOSO\\HR-Staff"]
[[roles.hr.grants]]
tables = ["hr.*"]
actions = ["*"]
hidden_columns = ["notes"]

[roles.manager]
groups = ["CONTOSO\\Managers"]
[[roles.manager.grants]]
tables = ["ops.tickets"]
actions = ["read", "update"]
[[roles.manager.grants.rows]]
column = "opened_by"
in.table = "hr.employees"
in.column = "employee_id"
in.where = [{ column = "manager_id", equals = "caller.employee_id" }]

[roles.auditor]
users = ["CONTOSO\\auditor"]
[[roles.auditor.grants]]
tables = ["ops.tickets"]
actions = ["read"]
rows = [
  { column = "owner_login", equals = "caller.login" },
  { column = "priority", op = ">=", value = 3 },
]

[roles.triage]
users = ["CONTOSO\\triage"]
[[roles.triage.grants]]
tables = ["ops.tickets"]
actions = ["read"]
[[roles.triage.grants.rows]]
any = [
  { column = "is_closed", op = "=", value = false },
  { column = "priority", op = "in", value = [1, 5] },
]

[static_groups]
"CONTOSO\\HR-Staff" = ["CONTOSO\\pchen"]
"CONTOSO\\People-Leads" = ["CONTOSO\\dkowalski"]
"CONTOSO\\Managers" = ["CONTOSO\\People-Leads"]
"""


@pytest.fixture
def policy(write_settings, metadata) -> AccessPolicy:
    settings = load_settings(write_settings(SETTINGS), metadata)
    return AccessPolicy(settings, StaticGroups(settings.static_groups), metadata)


def access_for(policy: AccessPolicy, login: str, table_key: str) -> TableAccess:
    ident = identity(login)
    roles = policy.roles_for(ident, policy.groups_for(ident))
    return policy.table_access(ident, policy.metadata.tables[table_key], roles)


def visible_ids(engine, metadata: MetaData, table_key: str, access: TableAccess):
    table = metadata.tables[table_key]
    pk = next(iter(table.primary_key.columns))
    query = select(pk).order_by(pk)
    if access.row_filter is not None:
        query = query.where(access.row_filter)
    with engine.connect() as conn:
        return list(conn.scalars(query))


def test_table_access_ungranted_table_denies_everything(policy):
    """GIVEN no role grants ops.sites WHEN an employee asks THEN no action at all."""
    access = access_for(policy, "CONTOSO\\lnguyen", "ops.sites")
    assert access.actions == frozenset()


def test_table_access_several_roles_unions_actions(policy):
    """GIVEN employee (read, export) and hr (*) on hr.employees WHEN HR asks
    THEN every action is granted."""
    access = access_for(policy, "CONTOSO\\pchen", "hr.employees")
    assert access.actions == {"read", "create", "update", "delete", "export", "import"}


def test_table_access_hidden_columns_are_the_intersection(policy):
    """GIVEN employee hides salary+notes and hr hides notes WHEN HR asks
    THEN only notes stays hidden."""
    access = access_for(policy, "CONTOSO\\pchen", "hr.employees")
    assert access.hidden_columns == {"notes"}


def test_table_access_single_role_hides_its_columns(policy):
    """GIVEN only the employee role WHEN an employee asks for hr.employees
    THEN salary and notes are hidden."""
    access = access_for(policy, "CONTOSO\\lnguyen", "hr.employees")
    assert access.hidden_columns == {"salary", "notes"}


def test_row_filter_caller_employee_id_selects_own_rows(policy, engine, metadata):
    """GIVEN tickets filtered by opened_by = caller.employee_id WHEN Linh (id 3)
    lists tickets THEN only her ticket is selected."""
    access = access_for(policy, "CONTOSO\\lnguyen", "ops.tickets")
    assert visible_ids(engine, metadata, "ops.tickets", access) == [203]


def test_row_filter_department_lookup_selects_department_rows(policy, engine, metadata):
    """GIVEN leave requests of the caller's department WHEN Linh (department 20)
    lists them THEN the requests of Dana, Linh and Sam are selected."""
    access = access_for(policy, "CONTOSO\\lnguyen", "hr.leave_requests")
    assert visible_ids(engine, metadata, "hr.leave_requests", access) == [102, 103, 104]


def test_row_filter_roles_are_ored(policy, engine, metadata):
    """GIVEN Dana is an employee (own tickets) and, through a nested group, a manager
    (reports' tickets) WHEN she lists tickets THEN she sees both sets."""
    access = access_for(policy, "CONTOSO\\dkowalski", "ops.tickets")
    assert visible_ids(engine, metadata, "ops.tickets", access) == [202, 203, 204]


def test_row_filter_unfiltered_grant_gives_every_row(policy, engine, metadata):
    """GIVEN HR holds an unfiltered hr.* grant besides the employee's department filter
    WHEN Priya lists leave requests THEN every row is visible."""
    access = access_for(policy, "CONTOSO\\pchen", "hr.leave_requests")
    assert access.row_filter is None
    assert visible_ids(engine, metadata, "hr.leave_requests", access) == [
        101, 102, 103, 104, 105,
    ]  # fmt: skip


def test_row_filter_conditions_in_one_grant_are_anded(policy, engine, metadata):
    """GIVEN owner_login = caller.login AND priority >= 3 WHEN the auditor, who owns
    no ticket, lists tickets THEN nothing matches."""
    access = access_for(policy, "CONTOSO\\auditor", "ops.tickets")
    assert access.allows("read")
    assert visible_ids(engine, metadata, "ops.tickets", access) == []


def test_row_filter_any_ors_fixed_predicates(policy, engine, metadata):
    """GIVEN is_closed = false OR priority in (1, 5) WHEN triage lists tickets
    THEN open tickets (odd ids) and priorities 1 and 5 are selected."""
    access = access_for(policy, "CONTOSO\\triage", "ops.tickets")
    assert visible_ids(engine, metadata, "ops.tickets", access) == [201, 203, 205]


def test_row_filter_caller_without_employee_row_sees_nothing(policy, engine, metadata):
    """GIVEN a signed-in account with no hr.employees row WHEN it lists tickets
    THEN the caller lookup is NULL and no row matches (fail closed)."""
    access = access_for(policy, "CONTOSO\\visitor", "ops.tickets")
    assert visible_ids(engine, metadata, "ops.tickets", access) == []


def test_filter_for_write_is_within_read_filter(policy, engine, metadata):
    """GIVEN Dana may update tickets of her reports and read her own too
    WHEN the update filter runs THEN only her reports' tickets qualify."""
    access = access_for(policy, "CONTOSO\\dkowalski", "ops.tickets")
    table = metadata.tables["ops.tickets"]
    query = select(table.c.ticket_id).where(access.filter_for("update"))
    with engine.connect() as conn:
        assert sorted(conn.scalars(query)) == [203, 204]


def test_reasons_name_the_role_and_line(policy):
    """GIVEN HR's grant on hr.* WHEN Priya's delete is explained
    THEN the reason names role hr and the file line of the grant."""
    access = access_for(policy, "CONTOSO\\pchen", "hr.employees")
    line = SETTINGS.splitlines().index("[[roles.hr.grants]]") + 1
    assert access.reasons["delete"] == f"role hr (access.toml:{line})"


def test_row_filter_compiles_to_tsql_with_bound_parameters(policy, metadata):
    """GIVEN the manager's nested lookup WHEN compiled for SQL Server
    THEN it is one statement whose login is a bound parameter, not inlined."""
    access = access_for(policy, "CONTOSO\\dkowalski", "ops.tickets")
    table = metadata.tables["ops.tickets"]
    sql = compile_mssql(select(table.c.ticket_id).where(access.row_filter))
    assert "dkowalski" not in sql
    assert sql.count("SELECT") == 4  # page + IN(select) + two caller lookups
