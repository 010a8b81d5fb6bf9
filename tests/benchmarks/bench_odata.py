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
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import os
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
    path, rows, pages = first, 0, 0
    started = time.perf_counter()
    while path:
        page = json.loads(_get(conn, path, headers))
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
    }


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
