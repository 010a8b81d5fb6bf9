"""Times stored in UTC (the audit log), shown in the server's local time zone.

The zone is the process's own (``TZ`` or the Windows setting), so an intranet page
reads "14:03 CET" as the people in that office do; the full UTC instant stays in
the ``datetime`` attribute and the tooltip.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask


def as_local(when: dt.datetime) -> dt.datetime:
    """``when`` (naive means UTC, as the audit log stores it) in the local zone."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone()


def local_time_text(when: dt.datetime) -> str:
    """``2026-12-03 14:03:00 CET``: the local time with its zone named."""
    local = as_local(when)
    zone = local.tzname() or local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {zone}"


def utc_iso(when: dt.datetime) -> str:
    """The instant in ISO 8601 UTC (``...Z``), for ``<time datetime>``."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return f"{when:%Y-%m-%dT%H:%M:%S}Z"


def register_local_time(app: Flask) -> None:
    """The ``local_time`` and ``utc_iso`` template filters."""
    app.add_template_filter(local_time_text, "local_time")
    app.add_template_filter(utc_iso, "utc_iso")
