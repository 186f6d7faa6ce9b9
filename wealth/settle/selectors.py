"""Reads of 理财交易撤单 and 交易明细查询, always through the logged-in customer."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ebank.core.clock import SHANGHAI
from ebank.core.money import format_cny

from ..models import Order, OrderKind, OrderStatus, Product

# The kinds this area confirms, cancels and lists (薪加利's have their own pages).
SETTLED_KINDS = (OrderKind.SUBSCRIBE, OrderKind.PURCHASE, OrderKind.REDEEM)


def _orders(customer) -> QuerySet[Order]:
    return (Order.objects.filter(customer=customer, kind__in=SETTLED_KINDS)
            .select_related("product", "medium"))


def order_get(customer, number: str) -> Order:
    """The customer's order ``number`` (another customer's, or a 薪加利 one: 404)."""
    return get_object_or_404(_orders(customer), number=number)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def orders_placed(customer, *, date_from: date, date_to: date, product: Product | None = None,
                  kind: str = "", status: str = "") -> QuerySet[Order]:
    """The customer's orders placed from ``date_from`` to ``date_to`` (Asia/Shanghai days,
    both included), newest first."""
    orders = _orders(customer).filter(placed_at__gte=_day_start(date_from),
                                      placed_at__lt=_day_start(date_to + timedelta(days=1)))
    if product is not None:
        orders = orders.filter(product=product)
    if kind:
        orders = orders.filter(kind=kind)
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("-placed_at", "-id")


def orders_cancellable(customer, *, date_from: date, date_to: date,
                       product: Product | None = None, now: datetime | None = None):
    """What 理财交易撤单 lists: 待确认 orders whose 撤单 window is still open."""
    now = now or timezone.now()
    return orders_placed(customer, date_from=date_from, date_to=date_to, product=product,
                         status=OrderStatus.PENDING).filter(cancel_until__gt=now)


def products_ordered(customer) -> list[Product]:
    """The products the customer has orders of (the 产品 choice of both query forms)."""
    ids = _orders(customer).values_list("product_id", flat=True).distinct()
    return list(Product.objects.filter(pk__in=ids).order_by("code"))


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def order_lines(order: Order) -> list[tuple[str, str]]:
    """The order in full, as the 撤单 page, the detail page and the confirmation show it."""
    lines = [("交易流水号", order.number),
             ("产品", f"{order.product.name}（{order.product.code}）"),
             ("交易类型", order.get_kind_display()),
             ("资金账户", order.medium.masked_number)]
    if order.amount is not None:
        lines.append(("申请金额", format_cny(order.amount)))
    if order.shares is not None:
        lines.append(("申请份额", f"{order.shares:,.4f}份"))
    lines += [("委托时间", _local(order.placed_at)),
              ("交易日", f"{order.trade_date:%Y-%m-%d}"),
              ("可撤单截止", _local(order.cancel_until)),
              ("状态", order.get_status_display())]
    if order.status == OrderStatus.CONFIRMED:
        lines += [("确认净值", f"{order.nav:.4f}"),
                  ("确认份额", f"{order.confirmed_shares:,.4f}份"),
                  ("确认金额", format_cny(order.confirmed_amount)),
                  ("手续费", format_cny(order.fee)),
                  ("确认日期", f"{order.confirmed_on:%Y-%m-%d}")]
        net = order.confirmed_amount - order.fee
        lines.append(("到账金额" if order.kind == OrderKind.REDEEM else "净申购金额"
                      if order.kind == OrderKind.PURCHASE else "净认购金额", format_cny(net)))
    if order.status == OrderStatus.FAILED and order.failure_reason:
        lines.append(("失败原因", order.failure_reason))
    if order.closed_at and order.status != OrderStatus.CONFIRMED:
        lines.append(("完成时间", _local(order.closed_at)))
    return lines
