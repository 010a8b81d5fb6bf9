"""Why a served page costs more than the same page in a loop: the CPU's idle gaps.

Run (after bench_browse.py has built its table once):

    .venv/bin/python tests/benchmarks/bench_idle.py

bench_browse measures each page on one keep-alive connection: the server works, then
waits while the client reads and sends the next request. This script runs the list
page of Tablefront and of the floor in-process (no sockets, no threads) three ways:
back to back, with a 0.5 ms sleep between requests (the CPU goes idle, as it does
between served requests), and with a 0.5 ms busy wait instead (the CPU stays
awake). If the sleep costs much more than the busy wait, the gap between in-process
and served figures comes from waking an idle CPU (caches, frequency, the
hypervisor), and it grows with the work a page does, not with the server.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import browse_floor  # noqa: E402
import browse_tablefront  # noqa: E402

PAUSE_S = 0.0005
REQUESTS = 300


def _sleep() -> None:
    time.sleep(PAUSE_S)


def _spin() -> None:
    end = time.perf_counter() + PAUSE_S
    while time.perf_counter() < end:
        pass


def p50_ms(get: Callable[[], object], pause: Callable[[], None] | None) -> float:
    """The median time of ``get()`` over REQUESTS calls, ``pause()`` before each."""
    for _ in range(30):
        get()
    times = []
    for _ in range(REQUESTS):
        if pause is not None:
            pause()
        started = time.perf_counter()
        get()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    db_dir = REPO / "instance" / "bench" / "db"
    if not (db_dir / "bench.db").exists():
        sys.exit(f"no {db_dir / 'bench.db'}: run tests/benchmarks/bench_browse.py once")
    os.environ.update(browse_tablefront.bench_environ(db_dir))
    browse_tablefront.declare_models()
    from werkzeug.test import Client

    from app import create_app

    tablefront = Client(browse_tablefront.as_windows_user(create_app()))
    floor = browse_floor.create_floor_app(db_dir).test_client()
    gc.freeze()
    pages = {
        "Tablefront": lambda: tablefront.get(browse_tablefront.TABLE).get_data(),
        "floor": lambda: floor.get("/people").get_data(),
    }
    print(f"list page 1 in-process, p50 ms over {REQUESTS} requests")
    print(f"{'':12}{'back to back':>14}{'0.5 ms sleep':>14}{'0.5 ms spin':>14}")
    for name, get in pages.items():
        row = [p50_ms(get, pause) for pause in (None, _sleep, _spin)]
        print(f"{name:12}" + "".join(f"{v:>14.2f}" for v in row))


if __name__ == "__main__":
    main()
