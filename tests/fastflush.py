"""A cheaper end for transactional tests on PostgreSQL (docs/testing.md, "Speed").

Django ends every ``TransactionTestCase`` (``django_db(transaction=True)``, ``live_server``)
with ``flush``: a TRUNCATE of all ~115 tables and then the ``post_migrate`` signal, which
re-creates the content types, the permissions and the staff roles' groups. On the CI machine
that costs 2-6 s per test, over 160 tests.

The state it leaves is: every table empty except the ones ``post_migrate`` fills. This module
reaches exactly that state more cheaply:

* after the first real flush of the run it remembers those filled tables and a fingerprint of
  their rows (md5 over every row's text);
* at the end of each later transactional test, if those tables still hold exactly the
  remembered rows, it DELETEs the rows of every *other* table that is not empty (in one
  transaction, with ``session_replication_role = replica`` so the ledger's append-only
  triggers and the deferred foreign keys do not stand in the way of emptying everything);
  ``post_migrate`` would re-create rows identical to the kept ones, so it is not sent;
* anything else — a test that changed a permission or a group, a role without the right to set
  ``session_replication_role`` (not a superuser), a trigger enabled ALWAYS, SQLite — falls back
  to Django's own flush, unchanged.

Sequences are not reset either way (Django's flush for tests passes reset_sequences=False).
"""

from django.core.management import call_command
from django.db import connections, transaction
from django.test import TransactionTestCase

_django_fixture_teardown = TransactionTestCase._fixture_teardown

# alias -> {table: fingerprint} of the tables post_migrate fills, as the last real flush left them
_kept: dict[str, dict[str, str]] = {}
_unavailable: set[str] = set()
stats = {"fast": 0, "full": 0}


def _tables(connection) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True,
                                                              include_views=False))


def _non_empty(cursor, connection, tables) -> list[str]:
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {qn(t)})" for i, t in enumerate(tables))
    cursor.execute(sql)
    return [tables[row[0]] for row in cursor.fetchall()]


def _fingerprints(cursor, connection, tables) -> dict[str, str]:
    if not tables:
        return {}
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {i}, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
        f"FROM {qn(t)} x" for i, t in enumerate(tables))
    cursor.execute(sql)
    return {tables[i]: digest for i, digest in cursor.fetchall()}


def _remember(alias) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        filled = _non_empty(cursor, connection, _tables(connection))
        _kept[alias] = _fingerprints(cursor, connection, filled)


def _fast_flush(alias) -> bool:
    connection = connections[alias]
    if connection.vendor != "postgresql" or alias in _unavailable or alias not in _kept:
        return False
    kept = _kept[alias]
    qn = connection.ops.quote_name
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if _fingerprints(cursor, connection, list(kept)) != kept:
                return False  # a test changed what post_migrate makes: the real flush
            tables = [t for t in _tables(connection) if t not in kept]
            dirty = _non_empty(cursor, connection, tables)
            if dirty:
                cursor.execute("SET LOCAL session_replication_role = replica")
                for table in dirty:
                    cursor.execute(f"DELETE FROM {qn(table)}")
    except Exception:  # noqa: BLE001 - e.g. not a superuser: Django's flush instead, always right
        _unavailable.add(alias)
        return False
    return True


def _fixture_teardown(self):
    if self.available_apps is not None or self.serialized_rollback:
        return _django_fixture_teardown(self)
    for alias in self._databases_names(include_mirrors=False):
        if _fast_flush(alias):
            stats["fast"] += 1
            continue
        stats["full"] += 1
        call_command("flush", verbosity=0, interactive=False, database=alias,
                     reset_sequences=False, allow_cascade=False, inhibit_post_migrate=False)
        if connections[alias].vendor == "postgresql":
            _remember(alias)
    return None


def install() -> None:
    TransactionTestCase._fixture_teardown = _fixture_teardown
