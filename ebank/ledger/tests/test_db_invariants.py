"""The database refuses what the services would never do: a bug in Python cannot unbalance the books."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from ebank.ledger.models import BusinessType, Posting
from ebank.ledger.services import Leg, entry_post

from .factories import BankLedgerAccountFactory, CustomerLedgerAccountFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def posted():
    cash = BankLedgerAccountFactory()
    alice = CustomerLedgerAccountFactory()
    result = entry_post(idempotency_key="dep", business_type=BusinessType.CASH_DEPOSIT,
                        reference="dep", legs=[Leg.debit(cash.pk, Decimal("10.00")),
                                               Leg.credit(alice.pk, Decimal("10.00"))])
    return cash, alice, result.entry_id


def test_a_posting_cannot_be_updated_even_with_raw_sql(posted):
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_posting SET amount = 1000")
    assert set(Posting.objects.values_list("amount", flat=True)) == {Decimal("10.00")}


def test_a_posting_cannot_be_deleted_even_with_raw_sql(posted):
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_posting")
    assert Posting.objects.count() == 2


def test_an_entry_cannot_be_rewritten(posted):
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_entry SET reference = 'x'")


def test_an_unbalanced_entry_is_refused_at_commit(posted):
    cash, alice, _entry_id = posted
    # The error comes when the transaction commits, i.e. on leaving atomic().
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (idempotency_key, fingerprint, business_type, reference,"
            " memo, posted_at) VALUES ('raw', '', 'adjustment', 'raw', '', now()) RETURNING id"
        )
        entry_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, side, amount, balance_after,"
            " posted_at) VALUES (%s, %s, 'D', 5, 0, now()), (%s, %s, 'C', 4, 0, now())",
            [entry_id, cash.pk, entry_id, alice.pk],
        )
    assert not Posting.objects.filter(entry__idempotency_key="raw").exists()


def test_a_non_positive_amount_is_refused(posted):
    cash, _alice, entry_id = posted
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, side, amount, balance_after,"
            " posted_at) VALUES (%s, %s, 'D', -5, 0, now())", [entry_id, cash.pk])


def test_a_customer_balance_cannot_go_below_its_holds(posted):
    _cash, alice, _entry_id = posted
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgeraccount SET balance = -1 WHERE id = %s", [alice.pk])
