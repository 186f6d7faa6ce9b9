"""Races on a real PostgreSQL: separate connections, real row locks, real commits."""

from decimal import Decimal

import pytest

from ebank.core.errors import InsufficientFunds, LimitExceeded
from ebank.ledger.models import BusinessType, Entry, LedgerAccount
from ebank.ledger.selectors import ledger_violations
from ebank.ledger.services import Leg, entry_post
from ebank.ledger.tests.factories import BankLedgerAccountFactory, CustomerLedgerAccountFactory
from transfers.models import TransferBusinessType

from .helpers import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def fund(account, amount):
    cash = BankLedgerAccountFactory()
    entry_post(idempotency_key=f"fund:{account.pk}", business_type=BusinessType.CASH_DEPOSIT,
               reference="fund", legs=[Leg.debit(cash.pk, D(amount)),
                                       Leg.credit(account.pk, D(amount))])


def move_with_entry_post(*, debit, credit, amount, key):
    return entry_post(idempotency_key=key, business_type=TransferBusinessType.INTRA_TRANSFER,
                      reference=key, legs=[Leg.debit(debit, amount), Leg.credit(credit, amount)])


def move_with_funds_move(*, debit, credit, amount, key):
    from accounts.services import funds_move

    return funds_move(debit_ledger_id=debit, credit_ledger_id=credit, amount=amount,
                      business_type=TransferBusinessType.INTRA_TRANSFER, idempotency_key=key,
                      reference=key)


# Both ways money moves: the generic entry_post and the one-call funds_move (PL/pgSQL).
movers = pytest.mark.parametrize("move", [move_with_entry_post, move_with_funds_move],
                                 ids=["entry_post", "funds_move"])


@movers
def test_overdraft_race_50_transfers_of_30_from_1000(move):
    source = CustomerLedgerAccountFactory()
    payees = [CustomerLedgerAccountFactory() for _ in range(5)]
    fund(source, "1000.00")

    def transfer(i):
        return move(debit=source.pk, credit=payees[i % 5].pk, amount=D("30.00"), key=f"race:{i}")

    results = run_concurrently(transfer, 50)
    succeeded = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(succeeded) == 33
    assert len(refused) == 17, [r for r in results if isinstance(r, Exception)
                                and not isinstance(r, InsufficientFunds)]
    source.refresh_from_db()
    assert source.balance == D("10.00")
    assert sum(LedgerAccount.objects.get(pk=p.pk).balance for p in payees) == D("990.00")
    assert ledger_violations() == []


@movers
def test_same_idempotency_key_ten_times_at_once_posts_one_entry(move):
    source = CustomerLedgerAccountFactory()
    payee = CustomerLedgerAccountFactory()
    fund(source, "100.00")

    def replay(_i):
        return move(debit=source.pk, credit=payee.pk, amount=D("40.00"), key="double-click")

    results = run_concurrently(replay, 10)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.entry_id for r in results}) == 1
    assert sum(1 for r in results if not r.replayed) == 1
    assert Entry.objects.filter(idempotency_key="double-click").count() == 1
    source.refresh_from_db()
    assert source.balance == D("60.00")


@movers
def test_opposite_transfers_between_the_same_pair_never_deadlock(move):
    a = CustomerLedgerAccountFactory()
    b = CustomerLedgerAccountFactory()
    fund(a, "1000.00")
    fund(b, "1000.00")

    def ping_pong(i):
        src, dst = (a, b) if i % 2 else (b, a)
        return move(debit=src.pk, credit=dst.pk, amount=D("1.00"), key=f"pp:{i}")

    results = run_concurrently(ping_pong, 40)
    assert not [r for r in results if isinstance(r, Exception)], results
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.balance + b.balance == D("2000.00")
    assert ledger_violations() == []


def test_daily_limit_race_10_transfers_of_1000_against_5000():
    from accounts.services import funds_move
    from ebank.limits.models import LimitLevel
    from ebank.limits.services import LimitSubject, limit_policy_set

    limit_policy_set(level=LimitLevel.BANK, single_limit=D("5000.00"), daily_limit=D("5000.00"))
    source = CustomerLedgerAccountFactory()
    payee = CustomerLedgerAccountFactory()
    fund(source, "100000.00")
    subject = LimitSubject(customer_id=4242, branch_code="340101", has_security_tool=True)

    def transfer(i):
        return funds_move(debit_ledger_id=source.pk, credit_ledger_id=payee.pk,
                          amount=D("1000.00"), business_type=TransferBusinessType.INTRA_TRANSFER,
                          idempotency_key=f"limit-race:{i}",
                          reference=f"limit-race:{i}", limit_subject=subject)

    results = run_concurrently(transfer, 10)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(results) - len(errors) == 5
    assert all(isinstance(e, LimitExceeded) for e in errors), errors
    payee.refresh_from_db()
    assert payee.balance == D("5000.00")
    assert ledger_violations() == []
