"""Races of 自助缴费 on PostgreSQL with real threads: the same fixed bill (one heating bill, one
tax voucher) confirmed twice at once — one posts, the other is refused before any debit; two
workers running the same write-off row write off once and reverse at most once."""

from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from ebank.billers.models import SimBehaviour
from ebank.billers.simulator import sim_mode_set
from ebank.core.errors import BusinessError
from ebank.ledger.models import Entry
from payments.bills.services import ALREADY_PAID, bill_writeoff
from payments.models import BillKind, BillPayment, BillPaymentStatus, PaymentBusinessType
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import balance, confirm, world_build

from .conftest import GAS_NO, HEAT_NO, NOON, TAX_NO, bills_seed, start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(settings, tmp_path):
    world = world_build(settings, tmp_path)
    with time_machine.travel(NOON, tick=True):
        bills_seed()
        yield world


@pytest.mark.parametrize("kind, number, amount", [
    (BillKind.HEATING, HEAT_NO, Decimal("1860.00")),
    (BillKind.TAX, TAX_NO, Decimal("1320.00")),
])
def test_the_same_fixed_bill_confirmed_twice_at_once_posts_once(bank, kind, number, amount):
    operations = [start(bank.zhang, kind, number) for _ in range(2)]
    results = run_concurrently(lambda i: confirm(operations[i], user=bank.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and refused[0].message == ALREADY_PAID, results
    assert BillPayment.objects.count() == 1
    assert BillPayment.objects.get().status == BillPaymentStatus.PAID
    assert Entry.objects.filter(business_type=PaymentBusinessType.BILL_PAYMENT).count() == 1
    assert balance(bank.zhang_card) == Decimal("80000.00") - amount


def test_two_workers_on_the_same_write_off_reverse_once(bank):
    sim_mode_set("GAS01", SimBehaviour.TIMEOUT_LOST)
    confirm(start(bank.zhang, BillKind.GAS, GAS_NO, amount="64.00"), user=bank.zhang)
    payment = BillPayment.objects.get()
    assert payment.status == BillPaymentStatus.PROCESSING

    def run(_i):
        with transaction.atomic():
            return bill_writeoff(number=payment.number, attempt=1)

    results = run_concurrently(run, 2)
    assert not any(isinstance(r, BaseException) for r in results), results
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.REVERSED
    assert Entry.objects.filter(business_type=PaymentBusinessType.BILL_REVERSAL).count() == 1
    assert balance(bank.zhang_card) == Decimal("80000.00")
