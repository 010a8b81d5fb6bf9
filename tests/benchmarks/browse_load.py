"""A small load client: latency at one connection, throughput at eight, export.

Loopback only, plain http.client with keep-alive, bounded request counts and time.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path


class LoadError(RuntimeError):
    """A request answered with something other than 200."""


@dataclass
class Latency:
    """Per-request latencies in milliseconds at one connection."""

    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path, headers={"Accept": "text/html"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise LoadError(f"GET {path}: HTTP {response.status}: {body[:300]!r}")
    return len(body)


def latency(
    port: int, path: str, max_requests: int, budget_s: float, min_requests: int = 10
) -> Latency:
    """Sequential GETs on one keep-alive connection, after two warm-up requests."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        for _ in range(2):
            _get(conn, path)
        samples: list[float] = []
        started = time.perf_counter()
        while len(samples) < max_requests and (
            len(samples) < min_requests or time.perf_counter() - started < budget_s
        ):
            t0 = time.perf_counter()
            _get(conn, path)
            samples.append((time.perf_counter() - t0) * 1000)
        return Latency(samples)
    finally:
        conn.close()


def throughput(port: int, path: str, connections: int, duration_s: float) -> float:
    """Requests per second with ``connections`` clients for about ``duration_s``."""
    done = [0] * connections
    errors: list[BaseException] = []
    deadline = time.perf_counter() + duration_s

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            while time.perf_counter() < deadline:
                _get(conn, path)
                done[index] += 1
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise LoadError(str(errors[0]))
    return sum(done) / elapsed


def _proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LoadError(f"/proc/{pid}/status has no {field}")


@dataclass
class Export:
    """A streamed CSV download: data rows, seconds, BOM seen, peak RSS growth."""

    rows: int
    seconds: float
    bom: bool
    rss_growth_mb: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def export(port: int, path: str, pid: int, timeout_s: float) -> Export:
    """Download ``path`` and count its lines; RSS growth from the server's VmHWM."""
    before_kb = _proc_kb(pid, "VmRSS")
    try:  # reset the high-water mark so earlier load does not count
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        before_kb = max(before_kb, _proc_kb(pid, "VmHWM"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    started = time.perf_counter()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        if response.status != 200:
            raise LoadError(f"GET {path}: HTTP {response.status}")
        lines, first = 0, b""
        while chunk := response.read(1 << 16):
            if not first:
                first = chunk[:3]
            lines += chunk.count(b"\n")
            if time.perf_counter() - started > timeout_s:
                raise LoadError(f"export took longer than {timeout_s:.0f}s")
    finally:
        conn.close()
    seconds = time.perf_counter() - started
    peak_kb = _proc_kb(pid, "VmHWM")
    return Export(
        rows=max(lines - 1, 0),
        seconds=seconds,
        bom=first == b"\xef\xbb\xbf",
        rss_growth_mb=(peak_kb - before_kb) / 1024,
    )
