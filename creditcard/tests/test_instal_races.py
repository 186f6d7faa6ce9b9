"""Races of 账单分期 on PostgreSQL with real threads: two applications on the same statement
confirmed at once make one plan; the other is refused under the card lock, nothing written."""

from decimal import Decimal as D

import pytest
import time_machine

from creditcard.engine import card_verify
from creditcard.instal import services
from creditcard.instal.demo import instal_rates_seed
from creditcard.models import CardCredit, CreditKind, InstalmentPlan
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
