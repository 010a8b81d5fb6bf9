"""The query string of a feed request as a FeedQuery; unsupported options -> 501."""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.data.odata_feed import FeedQuery
from app.data.odata_query import bad, unsupported

SUPPORTED = frozenset(
    {"$select", "$filter", "$orderby", "$top", "$skip", "$count", "$expand",
     "$skiptoken", "$format"}
)  # fmt: skip
MAX_TOP = 1_000_000_000


def _whole(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name)
    if raw is None:
        return None
    # str.isdigit() is true for "²", which int() refuses: ASCII digits only.
    if not re.fullmatch(r"[0-9]{1,10}", raw) or int(raw) > MAX_TOP:
        raise bad(f"{name} must be a whole number from 0 to {MAX_TOP}.")
    return int(raw)


def _names(raw: str, option: str) -> tuple[str, ...]:
    if "(" in raw or "/" in raw:
        raise unsupported(f"Nested options or paths in {option}")
    if raw.strip() == "*":
        return ()
    names = tuple(n.strip() for n in raw.split(","))
    if not all(names):
        raise bad(f"{option} has an empty item.")
    return names


def feed_query(args: Mapping[str, str], max_page: int | None) -> FeedQuery:
    """The options of ``args`` (every ``$`` option checked; others are custom)."""
    for name in args:
        if name.startswith("$") and name not in SUPPORTED:
            raise unsupported(f"The query option {name}")
    if args.get("$format", "json").split(";")[0] not in ("json", "application/json"):
        raise unsupported(f"$format={args.get('$format')}")
    count = args.get("$count", "false")
    if count not in ("true", "false"):
        raise bad("$count must be true or false.")
    return FeedQuery(
        select=_names(args["$select"], "$select") if "$select" in args else (),
        filter=args.get("$filter", "").strip(),
        orderby=args.get("$orderby", "").strip(),
        top=_whole(args, "$top"),
        skip=_whole(args, "$skip") or 0,
        count=count == "true",
        expand=_names(args["$expand"], "$expand") if "$expand" in args else (),
        skiptoken=args.get("$skiptoken", ""),
        page_size=max_page,
    )


def max_page_size(prefer: str) -> int | None:
    """``odata.maxpagesize`` from a Prefer header, if given."""
    for part in prefer.split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "odata.maxpagesize" and re.fullmatch(
            r"[0-9]{1,9}", value.strip()
        ):
            return max(int(value.strip()), 1)
    return None
