"""The audit page shows times in the server's local zone, with the zone named."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest

from tests.audit.test_audit_pages import _edit
from tests.edit.world import ALEX
from tests.html import soup


@pytest.fixture
def server_zone(monkeypatch):
    """Set the process's time zone (TZ) for one test, restoring it afterwards."""

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("zone", "winter_name"), [("Europe/Paris", "CET"), ("America/New_York", "EST")]
)
def test_audit_page_time_in_server_zone_names_the_zone(
    as_user, server_zone, zone, winter_name
):
    """GIVEN a server whose TZ is ``zone`` and an edit by Alex
    WHEN Alex opens /audit
    THEN the entry's time is the UTC instant in that zone, followed by its name."""
    server_zone(zone)
    alex = as_user(ALEX)
    _edit(alex, 1, f_last_name="Morgan-Lee")
    stamp = soup(alex.get("/audit")).select_one('[data-testid="audit-entry"] time')
    instant = dt.datetime.strptime(stamp["datetime"], "%Y-%m-%dT%H:%M:%SZ")
    local = instant.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(zone))
    expected_name = local.tzname()
    assert expected_name in (winter_name, winter_name.replace("ST", "DT"))
    assert stamp.get_text(strip=True) == f"{local:%Y-%m-%d %H:%M:%S} {expected_name}"
