"""The floor: a minimal hand-written Flask + Jinja keyset page over the bench table.

No ORM, no catalog, no permissions: SQLAlchemy Core with hand-written SQL (the stack
Tablefront is built on, at its thinnest), one compiled template, row links built by
string concatenation, capped counts. What a page on this stack can hope to cost.

What the list page renders, so that it shows what Tablefront's list shows and no
more: a minimal HTML document (doctype, charset, title, one stylesheet link), a
heading, the capped row count, a search form, a table with a header row naming the
same 8 columns Tablefront shows for bench.people (id, first name, last name, email,
category name from a JOIN, amount, joined on, active), the same 50 rows with a link
to each row's page on its id and a link to its category, and pager links (first,
next). Every value is autoescaped by Jinja, one expression per cell. Not rendered
(Tablefront has them, the floor does not): navigation bar, breadcrumbs, filter
controls, sort links, per-type CSS classes and tooltips, export links, page tokens.
Nothing is added to slow it down: no sleeps, no extra queries, no unused work.
Run: python tests/benchmarks/browse_floor.py --db-dir DIR --port PORT
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import sqlite3
from pathlib import Path

from flask import Flask, Response, abort, request
from sqlalchemy import create_engine, event

PAGE_SIZE = 50
COUNT_CAP = 10_000
# As Tablefront (app/data/counts.py): a search that scans counts to 1,000 matches.
SCAN_COUNT_CAP = 1_000
LABELS = [
    "Person id",
    "First name",
    "Last name",
    "Email",
    "Category",
    "Amount",
    "Joined on",
    "Active",
]
COLUMNS = [
    "person_id",
    "first_name",
    "last_name",
    "email",
    "category",
    "amount",
    "joined_on",
    "is_active",
]
EXPORT_SELECT = (
    "SELECT p.person_id, p.first_name, p.last_name, p.email, c.name, p.amount,"
    " p.joined_on, p.is_active FROM bench.people p"
    " JOIN bench.categories c ON c.category_id = p.category_id"
)
SELECT = (  # the list also needs category_id, to link the category
    "SELECT p.person_id, p.first_name, p.last_name, p.email, c.name, p.amount,"
    " p.joined_on, p.is_active, p.category_id FROM bench.people p"
    " JOIN bench.categories c ON c.category_id = p.category_id"
)

LIST_TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>People</title><link rel="stylesheet" href="/static/floor.css"></head><body>
<h1>People</h1><p>{{ count }} rows</p>
<form><input type="search" name="q" value="{{ q }}"><button>Search</button></form>
<table><thead><tr>{% for c in labels %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for r in rows %}<tr><td><a href="/people/{{ r[0] }}">{{ r[0] }}</a></td>
<td>{{ r[1] }}</td><td>{{ r[2] }}</td><td>{{ r[3] }}</td>
<td><a href="/categories/{{ r[8] }}">{{ r[4] }}</a></td>
<td>{{ r[5] }}</td><td>{{ r[6] }}</td><td>{{ 'yes' if r[7] else 'no' }}</td></tr>
{% endfor %}</tbody></table>
<a href="/people">First</a>
{% if next_url %}<a href="{{ next_url }}">Next</a>{% endif %}
</body></html>"""
DETAIL_TEMPLATE = """<!doctype html><html><head><title>Person</title></head><body>
<h1>{{ row[1] }} {{ row[2] }}</h1><dl>{% for c in columns %}<dt>{{ c }}</dt>
<dd>{{ row[loop.index0] }}</dd>{% endfor %}</dl></body></html>"""
CSS = "table { border-collapse: collapse; } td, th { padding: 2px 6px; }\n"


def create_floor_app(db_dir: Path) -> Flask:
    """The floor app over ``db_dir/main.db`` with ``bench.db`` ATTACHed."""
    app = Flask(__name__)
    engine = create_engine(f"sqlite:///{db_dir / 'main.db'}", pool_size=8)

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection, _record) -> None:
        dbapi_connection.execute(
            "ATTACH DATABASE ? AS bench", (str(db_dir / "bench.db"),)
        )

    list_template = app.jinja_env.from_string(LIST_TEMPLATE)
    detail_template = app.jinja_env.from_string(DETAIL_TEMPLATE)

    def query(sql: str, params: list) -> list[tuple]:
        with engine.connect() as con:
            return con.exec_driver_sql(sql, tuple(params)).fetchall()

    @app.get("/people")
    def index():
        args = request.args
        where, params = [], []
        q = args.get("q", "")
        if q and args.get("mode") == "contains":
            where.append("p.last_name LIKE ? ESCAPE '\\'")
            params.append("%" + q.replace("\\", "\\\\").replace("%", "\\%") + "%")
        elif q:
            where.append("p.last_name >= ? AND p.last_name < ?")
            params += [q, q[:-1] + chr(ord(q[-1]) + 1)]
        if args.get("category"):
            where.append("p.category_id = ?")
            params.append(int(args["category"]))
        count_sql = "SELECT count(*) FROM (SELECT 1 FROM bench.people p"
        count_sql += (" WHERE " + " AND ".join(where)) if where else ""
        scan = bool(q) and args.get("mode") == "contains"
        cap = SCAN_COUNT_CAP if scan else COUNT_CAP
        # As Tablefront: a scan counts its matches in key order (app/data/counts.py).
        count_sql += " ORDER BY p.person_id" if scan else ""
        count = query(count_sql + " LIMIT ?)", [*params, cap + 1])[0][0]
        # A prefix search reads the last_name index in order; sorting its matches by
        # the key instead would sort every match (36 ms for 25,000 rows).
        by_name = args.get("sort") == "last_name" or (
            q and args.get("mode") != "contains"
        )
        sort = "last_name" if by_name else "person_id"
        if args.get("after"):
            if sort == "last_name":
                where.append("(p.last_name, p.person_id) > (?, ?)")
                name, _, pk = args["after"].rpartition(":")
                params += [name, int(pk)]
            else:
                where.append("p.person_id > ?")
                params.append(int(args["after"]))
        order = "p.last_name, p.person_id" if sort == "last_name" else "p.person_id"
        sql = SELECT + ((" WHERE " + " AND ".join(where)) if where else "")
        rows = query(sql + f" ORDER BY {order} LIMIT {PAGE_SIZE}", params)
        next_url = None
        if len(rows) == PAGE_SIZE:
            last = rows[-1]
            after = f"{last[2]}:{last[0]}" if sort == "last_name" else str(last[0])
            next_url = "/people?sort=" + sort + "&after=" + after
        shown = f"{cap:,}+" if count > cap else f"{count:,}"
        return list_template.render(
            rows=rows, labels=LABELS, count=shown, q=q, next_url=next_url
        )

    @app.get("/static/floor.css")
    def stylesheet():
        return Response(CSS, mimetype="text/css")

    @app.get("/people/<int:person_id>")
    def detail(person_id: int):
        rows = query(SELECT + " WHERE p.person_id = ?", [person_id])
        if not rows:
            abort(404)
        return detail_template.render(row=rows[0], columns=COLUMNS)

    @app.get("/people.csv")
    def export():
        def generate():
            con = sqlite3.connect(db_dir / "main.db")
            con.execute("ATTACH DATABASE ? AS bench", (str(db_dir / "bench.db"),))
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")
            writer.writerow(COLUMNS)
            cursor = con.execute(EXPORT_SELECT + " ORDER BY p.person_id")
            while batch := cursor.fetchmany(2000):
                writer.writerows(batch)
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
            yield buffer.getvalue().encode("utf-8")
            con.close()

        return Response(generate(), mimetype="text/csv")

    return app


def main() -> None:
    """Serve the floor app with waitress."""
    from waitress import serve

    parser = argparse.ArgumentParser()
    parser.add_argument("--db-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_floor_app(args.db_dir.resolve())
    gc.freeze()
    serve(app, host="127.0.0.1", port=args.port, threads=8, _quiet=True)


if __name__ == "__main__":
    main()
