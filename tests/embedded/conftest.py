"""An embedded SQLite database (one file per schema) built from the test models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from app.embedded import install_sqlite_hooks
from tests.embedded.models import Base


def build_engine(db_dir: Path, schema_map: dict[str, str] | None = None) -> Engine:
    """An engine over ``db_dir``, schemas ATTACHed under their physical names."""
    options = {"schema_translate_map": schema_map} if schema_map else {}
    engine = create_engine(
        f"sqlite:///{db_dir.resolve() / 'main.db'}", execution_options=options
    )
    logical = {t.schema for t in Base.metadata.tables.values()}
    physical = [(schema_map or {}).get(s, s) for s in logical]
    install_sqlite_hooks(engine, db_dir, physical)
    return engine


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    """The test models created in fresh SQLite files under tmp_path/db."""
    engine = build_engine(tmp_path / "db")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session
