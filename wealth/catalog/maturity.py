"""到期兑付: a closed product pays its investors back at its 到期日's 净值.

On a business date on or after a closed product's ``end_date``, each customer holding shares is
paid shares × the 净值 of ``end_date`` (to the fen, half-up) from the product's cash book to the
活期主账户 of the card their confirmed 认购 was paid from (the latest one if several), with an
电子回单; the shares go back to the issuance account in the same transaction. Until head office
publishes that 净值 the product waits and a later night pays it.

Idempotent: the ledger entry and the share entry are keyed ``wealth:maturity:<code>:<customer>``,
and a customer paid holds no shares any more, so a rerun finds nothing to pay.
"""

import logging
from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import ReceiptDirection, SubAccount, SubAccountKind
from accounts.receipts.services import ReceiptChannel, receipt_issue
from accounts.services import funds_move
from ebank.core.audit import audit_record

from ..book import issuance_account, money_round, share_post
from ..models import (
    Order,
    OrderKind,
    OrderStatus,
    Product,
    ProductKind,
    ShareAccount,
    WealthBusinessType,
)
from ..products import nav_on
from .services import MATURITY_ACTION

logger = logging.getLogger(__name__)


def maturity_key(product: Product, customer_id: int) -> str:
    return f"wealth:maturity:{product.code}:{customer_id}"


def maturity_payee(product: Product, customer_id: int) -> SubAccount | None:
    """The 活期主账户 of the card the customer's latest confirmed 认购 was paid from; failing that
    (shares that came otherwise, or that card has no 活期主账户 any more), of the card of their
    latest confirmed order of the product of any kind that still has one. None when there is no
    such card: the holder waits, and ``verify_wealth`` reports the payment as missing."""
    settled = (Order.objects.filter(product=product, customer_id=customer_id,
                                    status__in=(OrderStatus.CONFIRMED, OrderStatus.PAID))
               .order_by("-placed_at", "-id"))
    media = list(settled.filter(kind=OrderKind.SUBSCRIBE).values_list("medium_id", flat=True))
    media += [m for m in settled.values_list("medium_id", flat=True) if m not in media]
    mains = {account.medium_id: account for account in
             SubAccount.objects.select_related("medium__customer", "medium__branch")
             .filter(medium_id__in=media, kind=SubAccountKind.CURRENT_MAIN)}
    return next((mains[medium_id] for medium_id in media if medium_id in mains), None)


def products_due(business_date: date):
    """Closed products matured by ``business_date`` with a customer still holding shares."""
    holding = ShareAccount.objects.filter(customer__isnull=False, shares__gt=0)
    return (Product.objects.filter(kind=ProductKind.CLOSED, end_date__lte=business_date,
                                   pk__in=holding.values("product_id"))
            .select_related("ledger_account").order_by("code"))


@transaction.atomic
def product_mature(product: Product) -> int:
    """Pay every holder of ``product`` at its 到期日's 净值; how many were paid (0 while that
    净值 is not published)."""
    nav = nav_on(product, product.end_date, lock=True)
    if nav is None:
        logger.info("wealth maturity %s waits for the 净值 of %s", product.code, product.end_date)
        return 0
    issuance = issuance_account(product)
    # Read, not locked: the shares of a matured closed product change only here, and the
    # ledger accounts must be locked before the share accounts (wealth.book's lock order).
    holders = list(ShareAccount.objects.filter(product=product, customer__isnull=False,
                                               shares__gt=0).order_by("pk"))
    paid = 0
    for account in holders:
        payee = maturity_payee(product, account.customer_id)
        if payee is None:
            logger.warning("wealth maturity %s: customer %s has shares but no card to pay",
                           product.code, account.customer_id)
            continue
        shares = account.shares
        amount = money_round(shares * nav.nav)
        key = maturity_key(product, account.customer_id)
        memo = f"{product.name}到期兑付"
        entry_id = None
        if amount > 0:
            entry_id = funds_move(debit_ledger_id=product.ledger_account_id,
                                  credit_ledger_id=payee.ledger_account_id, amount=amount,
                                  idempotency_key=key,
                                  business_type=WealthBusinessType.MATURITY,
                                  reference=product.code, memo=memo).entry_id
            medium = payee.medium
            receipt_issue(entry_id=entry_id, sub_account=payee,
                          direction=ReceiptDirection.CREDIT, amount=amount,
                          payer_name=product.name, payer_account="",
                          payer_bank=medium.branch.name, payee_name=medium.customer.name,
                          payee_account=medium.number, payee_bank=medium.branch.name,
                          purpose=memo, business=WealthBusinessType.MATURITY.label,
                          channel=ReceiptChannel.BATCH, posted_at=timezone.now())
        share_post(idempotency_key=key, business_type=WealthBusinessType.MATURITY,
                   reference=product.code, moves=[(account, -shares), (issuance, shares)],
                   ledger_entry_id=entry_id)
        audit_record(action=MATURITY_ACTION, channel="batch", customer_id=account.customer_id,
                     object_ref=f"wealth.product:{product.code}",
                     detail={"code": product.code, "shares": str(shares), "nav": str(nav.nav),
                             "amount": str(amount), "end_date": f"{product.end_date:%Y-%m-%d}"})
        paid += 1
    return paid


def maturities_pay(business_date: date) -> int:
    """Every closed product matured by ``business_date``; how many holders were paid."""
    return sum(product_mature(product) for product in products_due(business_date))


def holders_unpaid(business_date: date) -> list[tuple[Product, ShareAccount]]:
    """Holders a night already should have paid (the 到期日's 净值 published, the night of a date
    after the 到期日 passed) who still hold shares: no card to pay them (``verify_wealth``)."""
    unpaid = []
    for product in products_due(business_date):
        if product.end_date >= business_date or \
                not product.navs.filter(date=product.end_date).exists():
            continue
        unpaid += [(product, account) for account in
                   ShareAccount.objects.filter(product=product, customer__isnull=False,
                                               shares__gt=0).order_by("pk")]
    return unpaid
