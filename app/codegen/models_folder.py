"""The generated model modules: rendered from a source, read from and written to
their folder, compared, and the source they came from recorded in them.

The folder always mirrors one run: schema modules a run no longer produces are
deleted (only files carrying the generated header). The package module's second line
records the source as ``--url`` / ``--from-ddl`` options, which ``--check`` reuses
when the configured database is the embedded one (built from the models).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app.codegen.drift import compare_metadata, load_models
from app.codegen.generator import HEADER, TablefrontGenerator
from app.codegen.sources import Source
from config import PROJECT_ROOT

GENERATED_MARK = HEADER.split("{", 1)[0]


def generate_sources(
    source: Source, collation: str | None = None, warnings: list[str] | None = None
) -> dict[str, str]:
    """Render the source's tables as ``{file name: module source}``; notes for the
    operator (e.g. columns of unknown types) are appended to ``warnings``."""
    generator = TablefrontGenerator(
        source.metadata,
        source.bind,
        collation=collation,
        source_dialect=source.dialect_name,
    )
    modules = generator.generate_modules()
    if warnings is not None:
        warnings.extend(generator.warnings)
    return modules


def read_generated(folder: Path) -> dict[str, str]:
    """The generated modules currently in *folder* (files carrying the header)."""
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.py")):
        content = path.read_text(encoding="utf-8")
        if content.startswith(GENERATED_MARK):
            found[path.name] = content
    return found


def write_generated(folder: Path, sources: Mapping[str, str]) -> None:
    """Write the modules and delete generated modules this run no longer produces."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in read_generated(folder):
        if name not in sources:
            (folder / name).unlink()
    for name, content in sources.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="\n")


def change_report(
    old: Mapping[str, str], new: Mapping[str, str], dialect: Any
) -> list[str]:
    """Structural changes between two sets of generated modules."""
    if not old:
        loaded = load_models(new, configure=False)
        tables = loaded.metadata.tables.values()
        schemas = {t.schema for t in tables}
        return [f"+ {len(tables)} tables in {len(schemas)} schemas (first generation)"]
    before = load_models(old, configure=False).metadata
    after = load_models(new, configure=False).metadata
    return compare_metadata(before, after, dialect)


SOURCE_PREFIX = "# Source: "


def describe_source(url: str | None, ddl: Iterable[Path]) -> str:
    """The source as options that ``--check`` can reuse: scripts or a URL."""
    if ddl:
        parts = []
        for path in ddl:
            resolved = Path(path).resolve()
            try:
                shown = resolved.relative_to(PROJECT_ROOT).as_posix()
            except ValueError:
                shown = resolved.as_posix()
            parts += ["--from-ddl", shown]
        return shlex.join(parts)
    if url:
        return shlex.join(["--url", make_url(url).render_as_string(hide_password=True)])
    return "the configured database"


def with_source(sources: dict[str, str], description: str) -> dict[str, str]:
    """*sources* with the package module recording where the models came from."""
    package = sources["__init__.py"]
    header, _, rest = package.partition("\n")
    return {**sources, "__init__.py": f"{header}\n{SOURCE_PREFIX}{description}\n{rest}"}


def recorded_source(folder: Path) -> tuple[str | None, list[Path]]:
    """The ``--url`` or ``--from-ddl`` options the models in *folder* came from."""
    try:
        package = (folder / "__init__.py").read_text(encoding="utf-8")
    except OSError:
        return None, []
    for line in package.splitlines()[:3]:
        if line.startswith(SOURCE_PREFIX):
            try:
                words = shlex.split(line[len(SOURCE_PREFIX) :])
            except ValueError:
                return None, []
            if not words:
                return None, []
            if words[0] == "--url" and len(words) == 2 and "***" not in words[1]:
                return words[1], []
            if words[0] == "--from-ddl":
                paths = [PROJECT_ROOT / w for w in words[1::2]]
                return None, [p for p in paths if p.exists()]
    return None, []
