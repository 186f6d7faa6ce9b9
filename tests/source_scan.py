"""What the code-scanning tests share (audit labels, SMS purposes): the project's own source
files and the name a call is made by."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def source_files() -> Iterator[Path]:
    """Every project .py file that runs in the site: no tests, migrations, benchmarks or venv."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "bench", "var", "node_modules"} or "tests" in parts \
                or "migrations" in parts:
            continue
        yield path


def call_name(func: ast.expr) -> str:
    """``audit_record`` for ``audit_record(...)`` and ``x.audit_record(...)``."""
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
