"""The demo seed: deterministic, consistent, realistic in volume, and insertable."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKeyConstraint,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy.dialects import mssql

from app.codegen.tsql_ddl import metadata_from_tsql
from app.demo.seed import PERSONAS, VOLUMES, seed_counts, seed_database, seed_rows
from app.embedded import install_sqlite_hooks

DEMO_DIR = Path(__file__).resolve().parents[2] / "sql" / "demo"
SMALL = 0.05


@pytest.fixture(scope="module")
def demo() -> MetaData:
    """The demo MetaData as mssql reflection would return it (read from sql/demo)."""
    return metadata_from_tsql([DEMO_DIR])


@pytest.fixture(scope="module")
def small_rows() -> dict[str, list[dict]]:
    """Every seed row at a small scale, by table."""
    rows: dict[str, list[dict]] = defaultdict(list)
    for table, batch in seed_rows(SMALL):
        rows[table].extend(batch)
    return rows


def sqlite_stand_in(source: MetaData, *, checks: bool = True) -> MetaData:
    """Copy MSSQL-typed MetaData into SQLite-creatable tables (test-local stand-ins).

    SQLite cannot render MONEY, UNIQUEIDENTIFIER, BIT, TINYINT, DATETIME2, TIMESTAMP or
    the SQL Server collation, nor keep foreign keys across ATTACHed files; app/embedded
    owns the production stand-ins, this copy only lets the seed be inserted for real.
    """
    target = MetaData()
    for table in source.sorted_tables:
        if table.info.get("is_view"):
            continue
        items: list = [_stand_in_column(c) for c in table.columns]
        if checks:
            items += [
                CheckConstraint(str(c.sqltext), name=c.name)
                for c in table.constraints
                if isinstance(c, CheckConstraint)
            ]
        for key in table.foreign_key_constraints:
            if key.referred_table.schema == table.schema:
                items.append(
                    ForeignKeyConstraint(
                        key.column_keys,
                        [e.target_fullname for e in key.elements],
                        name=key.name,
                    )
                )
        items += [
            UniqueConstraint(*(c.name for c in i.columns), name=i.name)
            for i in table.indexes
            if i.unique
        ]
        Table(table.name, target, *items, schema=table.schema)
    return target


def _stand_in_column(column: Column) -> Column:
    kind = column.type
    args: list = []
    server_default = None
    if isinstance(kind, mssql.MONEY):
        kind = Numeric(19, 4)
    elif isinstance(kind, mssql.UNIQUEIDENTIFIER):
        kind = Uuid()
    elif isinstance(kind, mssql.BIT):
        kind = Boolean()
    elif isinstance(kind, mssql.TINYINT):
        kind = SmallInteger()
    elif isinstance(kind, mssql.DATETIME2):
        kind = DateTime()
    elif isinstance(kind, mssql.TIMESTAMP):
        kind, server_default = LargeBinary(), text("(randomblob(8))")
    elif isinstance(kind, String):
        kind = String(kind.length) if kind.length else Text()
    if column.computed is not None:
        args.append(Computed(column.computed.sqltext, persisted=True))
    return Column(
        column.name,
        kind,
        *args,
        nullable=column.nullable,
        primary_key=column.primary_key,
        server_default=server_default,
    )


def sqlite_engine(directory: Path, metadata: MetaData):
    """An engine on SQLite files, one per schema, ATTACHed on connect."""
    engine = create_engine(f"sqlite:///{directory / 'main.db'}")
    schemas = sorted({t.schema for t in metadata.tables.values()})
    install_sqlite_hooks(engine, directory, schemas)
    metadata.create_all(engine)
    return engine


@pytest.fixture(scope="module")
def seeded(demo: MetaData, tmp_path_factory: pytest.TempPathFactory):
    """A SQLite database (checks and same-schema FKs enforced) seeded at SMALL."""
    metadata = sqlite_stand_in(demo)
    engine = sqlite_engine(tmp_path_factory.mktemp("seeded"), metadata)
    with engine.begin() as connection:
        inserted = seed_database(connection, metadata, scale=SMALL)
    yield engine, metadata, inserted
    engine.dispose()


def test_seed_rows_two_runs_identical() -> None:
    """GIVEN the seed generator
    WHEN it runs twice at the same scale
    THEN every batch is identical (fixed seeds, no clock, no uuid4)."""
    assert list(seed_rows(SMALL)) == list(seed_rows(SMALL))


def test_seed_rows_scale_one_volumes_realistic() -> None:
    """GIVEN scale 1.0
    WHEN the rows are counted (nothing inserted)
    THEN each table is within 2% of its planned volume, tickets the busiest."""
    counts = seed_counts(1.0)

    assert counts.keys() == VOLUMES.keys()
    for table, planned in VOLUMES.items():
        assert abs(counts[table] - planned) <= planned * 0.02, table
    assert max(counts, key=counts.get) == "ops.tickets"


def test_seed_rows_parents_before_children(demo: MetaData) -> None:
    """GIVEN the order tables are yielded in
    WHEN each table's foreign keys are compared with that order
    THEN every referenced table comes earlier (or is the table itself)."""
    order = list(dict.fromkeys(table for table, _ in seed_rows(SMALL)))

    for name in order:
        for key in demo.tables[name].foreign_key_constraints:
            parent = key.referred_table.fullname
            assert parent == name or order.index(parent) < order.index(name)


def test_seed_rows_every_foreign_key_value_exists(
    demo: MetaData, small_rows: dict[str, list[dict]]
) -> None:
    """GIVEN every foreign key of the demo tables, cross-schema ones included
    WHEN the child values are looked up among the parent rows
    THEN each non-null value exists."""
    for name, rows in small_rows.items():
        for key in demo.tables[name].foreign_key_constraints:
            parent_rows = small_rows[key.referred_table.fullname]
            targets = [e.column.name for e in key.elements]
            present = {tuple(r[c] for c in targets) for r in parent_rows}
            for row in rows:
                value = tuple(row[c] for c in key.column_keys)
                if None not in value:
                    assert value in present, (key.name, value)


def test_seed_rows_self_referencing_managers_inserted_first(
    small_rows: dict[str, list[dict]],
) -> None:
    """GIVEN hr.employees rows in the order they are inserted
    WHEN each manager_id is checked against the rows before it
    THEN every manager precedes the report and exactly one person has no manager."""
    seen: set[int] = set()
    roots = 0
    for row in small_rows["hr.employees"]:
        if row["manager_id"] is None:
            roots += 1
        else:
            assert row["manager_id"] in seen
        seen.add(row["employee_id"])

    assert roots == 1


def test_seed_rows_unique_keys_and_indexes_hold(
    demo: MetaData, small_rows: dict[str, list[dict]]
) -> None:
    """GIVEN each table's primary key and unique indexes
    WHEN the seed rows' values for them are counted
    THEN no value repeats."""
    for name, rows in small_rows.items():
        table = demo.tables[name]
        keys = [list(table.primary_key.columns)] if table.primary_key.columns else []
        keys += [list(i.columns) for i in table.indexes if i.unique]
        for columns in keys:
            values = Counter(tuple(r[c.name] for c in columns) for r in rows)
            duplicates = [v for v, n in values.items() if n > 1]
            assert duplicates == [], (name, [c.name for c in columns])


def test_seed_rows_never_set_rowversion_or_computed_columns(
    demo: MetaData, small_rows: dict[str, list[dict]]
) -> None:
    """GIVEN the demo tables' rowversion and computed columns
    WHEN the seed rows' keys are compared with the table columns
    THEN rows name only real columns and none of those database-filled ones."""
    for name, rows in small_rows.items():
        table = demo.tables[name]
        filled = {
            c.name
            for c in table.columns
            if c.computed is not None or isinstance(c.type, mssql.TIMESTAMP)
        }
        keys = set().union(*(r.keys() for r in rows))
        assert keys <= set(table.c.keys()), name
        assert not keys & filled, name


def test_seed_rows_small_scale_keeps_personas_first(
    small_rows: dict[str, list[dict]],
) -> None:
    """GIVEN the seed at a small scale
    WHEN employees 1-5 are looked up
    THEN they are the five personas with their CONTOSO logins."""
    by_id = {r["employee_id"]: r for r in small_rows["hr.employees"]}

    assert [by_id[i]["login"] for i in range(1, 6)] == [
        f"CONTOSO\\{p[0]}" for p in PERSONAS
    ]


@pytest.mark.parametrize("scale", [0.02, 1.0])
def test_seed_rows_dkowalski_manages_a_sales_team(scale: float) -> None:
    """GIVEN the seed at the smallest and the full scale
    WHEN Dana Kowalski's direct reports are counted
    THEN she has 8-12 reports, all in her department."""
    employees = [r for t, b in seed_rows(scale) if t == "hr.employees" for r in b]
    dana = next(r for r in employees if r["login"] == "CONTOSO\\dkowalski")
    team = [r for r in employees if r["manager_id"] == dana["employee_id"]]

    assert 8 <= len(team) <= 12
    assert {r["department_id"] for r in team} == {dana["department_id"]}


def test_seed_database_sqlite_inserts_every_row(seeded) -> None:
    """GIVEN SQLite files ATTACHed per schema, with checks and same-schema FKs on
    WHEN seed_database inserts the small seed
    THEN every table holds exactly the rows the generator yields."""
    engine, metadata, inserted = seeded

    with engine.connect() as connection:
        stored = {
            name: connection.execute(select(func.count()).select_from(t)).scalar()
            for name, t in metadata.tables.items()
        }

    assert inserted == seed_counts(SMALL)
    assert stored == inserted


def test_seed_database_sqlite_foreign_key_check_clean(seeded) -> None:
    """GIVEN the seeded SQLite database
    WHEN PRAGMA foreign_key_check runs on every schema
    THEN no violation is reported."""
    engine, metadata, _ = seeded
    schemas = sorted({t.schema for t in metadata.tables.values()})

    with engine.connect() as connection:
        problems = [
            row
            for schema in schemas
            for row in connection.exec_driver_sql(
                f'PRAGMA "{schema}".foreign_key_check'
            )
        ]

    assert problems == []


def test_seed_rows_satisfy_every_check_constraint(
    demo: MetaData, tmp_path: Path
) -> None:
    """GIVEN the seed inserted into SQLite tables created WITHOUT check constraints
    WHEN each demo CHECK is evaluated as SELECT COUNT(*) WHERE NOT (check)
    THEN no row violates any named check."""
    metadata = sqlite_stand_in(demo, checks=False)
    engine = sqlite_engine(tmp_path, metadata)
    with engine.begin() as connection:
        seed_database(connection, metadata, scale=SMALL)
        violations = {
            check.name: connection.execute(
                select(func.count())
                .select_from(metadata.tables[name])
                .where(text(f"NOT ({check.sqltext})"))
            ).scalar()
            for name, table in demo.tables.items()
            for check in table.constraints
            if isinstance(check, CheckConstraint)
        }
    engine.dispose()

    assert len(violations) >= 20
    assert {n: v for n, v in violations.items() if v} == {}


def test_seed_database_sqlite_computes_line_total(seeded) -> None:
    """GIVEN the seeded SQLite order lines (line_total computed by the database)
    WHEN line_total is compared with quantity * unit_price
    THEN they agree on every row and none is null."""
    engine, metadata, _ = seeded
    lines = metadata.tables["sales.order_lines"]

    with engine.connect() as connection:
        mismatches = connection.execute(
            select(func.count())
            .select_from(lines)
            .where(
                (lines.c.line_total.is_(None))
                | (
                    func.abs(lines.c.line_total - lines.c.quantity * lines.c.unit_price)
                    > 0.0001
                )
            )
        ).scalar()

    assert mismatches == 0
