"""The PL/pgSQL behind funds_move lives in .sql files that are never edited after release.

Rule (accounts/migrations/0002_funds_move_function.sql, docs/architecture.md): a change of a
database function is a new migration with a new ``.sql`` file. These tests hold the files to
it: a file, once recorded in RELEASED, keeps its checksum (a migrated database ran it as it
was; editing it would change only the databases created afterwards); each is read by exactly
one migration; and the function a migrated database has is the newest file's, to the byte.

Adding a function change: a new migration, its new ``.sql`` file, and the file's SHA-256 added
to RELEASED. An old line of RELEASED is never changed.
"""

import hashlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

ROOT = Path(settings.BASE_DIR)
RELEASED = {
    "accounts/migrations/0002_funds_move_function.sql":
        "e7c47da09a43b0d6bb8bf9b479876a796e20f52ddb56e2315c11b46d4b4e791f",
}


def migration_sql_files() -> list[Path]:
    """Every .sql file beside the project's own migrations (not installed packages')."""
    found = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        if folder.is_relative_to(ROOT) and folder.is_dir():
            found += sorted(folder.glob("*.sql"))
    return found


def test_the_function_is_in_sql_files_only():
    defines = "FUNCTION ebank_funds_move("
    files = [p.relative_to(ROOT).as_posix() for p in migration_sql_files()
             if defines in p.read_text(encoding="utf-8")]
    assert files[0] == "accounts/migrations/0002_funds_move_function.sql"
    inline = [p.name for p in (ROOT / "accounts" / "migrations").glob("*.py")
              if defines in p.read_text(encoding="utf-8")]
    assert inline == []


def test_no_released_sql_file_was_edited():
    found = {p.relative_to(ROOT).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in migration_sql_files()}
    assert found == RELEASED


@pytest.mark.parametrize("sql_file", migration_sql_files(), ids=lambda p: p.name)
def test_each_sql_file_is_read_by_exactly_one_migration(sql_file):
    readers = [p.name for p in sorted(sql_file.parent.glob("*.py"))
               if f'"{sql_file.name}"' in p.read_text(encoding="utf-8")]
    assert len(readers) == 1, (sql_file.name, readers)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_function_in_the_database_is_the_newest_files():
    newest = [p for p in migration_sql_files()
              if re.search(r"FUNCTION ebank_funds_move\(", p.read_text(encoding="utf-8"))][-1]

    def definition(schema: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_functiondef(p.oid) FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE p.proname = 'ebank_funds_move' AND n.nspname = %s", [schema])
            rows = cursor.fetchall()
        assert len(rows) == 1, f"{len(rows)} functions ebank_funds_move in {schema}"
        return rows[0][0].replace(f"{schema}.ebank_funds_move(", "ebank_funds_move(")

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (migrated_schema,) = cursor.fetchone()
    with transaction.atomic():
        # The newest file, run as its migration runs it, into a schema of its own; rolled back.
        with connection.cursor() as cursor:
            cursor.execute("CREATE SCHEMA funds_move_newest")
            cursor.execute("SET LOCAL search_path = funds_move_newest")
            cursor.execute(newest.read_text(encoding="utf-8"))
            cursor.execute("SET LOCAL search_path = DEFAULT")
        from_file = definition("funds_move_newest")
        transaction.set_rollback(True)
    assert definition(migrated_schema) == from_file
