"""Races of 信用卡还款 and 取现 on PostgreSQL with real threads: two repayments of one card
confirmed at once both post, in the repayment order, with the ledger and the items agreeing;
two withdrawals at once never pass the cash limit together."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.db.models import Sum

from creditcard.engine import card_balance, card_verify, cash_available
from creditcard.models import Allocation, CardCredit, CardItem, CreditKind, ItemKind
from creditcard.repay.cash import BEYOND_CASH_LIMIT, cash_start
from creditcard.repay.repayment import FULL_PAID, repay_start
from ebank.core.errors import BusinessError
from security.models import OperationStatus
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import balance, confirm, world_build

from .repay_helpers import item, linked_card, main, statement_build

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
NOON = datetime(2026, 2, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def bank(settings, tmp_path):
    world = world_build(settings, tmp_path)
    with time_machine.travel(NOON, tick=True):
        yield world


def test_two_repayments_confirmed_at_once_both_post_and_the_card_stays_sound(bank):
    card = linked_card(bank.zhang_customer)
    purchase = item(card, ItemKind.PURCHASE, "1000.00", date(2026, 1, 20))
    cash = item(card, ItemKind.CASH, "500.00", date(2026, 1, 21))
    statement_build(card, date(2026, 2, 5), [purchase, cash], minimum="600.00")
    operations = [repay_start(user=bank.zhang, card_id=card.pk,
                              sub_account_id=main(bank.zhang_card).pk, choice="other",
                              amount=amount) for amount in ("600.00", "700.00")]
    results = run_concurrently(lambda i: confirm(operations[i], user=bank.zhang), 2)
    assert not any(isinstance(r, BaseException) for r in results), results
    assert all(r.status == OperationStatus.EXECUTED for r in results)
    assert CardCredit.objects.filter(card=card, kind=CreditKind.REPAYMENT).count() == 2
    assert card_balance(card) == D("200.00")
    assert balance(bank.zhang_card) == D("80000.00") - D("1300.00")
    cash.refresh_from_db()
    purchase.refresh_from_db()
    assert (cash.outstanding, purchase.outstanding) == (D("0.00"), D("200.00"))
    assert Allocation.objects.aggregate(s=Sum("amount"))["s"] == D("1300.00")
    ledger, items = card_verify(card)
    assert ledger == items == D("200.00")


def test_two_withdrawals_at_once_never_pass_the_cash_limit_together(bank):
    card = linked_card(bank.zhang_customer)   # cash limit 25,000
    operations = [cash_start(user=bank.zhang, card_id=card.pk,
                             sub_account_id=main(bank.zhang_card).pk, amount="15000.00")
                  for _ in range(2)]
    results = run_concurrently(lambda i: confirm(operations[i], user=bank.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and BEYOND_CASH_LIMIT in refused[0].message, results
    assert CardItem.objects.filter(card=card, kind=ItemKind.CASH).count() == 1
    assert card_balance(card) == D("15150.00")
    assert cash_available(card) == D("10000.00")
    ledger, items = card_verify(card)
    assert ledger == items


def test_two_full_repayments_confirmed_at_once_pay_the_statement_once(bank):
    """Two browsers each start 全额还款 of the statement and confirm at the same moment: one
    pays, the other is refused under the card lock (no second ¥1,500.00 as 溢缴款)."""
    card = linked_card(bank.zhang_customer)
    purchase = item(card, ItemKind.PURCHASE, "1000.00", date(2026, 1, 20))
    cash = item(card, ItemKind.CASH, "500.00", date(2026, 1, 21))
    statement_build(card, date(2026, 2, 5), [purchase, cash], minimum="600.00")
    operations = [repay_start(user=bank.zhang, card_id=card.pk,
                              sub_account_id=main(bank.zhang_card).pk, choice="full")
                  for _ in range(2)]
    results = run_concurrently(lambda i: confirm(operations[i], user=bank.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and refused[0].message == FULL_PAID, results
    assert CardCredit.objects.filter(card=card, kind=CreditKind.REPAYMENT).count() == 1
    assert card_balance(card) == D("0.00")
    assert balance(bank.zhang_card) == D("80000.00") - D("1500.00")
    ledger, items = card_verify(card)
    assert ledger == items == D("0.00")
