"""快捷支付结算: the nightly move of what quick-pay debits owe each merchant, from the bank's
快捷支付待清算 book (PAY:QUICKPAY) to the merchant's 收款户 (MERCHANT:<code>:ACCT).

Per merchant and business date: the debits up to that date not settled yet (a date the batch
missed is caught up by the next), one ledger entry keyed ``quickpay_settlement:<code>:<date>``,
and the debits marked settled (``settled_on``, ``settlement_entry_id``) in the same transaction.
A merchant already settled for the date is skipped, so a rerun posts nothing; a debit committed
late for a date already settled waits for the next date's entry. docs/payments.md.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.services import entry_post, transfer_legs

from ..models import PaymentBusinessType, QuickPayDebit, QuickPayMerchant
from .services import QUICKPAY_BOOK


def quickpay_settlement_key(*, merchant_code: str, business_date: date) -> str:
    return f"quickpay_settlement:{merchant_code}:{business_date:%Y%m%d}"


def quickpay_merchant_settle(*, merchant: QuickPayMerchant, business_date: date) -> int:
    """Settle ``merchant``'s unsettled debits up to ``business_date``; the number settled."""
    with transaction.atomic():
        # The merchant's row first: two runs of one date queue here, so the second sees the
        # first's result (else it could take a debit committed between them, post nothing new —
        # the entry key replays — and mark that debit settled without the money moving).
        QuickPayMerchant.objects.select_for_update().filter(pk=merchant.pk).first()
        if QuickPayDebit.objects.filter(merchant_code=merchant.code,
                                        settled_on=business_date).exists():
            return 0
        # Then the debits (in pk order), then the two ledger accounts (inside entry_post).
        rows = list(QuickPayDebit.objects.select_for_update()
                    .filter(merchant_code=merchant.code, settled_on__isnull=True,
                            business_date__lte=business_date)
                    .order_by("pk").values_list("pk", "amount"))
        if not rows:
            return 0
        total = sum((amount for _, amount in rows), Decimal("0.00"))
        posted = entry_post(
            idempotency_key=quickpay_settlement_key(merchant_code=merchant.code,
                                                    business_date=business_date),
            business_type=PaymentBusinessType.QUICKPAY_SETTLEMENT,
            reference=f"{merchant.code}:{business_date:%Y%m%d}",
            legs=transfer_legs(debit_account_id=bank_book_id(QUICKPAY_BOOK),
                               credit_account_id=merchant.collection_account_id, amount=total),
            memo=f"快捷支付结算 {merchant.name} {business_date:%Y-%m-%d}")
        QuickPayDebit.objects.filter(pk__in=[pk for pk, _ in rows]).update(
            settled_on=business_date, settlement_entry_id=posted.entry_id)
    return len(rows)


def quickpay_settlement_run(business_date: date) -> int:
    """Every registered merchant's settlement for ``business_date``; the debits settled."""
    return sum(quickpay_merchant_settle(merchant=merchant, business_date=business_date)
               for merchant in QuickPayMerchant.objects.order_by("code"))


def quickpay_unsettled_total(*, merchant_code: str) -> Decimal:
    """What the bank still owes the merchant in 快捷支付待清算."""
    return (QuickPayDebit.objects.filter(merchant_code=merchant_code, settled_on__isnull=True)
            .aggregate(total=Sum("amount"))["total"] or Decimal("0.00"))
