"""Reads of 缴费记录查询 (PAY-QUERY): always through the logged-in customer."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Receipt, ReceiptDirection
from accounts.payers import receipt_url
from ebank.core.clock import SHANGHAI

from ..models import BillPayment


def bill_payments_for_customer(*, customer, date_from: date, date_to: date, kind: str = "",
                               status: str = "") -> QuerySet[BillPayment]:
    """The customer's payments submitted from ``date_from`` to ``date_to`` (Asia/Shanghai
    days, both included), newest first."""
    start = datetime.combine(date_from, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    rows = (BillPayment.objects.filter(customer=customer, submitted_at__gte=start,
                                       submitted_at__lt=end)
            .select_related("biller", "sub_account__medium"))
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-submitted_at", "-id")


def bill_payment_get_for_customer(*, customer, number: str) -> BillPayment:
    """One of the customer's payments by its 缴费流水号; another's (or none) is a 404."""
    payment = (BillPayment.objects.filter(customer=customer, number=number)
               .select_related("biller", "sub_account__medium").first())
    if payment is None:
        raise Http404("缴费记录不存在")
    return payment


def payment_receipt(payment: BillPayment) -> Receipt | None:
    """The 付款 回单 of a written-off payment (issued when the biller wrote it off)."""
    if payment.entry_id is None:
        return None
    return (Receipt.objects.filter(entry_id=payment.entry_id, sub_account_id=payment.sub_account_id,
                                   direction=ReceiptDirection.DEBIT)
            .only("pk", "number").first())


def payment_receipt_url(payment: BillPayment) -> str:
    return receipt_url(payment_receipt(payment))
