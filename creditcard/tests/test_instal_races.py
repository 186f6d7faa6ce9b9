"""Races of 账单分期 on PostgreSQL with real threads: two applications on the same statement
confirmed at once make one plan; the other is refused under the card lock, nothing written."""

from decimal import Decimal as D

import pytest
import time_machine

from creditcard.engine import card_verify
from creditcard.instal import services
from creditcard.instal.demo import instal_rates_seed
from creditcard.models import CardCredit, CardItem, CreditKind, InstalmentPlan
from ebank.core.errors import BusinessError
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import confirm, world_build

from .instal_support import APPLY_AT, bill_start, billed_card

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(settings, tmp_path):
    with time_machine.travel(APPLY_AT, tick=True):
        world = world_build(settings, tmp_path)
        instal_rates_seed()
        yield world


def test_two_applications_on_the_same_statement_at_once_make_one_plan(bank):
    card = billed_card(bank.zhang_customer)
    operations = [bill_start(bank.zhang, card, amount=amount, periods=periods)
                  for amount, periods in (("12000.00", 12), ("6000.00", 3))]
    results = run_concurrently(lambda i: confirm(operations[i], user=bank.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and refused[0].message == services.ALREADY_SPLIT, results
    plan = InstalmentPlan.objects.get()
    assert CardCredit.objects.filter(kind=CreditKind.CONVERSION).count() == 1
    assert CardCredit.objects.get(kind=CreditKind.CONVERSION).amount == plan.principal
    assert plan.principal in (D("12000.00"), D("6000.00"))
    balance, items = card_verify(card)
    assert balance == items == D("12000.00")


def test_a_flex_and_a_bill_instalment_of_the_same_purchase_at_once_convert_it_once(bank):
    # 8,000 (6 Jan) and 4,000 (20 Jan) billed; 灵活分期 of the 4,000 and 账单分期 of 12,000 (which
    # needs the 4,000 too) confirmed at once: one wins, the other is refused under the card lock.
    card = billed_card(bank.zhang_customer)
    newer = CardItem.objects.get(amount=D("4000.00"))
    operations = [services.flex_instal_start(user=bank.zhang, card=card, item=newer, periods=3),
                  bill_start(bank.zhang, card, amount="12000.00", periods=12)]
    results = run_concurrently(lambda i: confirm(operations[i], user=bank.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1, results
    plan = InstalmentPlan.objects.get()
    conversion = CardCredit.objects.get(kind=CreditKind.CONVERSION)
    assert conversion.amount == plan.principal
    newer.refresh_from_db()
    assert newer.outstanding == D("0.00") and newer.allocations.count() == 1  # converted once
    balance, items = card_verify(card)
    assert balance == items == D("12000.00")
