"""funds_move: every posting asserted, limits named, replays harmless — on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import transaction

from accounts.services import funds_move
from ebank.core.errors import IdempotencyConflict, InsufficientFunds, LimitExceeded
from ebank.ledger.models import BusinessType, Entry, LedgerAccount, Posting
from ebank.ledger.selectors import ledger_violations
from ebank.ledger.services import LedgerError, Leg, entry_post
from ebank.ledger.tests.factories import BankLedgerAccountFactory, CustomerLedgerAccountFactory
from ebank.limits.models import DailyLimitUsage, LimitLevel
from ebank.limits.services import LimitSubject, limit_policy_set
from transfers.models import TransferBusinessType

pytestmark = pytest.mark.django_db
D = Decimal
ALICE = LimitSubject(customer_id=1, branch_code="340101", has_security_tool=True)


@pytest.fixture
def pair():
    cash = BankLedgerAccountFactory()
    source, payee = CustomerLedgerAccountFactory(), CustomerLedgerAccountFactory()
    entry_post(idempotency_key="fund", business_type=BusinessType.CASH_DEPOSIT, reference="f",
               legs=[Leg.debit(cash.pk, D("1000.00")), Leg.credit(source.pk, D("1000.00"))])
    limit_policy_set(level=LimitLevel.BANK, single_limit=D("500.00"), daily_limit=D("800.00"))
    return source, payee


def move(source, payee, amount, key, subject=ALICE):
    return funds_move(debit_ledger_id=source.pk, credit_ledger_id=payee.pk, amount=D(amount),
                      business_type=TransferBusinessType.INTRA_TRANSFER, idempotency_key=key,
                      reference=f"ref:{key}", limit_subject=subject)


def test_a_transfer_posts_two_legs_and_takes_the_limit(pair):
    source, payee = pair
    result = move(source, payee, "300.00", "t1")
    postings = list(Posting.objects.filter(entry_id=result.entry_id).order_by("id")
                    .values_list("account_id", "side", "amount", "balance_after"))
    assert postings == [(source.pk, "D", D("300.00"), D("700.00")),
                        (payee.pk, "C", D("300.00"), D("300.00"))]
    assert Entry.objects.get(pk=result.entry_id).reference == "ref:t1"
    assert DailyLimitUsage.objects.get(customer_id=1).used == D("300.00")
    assert ledger_violations() == []


def test_a_replay_posts_and_consumes_nothing_and_a_changed_amount_is_refused(pair):
    source, payee = pair
    first = move(source, payee, "100.00", "k")
    again = move(source, payee, "100.00", "k")
    assert again.replayed and again.entry_id == first.entry_id
    assert DailyLimitUsage.objects.get(customer_id=1).used == D("100.00")
    with pytest.raises(IdempotencyConflict), transaction.atomic():
        move(source, payee, "100.01", "k")
    assert LedgerAccount.objects.get(pk=source.pk).balance == D("900.00")


def test_limits_name_the_level_and_write_nothing(pair):
    source, payee = pair
    with pytest.raises(LimitExceeded) as single, transaction.atomic():
        move(source, payee, "500.01", "too-big")
    assert single.value.level == LimitLevel.BANK and single.value.kind == "single"
    move(source, payee, "500.00", "ok")
    with pytest.raises(LimitExceeded) as daily, transaction.atomic():
        move(source, payee, "300.01", "over-daily")
    assert daily.value.kind == "daily"
    assert "调低转账金额" in daily.value.message
    assert DailyLimitUsage.objects.get(customer_id=1).used == D("500.00")
    assert not Entry.objects.filter(idempotency_key__in=["too-big", "over-daily"]).exists()


def test_customer_set_limit_points_to_limit_management(pair):
    source, payee = pair
    limit_policy_set(level=LimitLevel.CUSTOMER, scope="1", branch_code="340101",
                     single_limit=D("50.00"), daily_limit=D("100.00"))
    with pytest.raises(LimitExceeded) as refused, transaction.atomic():
        move(source, payee, "60.00", "over-own")
    assert refused.value.level == LimitLevel.CUSTOMER
    assert "限额管理" in refused.value.message


def test_insufficient_funds_writes_nothing_and_gives_the_limit_back(pair):
    source, payee = pair
    limit_policy_set(level=LimitLevel.BANK, single_limit=D("5000.00"), daily_limit=D("5000.00"))
    with pytest.raises(InsufficientFunds), transaction.atomic():
        move(source, payee, "1000.01", "broke")
    assert not DailyLimitUsage.objects.filter(customer_id=1, used__gt=0).exists()
    assert LedgerAccount.objects.get(pk=source.pk).balance == D("1000.00")


def test_own_account_moves_take_no_limit(pair):
    source, payee = pair
    move(source, payee, "900.00", "own", subject=None)
    assert not DailyLimitUsage.objects.exists()


def test_same_account_on_both_sides_is_refused(pair):
    source, _payee = pair
    with pytest.raises(LedgerError), transaction.atomic():
        move(source, source, "1.00", "self")
