"""tests/fastflush.py pinned: a transactional test ends with the same state Django's flush
leaves — every table empty but the ones post_migrate fills (content types, permissions, the
staff roles' groups), those unchanged. The first test writes rows everywhere it can reach
(the ledger's append-only postings included); the second, run after it in this module's order,
finds them gone and the post_migrate rows intact."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from ebank.ledger.models import Entry, LedgerAccount, Posting
from ebank.ledger.services import Leg, entry_post, ledger_account_open

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

_seen: dict[str, int] = {}


def _post_migrate_counts() -> dict[str, int]:
    return {"contenttypes": ContentType.objects.count(), "permissions": Permission.objects.count(),
            "groups": Group.objects.count()}


def test_first_writes_postings_and_accounts():
    if connection.vendor != "postgresql":
        pytest.skip("the fast flush is PostgreSQL's")
    _seen.update(_post_migrate_counts())
    a = ledger_account_open(code="FF:A", name="甲", owner="bank", normal_side="D",
                            allow_negative=True)
    b = ledger_account_open(code="FF:B", name="乙", owner="bank", normal_side="C",
                            allow_negative=True)
    entry_post(idempotency_key="ff-1", business_type="adjustment", reference="ff",
               legs=[Leg.debit(a.pk, Decimal("1.00")), Leg.credit(b.pk, Decimal("1.00"))])
    assert Posting.objects.count() == 2


def test_then_finds_them_gone_and_post_migrate_rows_kept():
    if connection.vendor != "postgresql":
        pytest.skip("the fast flush is PostgreSQL's")
    assert not LedgerAccount.objects.filter(code__startswith="FF:").exists()
    assert Entry.objects.count() == 0 and Posting.objects.count() == 0
    assert _post_migrate_counts() == _seen
    tables = connection.introspection.django_table_names(only_existing=True)
    kept = {ContentType._meta.db_table, Permission._meta.db_table, Group._meta.db_table,
            Group.permissions.through._meta.db_table}
    with connection.cursor() as cursor:
        for table in sorted(set(tables) - kept):
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608 - own names
            assert cursor.fetchone()[0] is False, f"{table} not emptied"
