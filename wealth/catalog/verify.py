"""``manage.py verify_wealth``: what does not add up between orders, holds and shares.

Besides the share book's own check (``wealth.book.share_book_check``), per product:

* every pending 认购/申购 holds its amount: an ACTIVE hold of exactly the order's amount;
* no pending order keeps a hold that was released or captured, and no 已撤单/失败 order keeps an
  active one (撤单 and failure release the hold);
* the frozen shares of each customer's share account equal the shares of its pending 赎回/转出;
* every 已确认 认购/申购 captured its hold, and every 已确认 认购/申购/赎回 has its share entry
  ``wealth:confirm:<number>`` moving exactly its shares;
* nobody still holds a matured closed product the night after its 到期日 should have paid.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum

from ebank.core.clock import business_day
from ebank.ledger.models import HoldStatus

from ..book import share_book_check
from ..models import (
    BUY_KINDS,
    SELL_KINDS,
    Order,
    OrderKind,
    OrderStatus,
    Product,
    ShareAccount,
    SharePosting,
)
from ..settle.selectors import SETTLED_KINDS
from ..settle.services import confirm_key
from .maturity import holders_unpaid

HELD_KINDS = (OrderKind.SUBSCRIBE, OrderKind.PURCHASE)


def wealth_problems() -> list[str]:
    problems = list(share_book_check())
    for product in Product.objects.order_by("code"):
        problems += _order_problems(product)
        problems += _frozen_problems(product)
        problems += _settled_problems(product)
    # The night of a date after the 到期日 has run with the 净值 published: nobody holds shares.
    for product, account in holders_unpaid(business_day() - timedelta(days=1)):
        problems.append(f"{product.code} 份额账户 {account.pk}：产品已到期，{account.shares} 份"
                        f"未兑付（客户没有可入账的活期主账户）")
    return problems


def _order_problems(product: Product) -> list[str]:
    problems = []
    pending = (Order.objects.filter(product=product, status=OrderStatus.PENDING,
                                    kind__in=BUY_KINDS).select_related("hold")
               .order_by("placed_at", "id"))
    for order in pending:
        hold = order.hold
        if hold is None:
            if order.kind in HELD_KINDS:
                problems.append(f"{product.code} 交易 {order.number}：待确认的"
                                f"{order.get_kind_display()}没有资金冻结")
            continue
        if hold.status != HoldStatus.ACTIVE:
            problems.append(f"{product.code} 交易 {order.number}：待确认交易的资金冻结状态为"
                            f"{hold.get_status_display()}")
        elif hold.amount != order.amount:
            problems.append(f"{product.code} 交易 {order.number}：冻结金额 {hold.amount} ≠ "
                            f"申请金额 {order.amount}")
    closed = (Order.objects.filter(product=product, hold__status=HoldStatus.ACTIVE,
                                   status__in=(OrderStatus.CANCELLED, OrderStatus.FAILED))
              .order_by("id"))
    for order in closed:
        problems.append(f"{product.code} 交易 {order.number}：{order.get_status_display()}的交易"
                        f"仍有资金冻结")
    return problems


def _frozen_problems(product: Product) -> list[str]:
    problems = []
    selling = dict(Order.objects.filter(product=product, status=OrderStatus.PENDING,
                                        kind__in=SELL_KINDS)
                   .values_list("customer_id").annotate(total=Sum("shares")))
    accounts = ShareAccount.objects.filter(product=product, customer__isnull=False).filter(
        frozen__gt=0) | ShareAccount.objects.filter(product=product,
                                                     customer_id__in=list(selling))
    for account in accounts.distinct().order_by("pk"):
        expected = selling.get(account.customer_id) or Decimal("0")
        if account.frozen != expected:
            problems.append(f"{product.code} 份额账户 {account.pk}：冻结份额 {account.frozen} ≠ "
                            f"待确认赎回份额 {expected}")
    return problems


def _settled_problems(product: Product) -> list[str]:
    """Each 已确认/已到账 认购/申购/赎回: a buy's hold captured (not still active nor released),
    and its share entry ``wealth:confirm:<number>`` moving the confirmed shares to (a buy) or the
    asked shares from (a 赎回) the customer's account."""
    problems = []
    settled = list(Order.objects.filter(product=product, kind__in=SETTLED_KINDS,
                                        status__in=(OrderStatus.CONFIRMED, OrderStatus.PAID))
                   .select_related("hold").order_by("placed_at", "id"))
    if not settled:
        return problems
    legs = dict(SharePosting.objects.filter(
        entry__idempotency_key__in=[confirm_key(order) for order in settled],
        account__customer__isnull=False).values_list("entry__idempotency_key", "shares"))
    for order in settled:
        label = f"{product.code} 交易 {order.number}：已确认的{order.get_kind_display()}"
        if order.kind != OrderKind.REDEEM and order.hold is not None \
                and order.hold.status != HoldStatus.CAPTURED:
            problems.append(f"{label}资金冻结状态为{order.hold.get_status_display()}，未扣款")
        expected = (-order.shares if order.kind == OrderKind.REDEEM
                    else order.confirmed_shares)
        moved = legs.get(confirm_key(order))
        if moved is None:
            problems.append(f"{label}没有份额分录")
        elif moved != expected:
            problems.append(f"{label}份额分录 {moved} ≠ 应变动份额 {expected}")
    return problems
