"""OData benchmark: every row through nextLink pages of 5,000, beside Datasette's JSON.

One command, from the repository root (the first run builds the 1,000,000-row table
of bench_browse, ~5 s, and the peers' venv with Datasette, ~30 s):

    .venv/bin/python tests/benchmarks/bench_odata.py [--rows N] [--no-datasette]

Both servers read the same SQLite file (bench_browse's database) in their own
process on 127.0.0.1: Tablefront under waitress, Datasette under its uvicorn with
``max_returned_rows`` 5,000 (its JSON follows ``next_url``). For each the client reads
every row, page after page, and reports rows/s and the server's peak RSS growth
(VmHWM after a reset). Then one 100-row page with a ``$filter`` against the HTML list
page with the same filter (median of 30). Targets (issue 17): >= 3x Datasette's rows/s,
>= 100k rows/s, flat memory, the filtered page <= 1.5x the HTML page.

Headroom, in the same run: one of Tablefront's 5,000-row pages is served again by
a server that does nothing else (static_body.py, the same waitress) and read by the
same client, so the run prints what transport and client parsing alone cost per page,
how much of the 3x budget that leaves to the server, and how long sqlite3 alone takes
to fetch those rows (no JSON, no HTTP).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_browse  # noqa: E402
import browse_data  # noqa: E402

log = logging.getLogger("bench_odata")
PAGE = 5_000
FEED = "/odata/bench_people"
REPEATS = 30


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (and its reaped children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _get(conn: http.client.HTTPConnection, path: str, headers: dict) -> bytes:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{response.status} for {path}: {body[:200]!r}")
    return body


def read_all(port: int, pid: int, first: str, rows_key: str, next_key: str) -> dict:
    """Follow the next links from ``first``; rows, seconds, rows/s, RSS growth."""
    with contextlib.suppress(OSError):  # reset the high-water mark first
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = _kb(pid, "VmRSS")
    cpu_before = _cpu_seconds(pid)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Prefer": f"odata.maxpagesize={PAGE}", "Accept": "application/json"}
    path, rows, pages, sample = first, 0, 0, b""
    started = time.perf_counter()
    while path:
        body = _get(conn, path, headers)
        page = json.loads(body)
        if pages == 1:
            sample = body  # a full page past the first (a keyset seek)
        rows += len(page[rows_key])
        pages += 1
        link = page.get(next_key)
        path = (
            None
            if not link
            else (urlsplit(link)._replace(scheme="", netloc="").geturl())
        )
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds(pid) - cpu_before
    conn.close()
    return {
        "rows": rows,
        "pages": pages,
        "seconds": seconds,
        "rows_per_s": rows / seconds if seconds else 0.0,
        "rss_growth_mb": (_kb(pid, "VmHWM") - before) / 1024,
        "server_cpu_s": cpu,
        "rows_per_cpu_s": rows / cpu if cpu else 0.0,
        "sample": sample,
    }


def client_only_ms(body: bytes, pages: int = 200) -> float:
    """Mean ms per page for the client to GET and parse ``body`` from static_body.py."""
    path = bench_browse.BENCH_DIR / "logs" / "odata_page.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    script = str(HERE / "static_body.py")

    def argv(port: int, _db: Path) -> list[str]:
        return [sys.executable, script, "--body", str(path), "--port", str(port)]

    static = bench_browse.Contender("static", argv, "/", lambda *_: {}, None)
    proc, port, _ = bench_browse.start(static, bench_browse.BENCH_DIR / "db")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _get(conn, "/", {})
        started = time.perf_counter()
        for _ in range(pages):
            json.loads(_get(conn, "/", {}))
        seconds = time.perf_counter() - started
        conn.close()
    finally:
        bench_browse.stop(proc)
    return seconds / pages * 1000


def sqlite_fetch_ms(db_dir: Path, rows: int) -> float:
    """Best of 20: sqlite3 alone fetching one 5,000-row keyset page of the feed's
    columns from the middle of the table (Python tuples, no conversion, no JSON)."""
    query = (
        "SELECT person_id, first_name, last_name, email, category_id, amount, "
        "joined_on, is_active FROM people WHERE person_id > ? "
        "ORDER BY person_id LIMIT ?"
    )
    connection = sqlite3.connect(db_dir / f"{browse_data.SCHEMA}.db")
    try:
        best = float("inf")
        for _ in range(20):
            started = time.perf_counter()
            connection.execute(query, (rows // 2, PAGE + 1)).fetchall()
            best = min(best, time.perf_counter() - started)
    finally:
        connection.close()
    return best * 1000


def median_ms(port: int, path: str) -> float:
    """The median latency of ``path`` over REPEATS requests (after one warm-up)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    _get(conn, path, {})
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        _get(conn, path, {})
        times.append(time.perf_counter() - started)
    conn.close()
    return statistics.median(times) * 1000


def datasette_contender() -> bench_browse.Contender:
    """Datasette as bench_browse runs it, returning up to 5,000 rows a page."""
    base = next(c for c in bench_browse.contenders() if c.name == "Datasette")

    def argv(port: int, db: Path) -> list[str]:
        return [*base.argv(port, db), "--setting", "max_returned_rows", str(PAGE)]

    return bench_browse.Contender(base.name, argv, base.ready, base.paths, None)


def _headroom(results: dict[str, dict], client_ms: float, fetch_ms: float) -> None:
    """Where a page's time goes, and what 3x Datasette leaves to the server."""
    ours = results["Tablefront"]
    per_page = ours["seconds"] / ours["pages"] * 1000
    cpu_page = ours["server_cpu_s"] / ours["pages"] * 1000
    print(f"\nHeadroom per page of {PAGE:,} rows (same run)")
    print(
        f"  Tablefront:         {per_page:6.1f} ms wall, {cpu_page:.1f} ms server CPU"
    )
    theirs = results.get("Datasette")
    if theirs:
        budget = theirs["seconds"] / theirs["pages"] * 1000 / 3
        print(f"  3x Datasette means: {budget:6.1f} ms wall in all")
    print(
        f"  the same bytes from a server doing nothing else, fetched and parsed by "
        f"the client: {client_ms:.1f} ms"
    )
    if theirs:
        left = budget - client_ms
        print(
            f"  left for the server to read and write {PAGE:,} rows: {left:.1f} ms "
            f"(sqlite3 alone fetches them in {fetch_ms:.1f} ms, no JSON, no HTTP)"
        )


def main() -> int:
    """Build, serve, read, report."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-datasette", action="store_true")
    args = parser.parse_args()
    db_dir = bench_browse.BENCH_DIR / "db"
    browse_data.build(db_dir, args.rows)
    # A benchmark reads 200 pages in seconds: lift the per-user budget for it.
    os.environ["TABLEFRONT_ODATA_BURST"] = "1000000"
    os.environ["TABLEFRONT_ODATA_REQUESTS_PER_MINUTE"] = "1000000"
    os.environ["TABLEFRONT_EXPORT_MAX_ROWS"] = str(max(args.rows, 1_000_000))
    results: dict[str, dict] = {}
    tablefront = next(c for c in bench_browse.contenders() if c.name == "Tablefront")
    proc, port, _ = bench_browse.start(tablefront, db_dir)
    try:
        results["Tablefront"] = read_all(
            port, proc.pid, FEED, "value", "@odata.nextLink"
        )
        odata_ms = median_ms(port, FEED + "?$filter=category_id%20eq%2017&$top=100")
        html_ms = median_ms(port, "/t/bench/people?fc=category_id&fo=eq&fv=17&size=100")
    finally:
        bench_browse.stop(proc)
    client_ms = client_only_ms(results["Tablefront"]["sample"])
    fetch_ms = sqlite_fetch_ms(db_dir, args.rows)
    if not args.no_datasette:
        try:
            bench_browse.ensure_peer_venv()
            contender = datasette_contender()
            proc, port, _ = bench_browse.start(contender, db_dir)
            try:
                results["Datasette"] = read_all(
                    port,
                    proc.pid,
                    f"/bench/people.json?_size={PAGE}&_shape=objects",
                    "rows",
                    "next_url",
                )
            finally:
                bench_browse.stop(proc)
        except (
            RuntimeError,
            OSError,
            bench_browse.subprocess.CalledProcessError,
        ) as exc:
            log.warning("Datasette unavailable: %s", exc)
    print(f"\nAll rows through next links, pages of {PAGE:,} ({args.rows:,} rows)")
    print(
        f"{'server':<12}{'rows':>10}{'pages':>7}{'s':>8}{'rows/s':>11}{'RSS +MB':>9}"
        f"{'server CPU s':>14}{'rows/CPU s':>12}"
    )
    for name, r in results.items():
        print(
            f"{name:<12}{r['rows']:>10,}{r['pages']:>7}{r['seconds']:>8.2f}"
            f"{r['rows_per_s']:>11,.0f}{r['rss_growth_mb']:>9.1f}"
            f"{r['server_cpu_s']:>14.2f}{r['rows_per_cpu_s']:>12,.0f}"
        )
    print(
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: on a "
        "shared machine compare the servers' CPU seconds as well as wall time)"
    )
    ours = results["Tablefront"]["rows_per_s"]
    theirs = results.get("Datasette", {}).get("rows_per_s")
    print("\nTargets")
    print(f"  >= 100,000 rows/s: {ours:,.0f} {'ok' if ours >= 100_000 else 'MISSED'}")
    if theirs:
        ratio = ours / theirs
        print(f"  >= 3x Datasette:   {ratio:.2f}x {'ok' if ratio >= 3 else 'MISSED'}")
        cpu = (
            results["Datasette"]["server_cpu_s"] / results["Tablefront"]["server_cpu_s"]
        )
        print(
            f"  (server CPU per row: Datasette spends {cpu:.2f}x what Tablefront does)"
        )
    else:
        print("  >= 3x Datasette:   not measured")
    growth = results["Tablefront"]["rss_growth_mb"]
    print(f"  flat memory:       +{growth:.1f} MB peak while reading every row")
    ratio = odata_ms / html_ms if html_ms else 0
    print(
        f"  100-row $filter page {odata_ms:.1f} ms vs HTML list page {html_ms:.1f} ms:"
        f" {ratio:.2f}x {'ok' if ratio <= 1.5 else 'MISSED'} (<= 1.5x)"
    )
    _headroom(results, client_ms, fetch_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
