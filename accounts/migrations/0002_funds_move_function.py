"""``ebank_funds_move``: the two-leg movement of accounts.services.funds_move in one statement.

Every external transfer runs this. As separate statements from Python it costs eight round
trips (begin, claim the key, read policies, take the limit, lock, insert postings, update
balances, commit); as one PL/pgSQL call in autocommit it costs one, with plans cached by the
server. It does exactly what the portable Python path does (ebank.ledger.services.entry_post
with the limit engine's consumption in ``before_lock``), in the same lock order.

The function is in ``0002_funds_move_function.sql`` beside this file, with its steps and the
"change both" note. That file is never edited: a later change of the function is a new
migration with a new ``.sql`` file (accounts/tests/test_funds_move_sql.py holds every file to
exactly one migration and the database to the newest file).
"""

from pathlib import Path

from django.db import migrations

SQL_FILE = Path(__file__).parent / "0002_funds_move_function.sql"

BACKWARD = "DROP FUNCTION IF EXISTS ebank_funds_move(text, text, text, text, text, timestamptz, bigint, bigint, numeric, bigint, date, text, numeric, numeric);"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A bare cursor and no parameters: the file is run as written.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(SQL_FILE.read_text(encoding="utf-8"))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("ledger", "0002_invariants"),
        ("limits", "0001_initial"),
    ]
    operations = [migrations.RunPython(forward, backward)]
