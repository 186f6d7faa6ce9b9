"""Placing an order (认购/申购/赎回): the shared core the buy pages and the tests call.

``order_place`` checks what the rules say (sale window, amount, step, suitability, shares),
then holds the money on the paying 活期 (buys) or freezes the shares (赎回) and writes the
``Order``: nothing moves yet. The nightly confirmation (T+1, or the product's 成立日 for a 认购)
captures the hold or takes the frozen shares; 撤单 releases them. 薪加利's 转入/转出 do not come
here: they move at once (wealth.xjl).

All-or-nothing: call it inside a transaction (the confirmation's executor); a refusal raises a
BusinessError with the customer's words and nothing is written.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import SubAccount, SubAccountKind
from accounts.payers import payer_refusal
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError
from ebank.ledger.services import hold_place

from .book import share_account_for, share_freeze, shares_round
from .models import Order, OrderKind, Product, ProductKind, ShareAccount
from .products import order_number_new
from .suitability import suitability_check
from .trading import cutoff_at, trade_date_for


class OrderRefused(BusinessError):
    code = "wealth_order_refused"
    default_message = "交易不能受理"


def sale_window_check(product: Product, kind: str, at: datetime) -> None:
    """Whether ``product`` takes an order of ``kind`` at ``at``; OrderRefused if not."""
    local = timezone.localtime(at, SHANGHAI)
    today = local.date()
    if not product.on_sale:
        raise OrderRefused("该产品已停止网银销售")
    if kind == OrderKind.SUBSCRIBE:
        if product.raise_start is None or product.raise_end is None:
            raise OrderRefused("该产品没有募集期，不能认购")
        if today < product.raise_start:
            raise OrderRefused(f"该产品募集期自{product.raise_start:%Y-%m-%d}开始，尚不能认购")
        if at >= cutoff_at(product.raise_end):
            raise OrderRefused("该产品募集期已结束，不能认购")
        return
    if kind in (OrderKind.PURCHASE, OrderKind.REDEEM):
        if product.kind != ProductKind.OPEN:
            raise OrderRefused("该产品不是开放式产品，不能申购或赎回")
        if today < product.start_date:
            raise OrderRefused(f"该产品于{product.start_date:%Y-%m-%d}成立后方可申购或赎回")
        # The trade date, not today: after 15:00 the eve of 到期日 an order would trade on it.
        if product.end_date is not None and trade_date_for(at) >= product.end_date:
            raise OrderRefused("该产品已到期，不能申购或赎回")
        return
    raise OrderRefused("交易类型无效")


def amount_check(product: Product, amount: Decimal) -> None:
    if amount is None or amount <= 0:
        raise OrderRefused("请输入购买金额")
    if amount != amount.quantize(Decimal("0.01")):
        raise OrderRefused("金额最多两位小数")
    if amount < product.min_amount:
        raise OrderRefused(f"购买金额不能低于起购金额{product.min_amount:,.2f}元")
    if (amount - product.min_amount) % product.step_amount != 0:
        raise OrderRefused(f"购买金额须为起购金额{product.min_amount:,.2f}元加"
                           f"{product.step_amount:,.2f}元的整数倍")


def redeem_shares_check(product: Product, available: Decimal, shares: Decimal) -> None:
    """Whether ``shares`` may be redeemed out of ``available``: within it, at least the 最低赎回份额
    unless it takes everything, leaving nothing or at least the 最低持有份额."""
    if shares > available:
        raise OrderRefused(f"赎回份额超过可用份额{available:,.4f}份")
    left = available - shares
    if shares < product.min_redeem_shares and left != 0:
        raise OrderRefused(f"赎回份额不能低于最低赎回份额{product.min_redeem_shares:,.4f}份")
    if 0 < left < product.min_hold_shares:
        raise OrderRefused(f"赎回后剩余份额不能低于最低持有份额"
                           f"{product.min_hold_shares:,.4f}份，请全部赎回")


def order_trade_date(product: Product, kind: str, at: datetime):
    """The trade date of an order placed at ``at``: a 认购's 募集期 last day, else per the 15:00
    cut-off."""
    return product.raise_end if kind == OrderKind.SUBSCRIBE else trade_date_for(at)


def cancel_until_for(product: Product, kind: str, trade_date, at: datetime) -> datetime:
    """When 撤单 closes: a 认购's 募集期 last day 15:00, else its trade date's 15:00; a private
    product's 冷静期 (from ``at``) when that ends later."""
    day = product.raise_end if kind == OrderKind.SUBSCRIBE else trade_date
    until = cutoff_at(day)
    if product.private and product.cooling_hours:
        until = max(until, at + timedelta(hours=product.cooling_hours))
    return until


def order_place(*, customer, payer: SubAccount, product: Product, kind: str,
                amount: Decimal | None = None, shares: Decimal | None = None,
                at: datetime | None = None, operation=None) -> Order:
    """Place one order for ``customer`` paying from / paid into ``payer`` (a linked 活期主账户)."""
    at = at or timezone.now()
    if not SubAccount.objects.filter(pk=payer.pk, medium__link__customer=customer,
                                     kind=SubAccountKind.CURRENT_MAIN).exists():
        raise OrderRefused("资金账户不是您的关联账户")
    refusal = payer_refusal(payer)
    if refusal:
        raise OrderRefused(refusal)
    sale_window_check(product, kind, at)
    trade_date = order_trade_date(product, kind, at)
    number = order_number_new(at)
    with transaction.atomic(savepoint=False):
        order = Order(number=number, customer=customer, medium=payer.medium, product=product,
                      kind=kind, placed_at=at, trade_date=trade_date,
                      cancel_until=cancel_until_for(product, kind, trade_date, at),
                      operation=operation)
        if kind in (OrderKind.SUBSCRIBE, OrderKind.PURCHASE):
            amount_check(product, amount)
            suitability_check(customer, product, timezone.localtime(at, SHANGHAI).date())
            order.amount = amount
            order.hold = hold_place(account_id=payer.ledger_account_id, amount=amount,
                                    idempotency_key=f"wealth:{number}:hold", reference=number,
                                    reason=f"理财{OrderKind(kind).label} {product.code}")
        else:
            shares = shares_round(Decimal(shares)) if shares is not None else None
            if shares is None or shares <= 0:
                raise OrderRefused("请输入赎回份额")
            # Locked before the checks: a second 赎回 at once waits and sees what this froze.
            account = ShareAccount.objects.select_for_update().get(
                pk=share_account_for(product=product, customer=customer).pk)
            redeem_shares_check(product, account.shares - account.frozen, shares)
            share_freeze(account=account, shares=shares)
            order.shares = shares
        order.save()
    return order
