"""The OData feed over a site's own awkward models (column names with spaces and
reserved words): run by test_awkward_feed.py in a pytest subprocess with the site's
TABLEFRONT_* folders. Not collected by the main run (no test_ prefix)."""

from __future__ import annotations

import json
import os
from xml.etree import ElementTree as ET

import pytest

import config
from app import create_app
from tests.functional.demo_world import ADMIN

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feed")
    app = create_app(
        config.TestingConfig(
            {
                **os.environ,
                "TABLEFRONT_ENV": "testing",
                "TABLEFRONT_LOG_DIR": str(tmp / "logs"),
                "TABLEFRONT_IMPORT_DIR": str(tmp / "imports"),
            }
        )
    )
    client = app.test_client()
    client.environ_base.update({"REMOTE_USER": ADMIN, "AUTH_TYPE": "Negotiate"})
    return client


def _properties(client, entity_type: str) -> dict[str, str]:
    root = ET.fromstring(client.get("/odata/$metadata").data)
    entity = next(
        e for e in root.iter(f"{EDM}EntityType") if e.get("Name") == entity_type
    )
    return {
        p.get("Name"): "".join(a.get("String", "") for a in p.iter(f"{EDM}Annotation"))
        for p in entity.iter(f"{EDM}Property")
    }


def test_metadata_spaced_column_is_an_identifier_with_its_sql_name(client):
    """GIVEN dbo.[Order] with the column [Order Date] WHEN $metadata is read THEN it
    has the property Order_Date, described with the SQL name [Order Date]."""
    properties = _properties(client, "dbo_Order")
    assert "Order_Date" in properties
    assert "[Order Date]" in properties["Order_Date"]
    assert "Order Date" not in properties


def test_entity_set_spaced_column_serves_select_filter_orderby(client):
    """GIVEN dbo.[Order] WHEN the feed is asked for Order_Date in $select, $filter
    and $orderby THEN 200 and every row carries Order_Date, newest first."""
    response = client.get(
        "/odata/dbo_Order?$select=OrderID,Order_Date"
        "&$filter=Order_Date ge 1900-01-01T00:00:00Z&$orderby=Order_Date desc"
    )
    assert response.status_code == 200, response.data[:300]
    rows = json.loads(response.data)["value"]
    assert rows
    assert all(set(r) == {"OrderID", "Order_Date"} for r in rows)
    dates = [r["Order_Date"] for r in rows]
    assert dates == sorted(dates, reverse=True)


def test_entity_set_spaced_product_weight_is_served_under_its_identifier(client):
    """GIVEN Inventory.Product with [Weight kg] and [Select] WHEN the feed is read
    THEN its rows carry Weight_kg and Select (not the SQL names)."""
    response = client.get("/odata/Inventory_Product?$top=3")
    assert response.status_code == 200, response.data[:300]
    rows = json.loads(response.data)["value"]
    assert rows
    assert {"Weight_kg", "Select"} <= set(rows[0])
    assert "Weight kg" not in rows[0]
