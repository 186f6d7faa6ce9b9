"""Races of 自助缴费 on PostgreSQL with real threads: the same fixed bill (one heating bill, one
tax voucher) confirmed twice at once — one posts, the other is refused before any debit; two
workers running the same write-off row write off once and reverse at most once."""

import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from accounts.models import Receipt
from ebank.billers.models import SimBehaviour
from ebank.billers.simulator import SimulatedBillers, sim_bill, sim_bill_put, sim_mode_set
from ebank.core.errors import BusinessError
from ebank.ledger.models import Entry
from ebank.limits.models import DailyLimitUsage
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


def _slowed(monkeypatch, name, started=None, pause=0.5):
    """The simulator's ``name`` (pay / status) answering only after ``pause`` seconds, so a
    second worker really runs while the first is waiting for the biller."""
    real = getattr(SimulatedBillers, name)

    def slow(self, *args):
        if started is not None:
            started.set()
        time.sleep(pause)
        return real(self, *args)

    monkeypatch.setattr(SimulatedBillers, name, slow)


def test_two_workers_on_the_same_write_off_reverse_once_and_give_the_limit_back_once(
        bank, monkeypatch):
    """李娜 (no tool, SMS): ¥500 of 电信 paid, then ¥1,000 of 移动 whose answer is lost — the tool-less usage is
    ¥1,500. Two workers run the same re-query at once, the biller slow to answer: one 冲正,
    one 收款 回单, and the usage back to ¥500 (given back once, not twice)."""
    sim_bill_put("CT01", "18955100009", name="李娜", amount_owed="0.00", balance="0.00")
    sim_bill_put("CMCC01", "13905510002", name="李娜", amount_owed="0.00", balance="0.00")
    confirm(start(bank.li, BillKind.TELECOM, "18955100009", amount="500.00"), user=bank.li)
    sim_mode_set("CMCC01", SimBehaviour.TIMEOUT_LOST)
    before = balance(bank.li_card)
    confirm(start(bank.li, BillKind.MOBILE, "13905510002", amount="1000.00"), user=bank.li)
    payment = BillPayment.objects.get(status=BillPaymentStatus.PROCESSING)
    assert DailyLimitUsage.objects.get(customer_id=bank.li_customer.pk).used == Decimal("1500.00")
    _slowed(monkeypatch, "status")

    def run(_i):
        with transaction.atomic():
            return bill_writeoff(number=payment.number, attempt=1)

    results = run_concurrently(run, 2)
    assert not any(isinstance(r, BaseException) for r in results), results
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.REVERSED
    assert Entry.objects.filter(business_type=PaymentBusinessType.BILL_REVERSAL).count() == 1
    assert Receipt.objects.filter(entry_id=payment.reversal_entry_id).count() == 1
    assert balance(bank.li_card) == before
    assert DailyLimitUsage.objects.get(customer_id=bank.li_customer.pk).used == Decimal("500.00")


def test_the_ask_after_commit_and_its_requery_at_once_never_reverse_a_written_off_payment(
        bank, monkeypatch):
    """The after-commit write-off (attempt 0, pay) is still waiting for the biller when its
    re-query row (attempt 1, status) runs: the re-query waits on the payment's row lock and
    then finds it PAID. (Without the lock it asks status() while pay() is in flight, hears
    NOT_FOUND and reverses money the biller is writing off.)"""
    sim_mode_set("GAS01", SimBehaviour.TIMEOUT_LOST)
    confirm(start(bank.zhang, BillKind.GAS, GAS_NO, amount="64.00"), user=bank.zhang)
    payment = BillPayment.objects.get()
    assert payment.status == BillPaymentStatus.PROCESSING
    sim_mode_set("GAS01", SimBehaviour.NORMAL)
    paying = threading.Event()
    _slowed(monkeypatch, "pay", started=paying)

    def run(i):
        if i == 1:
            assert paying.wait(10)
        with transaction.atomic():
            return bill_writeoff(number=payment.number, attempt=i)

    results = run_concurrently(run, 2)
    assert not any(isinstance(r, BaseException) for r in results), results
    payment.refresh_from_db()
    assert payment.status == BillPaymentStatus.PAID and payment.reversal_entry_id is None
    assert not Entry.objects.filter(business_type=PaymentBusinessType.BILL_REVERSAL).exists()
    assert balance(bank.zhang_card) == Decimal("80000.00") - Decimal("64.00")
    assert sim_bill("GAS01", GAS_NO).amount_owed == Decimal("0.00")
