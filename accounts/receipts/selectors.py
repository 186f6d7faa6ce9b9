"""Reads of 电子回单, always through the logged-in customer (another customer's receipt → 404).

电子回单查询 covers the customer's e-banking accounts (关联账户, manual: "本人已加挂渠道账号"); a
receipt's own page is open to its owner whether or not the account is still linked.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Customer, Receipt, ReceiptDirection, SubAccount, SubAccountKind
from ebank.core.clock import SHANGHAI
from ebank.core.masking import mask_account_number

from .services import normalize_number, receipt_time_text


class Period:
    """The 查询期间 presets of 电子回单查询."""

    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"

    CHOICES = [(TODAY, "当日"), (WEEK, "最近一周"), (MONTH, "最近一个月"), (QUARTER, "最近三个月"),
               (CUSTOM, "自定义期间")]
    DAYS = {TODAY: 1, WEEK: 7, MONTH: 30, QUARTER: 90}
    DEFAULT = MONTH


QUERY_MAX_DAYS = 366


def period_range(*, period: str, today: date | None = None) -> tuple[date, date]:
    """The dates (inclusive, Asia/Shanghai) of a preset period ending today."""
    today = today or timezone.localdate()
    return today - timedelta(days=Period.DAYS[period] - 1), today


def receipt_accounts(*, customer: Customer) -> list[SubAccount]:
    """The sub-accounts of the customer's linked media, in the order of 关联账户管理."""
    return list(SubAccount.objects.select_related("medium", "medium__link")
                .filter(medium__link__customer=customer, medium__customer=customer)
                .order_by("medium__link__position", "seq"))


def receipt_account_label(sub_account: SubAccount) -> str:
    medium = sub_account.medium
    alias = getattr(getattr(medium, "link", None), "alias", "")
    label = f"{medium.get_kind_display()} {medium.masked_number}"
    if sub_account.kind != SubAccountKind.CURRENT_MAIN:
        label += f" 子账户{sub_account.seq:04d} {sub_account.get_kind_display()}"
    return f"{label}（{alias}）" if alias else label


def receipts_for_customer(*, customer: Customer, date_from: date, date_to: date,
                          sub_account_ids: list[int]) -> QuerySet[Receipt]:
    """The receipts on ``sub_account_ids`` (already checked to be the customer's), newest first."""
    start = datetime.combine(date_from, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return (Receipt.objects.select_related("sub_account__medium")
            .filter(customer=customer, sub_account_id__in=sub_account_ids,
                    posted_at__gte=start, posted_at__lt=end)
            .order_by("-posted_at", "-id"))


def receipt_get_for_customer(*, customer: Customer, number: str) -> Receipt:
    try:
        return Receipt.objects.select_related("sub_account__medium").get(
            customer=customer, number=normalize_number(number))
    except Receipt.DoesNotExist as exc:
        raise Http404("电子回单不存在") from exc


def receipt_number_exists(*, number: str) -> bool:
    """Whether the bank issued a receipt with this number (says nothing else about it)."""
    return Receipt.objects.filter(number=normalize_number(number)).exists()


@dataclass(frozen=True)
class ReceiptRow:
    """One line of the list and of the Excel download: the counterparty masked."""

    receipt: Receipt
    own_account: str
    counterparty_name: str
    counterparty_account: str


def receipt_row(receipt: Receipt) -> ReceiptRow:
    if receipt.direction == ReceiptDirection.DEBIT:
        own, name, other = receipt.payer_account, receipt.payee_name, receipt.payee_account
    else:
        own, name, other = receipt.payee_account, receipt.payer_name, receipt.payer_account
    return ReceiptRow(receipt=receipt, own_account=mask_account_number(own),
                      counterparty_name=name,
                      counterparty_account=mask_account_number(other) if other else "")


def receipt_document(*, receipt: Receipt) -> dict:
    """What the printable page and the PDF show: the owner's document, full numbers."""
    return {
        "receipt": receipt,
        "posted_at_text": receipt_time_text(receipt.posted_at),
        "bank_name": settings.BANK_NAME,
        "bank_full_name": settings.BANK_FULL_NAME,
    }
