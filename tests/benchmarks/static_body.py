"""A reference server for bench_odata: one fixed body under waitress, nothing else.

Run: python tests/benchmarks/static_body.py --body FILE --port PORT

Every GET answers 200 with FILE's bytes (a JSON page Tablefront served), so a client
reading it measures what transport and its own parsing cost with no server work:
the part of a feed page no server can make cheaper.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    """Serve the body on 127.0.0.1."""
    from waitress import serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--body", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    body = args.body.read_bytes()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
    ]

    def app(environ, start_response):
        start_response("200 OK", headers)
        return [body]

    serve(app, host="127.0.0.1", port=args.port, threads=8, _quiet=True)


if __name__ == "__main__":
    main()
