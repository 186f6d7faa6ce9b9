"""Bill payments made directly (the pay flow is payments.bills'), each with its ledger entry, so
the books stay consistent: for the reconciliation and settlement tests."""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from ebank.core.clock import SHANGHAI
from ebank.ledger.services import entry_post, transfer_legs
from payments.models import (
    BillKind,
    BillPayment,
    BillPaymentStatus,
    PaymentBusinessType,
)
from tests.customer_world import World

DAY = date(2026, 6, 10)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def bill_payment(world: World, biller, number: str, amount: str, *,
                 status: str = BillPaymentStatus.PAID, day: date = DAY,
                 customer_no: str = "1001234501") -> BillPayment:
    """张伟's payment ``number`` to ``biller`` of business date ``day``: the debit to the
    biller's 代收款项 posted, and for REVERSED the 冲正 too."""
    sub = World.main(world.zhang_card)
    amount = Decimal(amount)
    entry = entry_post(idempotency_key=f"test-bill:{number}",
                       business_type=PaymentBusinessType.BILL_PAYMENT, reference=number,
                       legs=transfer_legs(debit_account_id=sub.ledger_account_id,
                                          credit_account_id=biller.settlement_account_id,
                                          amount=amount))
    reversal = None
    if status == BillPaymentStatus.REVERSED:
        reversal = entry_post(idempotency_key=f"test-bill-reversal:{number}",
                              business_type=PaymentBusinessType.BILL_REVERSAL,
                              reference=number,
                              legs=transfer_legs(debit_account_id=biller.settlement_account_id,
                                                 credit_account_id=sub.ledger_account_id,
                                                 amount=amount))
    return BillPayment.objects.create(
        number=number, customer=world.zhang_customer, user=world.zhang, kind=BillKind.WATER,
        biller=biller, customer_no=customer_no, payer_name_masked="张*", sub_account=sub,
        amount=amount, status=status, entry_id=entry.entry_id,
        reversal_entry_id=reversal.entry_id if reversal else None,
        submitted_at=at(day), business_date=day,
        finished_at=None if status == BillPaymentStatus.PROCESSING else at(day, 10, 1))


def paid_late(payment: BillPayment) -> None:
    """A 处理中 payment the re-query found written off."""
    payment.status = BillPaymentStatus.PAID
    payment.finished_at = timezone.now()
    payment.save(update_fields=["status", "finished_at"])
