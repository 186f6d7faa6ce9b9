"""代收款项结算 (nightly step biller_settlement): exactly the PAID sum moves from the biller's
代收款项 to its 收款户, once; a 处理中 payment waits and is settled by a later date's run once
PAID; the books stay consistent."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from ebank.duework.nightly import registered_steps
from ebank.duework.services import batch_step_run
from ebank.ledger.models import Entry, LedgerAccount
from ebank.ledger.selectors import ledger_violations
from payments.models import BillerSettlement, BillPaymentStatus, PaymentBusinessType
from payments.nightly import biller_settlement_step
from payments.reconcile.services import biller_settle, settlement_run, unsettled_paid_total
from payments.services import biller_register
from tests.customer_world import world  # noqa: F401 — the fixture

from .reconcile_world import DAY, bill_payment, paid_late

pytestmark = pytest.mark.django_db


def book(account_id) -> Decimal:
    return LedgerAccount.objects.get(pk=account_id).balance


def settlements() -> int:
    return Entry.objects.filter(business_type=PaymentBusinessType.BILLER_SETTLEMENT).count()


@pytest.fixture
def water(world):  # noqa: F811
    return biller_register(code="WATER01", kind="water", name="合肥供水集团")


def test_the_step_is_registered_in_the_settlement_band():
    steps = [(step.order, step.name, step.label) for step in registered_steps()
             if step.qualname.startswith("payments.")]
    # Settlements band 600–699: the billers first, then the quick-pay merchants.
    assert steps == [(600, "biller_settlement", "代收款项结算"),
                     (610, "quickpay_settlement", "快捷支付结算"),
                     (620, "biller_reconcile", "缴费对账（T+1）")]


def test_settlement_moves_exactly_the_paid_sum_once(world, water):  # noqa: F811
    one = bill_payment(world, water, "BP1", "10.00")
    two = bill_payment(world, water, "BP2", "25.50")
    waiting = bill_payment(world, water, "BP3", "50.00", status=BillPaymentStatus.PROCESSING)
    bill_payment(world, water, "BP4", "70.00", status=BillPaymentStatus.REVERSED)
    bill_payment(world, water, "BP5", "99.00", day=DAY + timedelta(days=1))  # tomorrow's
    assert book(water.settlement_account_id) == Decimal("184.50")

    assert settlement_run(DAY) == 2
    assert book(water.collection_account_id) == Decimal("35.50")
    assert book(water.settlement_account_id) == Decimal("149.00")  # 处理中 50 + tomorrow's 99
    settlement = BillerSettlement.objects.get()
    assert (settlement.amount, settlement.count, settlement.business_date) == \
        (Decimal("35.50"), 2, DAY)
    entry = Entry.objects.get(pk=settlement.entry_id)
    assert entry.idempotency_key == "biller_settlement:WATER01:20260610"
    for payment in (one, two):
        payment.refresh_from_db()
        assert payment.settlement == settlement
    waiting.refresh_from_db()
    assert waiting.settlement is None

    # twice: nothing more
    assert settlement_run(DAY) == 0
    assert settlements() == 1 and book(water.collection_account_id) == Decimal("35.50")
    assert ledger_violations() == []


def test_a_processing_payment_waits_and_a_late_paid_one_is_settled_next_date(world, water):  # noqa: F811
    bill_payment(world, water, "BP1", "10.00")
    waiting = bill_payment(world, water, "BP2", "50.00", status=BillPaymentStatus.PROCESSING)
    assert biller_settle(biller=water, business_date=DAY).amount == Decimal("10.00")
    paid_late(waiting)
    # the date is settled: a rerun of it does not post a second entry under its key
    assert biller_settle(biller=water, business_date=DAY) is None
    assert unsettled_paid_total(water) == Decimal("50.00")
    later = biller_settle(biller=water, business_date=DAY + timedelta(days=1))
    assert (later.amount, later.count) == (Decimal("50.00"), 1)
    assert book(water.collection_account_id) == Decimal("60.00")
    assert book(water.settlement_account_id) == Decimal("0.00")
    assert unsettled_paid_total(water) == Decimal("0.00")
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "ledger OK" in out.getvalue()


def test_a_date_with_nothing_paid_posts_nothing(world, water):  # noqa: F811
    bill_payment(world, water, "BP1", "50.00", status=BillPaymentStatus.PROCESSING)
    assert settlement_run(DAY) == 0
    assert settlements() == 0 and not BillerSettlement.objects.exists()


def test_the_nightly_batch_settles_each_biller(world, water):  # noqa: F811
    gas = biller_register(code="GAS01", kind="gas", name="合肥燃气集团")
    bill_payment(world, water, "BP1", "10.00")
    bill_payment(world, gas, "BP2", "20.00")
    assert batch_step_run(step="biller_settlement", business_date=DAY,
                          fn=biller_settlement_step)
    assert book(water.collection_account_id) == Decimal("10.00")
    assert book(gas.collection_account_id) == Decimal("20.00")
    assert not batch_step_run(step="biller_settlement", business_date=DAY,
                              fn=biller_settlement_step)
    assert settlements() == 2
    assert ledger_violations() == []


def test_the_book_never_goes_negative_a_reversal_after_settlement_is_refused(world, water):  # noqa: F811
    """Once a payment's money went to the biller, a (wrong) 冲正 of it cannot take it from the
    代收款项 book: the ledger refuses to take the book below zero, nothing is written."""
    from django.db import transaction

    from ebank.core.errors import InsufficientFunds
    from ebank.ledger.services import entry_post, transfer_legs

    from .reconcile_world import World

    bill_payment(world, water, "BP1", "10.00")
    assert settlement_run(DAY) == 1
    assert book(water.settlement_account_id) == Decimal("0.00")
    sub = World.main(world.zhang_card)
    with pytest.raises(InsufficientFunds), transaction.atomic():
        entry_post(idempotency_key="bill_reversal:BP1",
                   business_type=PaymentBusinessType.BILL_REVERSAL, reference="BP1",
                   legs=transfer_legs(debit_account_id=water.settlement_account_id,
                                      credit_account_id=sub.ledger_account_id,
                                      amount=Decimal("10.00")))
    assert book(water.settlement_account_id) == Decimal("0.00")
    assert ledger_violations() == []
