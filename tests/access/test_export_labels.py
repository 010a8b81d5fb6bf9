"""Export labels obey the referenced table's row filter: key only when unreadable."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.access.test_bypass import (  # noqa: F401  (fixtures)
    admin,
    make_world,
    staff,
    template_db,
    world,
)

MANAGER = ("Manager", "Manager (id)")


def _managers(client, fmt: str) -> dict[str, tuple]:
    body = client.get(f"/t/hr/employees/-/export.{fmt}?sort=first_name").get_data()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        return {r["First name"]: (r[MANAGER[0]], r[MANAGER[1]]) for r in rows}
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    header = [c.value for c in sheet[1]]
    at = [header.index(name) for name in ("First name", *MANAGER)]
    return {
        row[at[0]]: (row[at[1]] or "", str(row[at[2]]))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_label_of_unreadable_row_is_left_out_key_kept(staff, fmt):  # noqa: F811
    """GIVEN Linh (Sales) who may not read Alex (IT), Dana's manager
    WHEN Linh exports employees
    THEN Dana's manager is the key 1 with no label; Linh's is "Dana Kowalski"."""
    managers = _managers(staff, fmt)
    assert managers["Dana"] == ("", "1")
    assert managers["Linh"] == ("Dana Kowalski", "2")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_label_of_readable_row_is_shown(admin, fmt):  # noqa: F811
    """GIVEN the admin, who reads every employee
    WHEN he exports employees
    THEN Dana's manager is labelled "Alex Morgan" beside the key 1."""
    assert _managers(admin, fmt)["Dana"] == ("Alex Morgan", "1")
