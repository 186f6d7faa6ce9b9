"""Reads of 薪加利's pages, each through the customer."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.http import Http404

from ebank.limits.engine import LimitSubject
from ebank.limits.models import LimitChannel
from ebank.limits.selectors import effective_limits, limit_usage

from ..models import (
    ZERO,
    Income,
    Nav,
    Order,
    OrderKind,
    OrderStatus,
    Product,
    ProductKind,
    ShareAccount,
)
from ..products import nav_latest  # noqa: F401  (the pages read it from here)
from .common import xjl_products
from .forms import HistoryKind

XJL_ORDER_KINDS = (OrderKind.XJL_IN, OrderKind.XJL_OUT_INSTANT, OrderKind.XJL_OUT)


@dataclass(frozen=True)
class Holding:
    product: Product
    nav: Nav | None
    shares: Decimal
    available: Decimal
    frozen: Decimal
    total_income: Decimal
    yesterday_income: Decimal
    accounts: list[str]


def holdings(customer, today: date) -> list[Holding]:
    """Each 薪加利 product with the customer's shares and income (我的薪加利, 购买薪加利)."""
    products = list(xjl_products())
    accounts = {a.product_id: a for a in ShareAccount.objects.filter(
        customer=customer, product__in=products)}
    totals = dict(Income.objects.filter(customer=customer, product__in=products)
                  .values_list("product_id").annotate(s=Sum("amount")))
    yesterday = dict(Income.objects.filter(customer=customer, product__in=products,
                                           date=today - timedelta(days=1))
                     .values_list("product_id", "amount"))
    media = {}
    for product_id, label in (Order.objects.filter(customer=customer, product__in=products,
                                                   kind=OrderKind.XJL_IN)
                              .values_list("product_id", "medium__number").distinct()):
        media.setdefault(product_id, []).append(f"****{label[-4:]}")
    rows = []
    for product in products:
        account = accounts.get(product.pk)
        rows.append(Holding(
            product=product, nav=nav_latest(product, today),
            shares=account.shares if account else ZERO, available=account.available if account
            else ZERO, frozen=account.frozen if account else ZERO,
            total_income=totals.get(product.pk, ZERO),
            yesterday_income=yesterday.get(product.pk, ZERO),
            accounts=sorted(media.get(product.pk, []))))
    return rows


def holding_get(customer, product_pk) -> ShareAccount:
    """The customer's 薪加利 holding of the product (转出): 404 when they hold none."""
    try:
        return ShareAccount.objects.select_related("product").get(
            customer=customer, product_id=int(product_pk), product__kind=ProductKind.XJL)
    except (ShareAccount.DoesNotExist, TypeError, ValueError):
        raise Http404("您未持有该薪加利产品") from None


def nav_history(product: Product, today: date, days: int = 30):
    return Nav.objects.filter(product=product, date__gt=today - timedelta(days=days),
                              date__lte=today).order_by("-date")


def incomes_for(customer, *, date_from: date, date_to: date):
    return (Income.objects.filter(customer=customer, date__gte=date_from, date__lte=date_to)
            .select_related("product").order_by("-date", "product__code"))


@dataclass(frozen=True)
class HistoryRow:
    day: date
    kind: str
    product: Product
    amount: Decimal
    status: str
    number: str
    account: str


def history_rows(customer, *, date_from: date, date_to: date, kind: str) -> list[HistoryRow]:
    """转入/转出 orders and 收益 rows of the period, newest first."""
    rows: list[HistoryRow] = []
    if kind in ("", HistoryKind.IN, HistoryKind.OUT):
        kinds = {HistoryKind.IN: (OrderKind.XJL_IN,),
                 HistoryKind.OUT: (OrderKind.XJL_OUT_INSTANT, OrderKind.XJL_OUT)}.get(
            kind, XJL_ORDER_KINDS)
        for order in (Order.objects.filter(customer=customer, kind__in=kinds,
                                           trade_date__gte=date_from, trade_date__lte=date_to)
                      .select_related("product", "medium").order_by("-placed_at", "-id")):
            rows.append(HistoryRow(day=order.trade_date, kind=order.get_kind_display(),
                                   product=order.product,
                                   amount=order.confirmed_amount or order.amount or order.shares,
                                   status=_order_status(order), number=order.number,
                                   account=order.medium.masked_number))
    if kind in ("", HistoryKind.INCOME):
        for income in incomes_for(customer, date_from=date_from, date_to=date_to):
            rows.append(HistoryRow(day=income.date, kind="收益", product=income.product,
                                   amount=income.amount, status="已到账", number="",
                                   account=""))
    rows.sort(key=lambda r: r.day, reverse=True)
    return rows


@dataclass(frozen=True)
class Quota:
    daily: Decimal | None
    used: Decimal
    left: Decimal | None


def instant_quota(subject: LimitSubject) -> Quota:
    """The day's 实时转出 quota on the limit engine's channel: its cap, used and what is left."""
    limits = effective_limits(subject=subject, channel=LimitChannel.XJL_REDEEM)
    used = limit_usage(subject=subject, channel=LimitChannel.XJL_REDEEM)
    left = max(limits.daily - used, ZERO) if limits.daily is not None else None
    return Quota(daily=limits.daily, used=used, left=left)


def _order_status(order: Order) -> str:
    """What the row says: a 普通转出 whose money has not arrived yet says when it will."""
    if (order.kind == OrderKind.XJL_OUT and order.status == OrderStatus.CONFIRMED
            and order.pay_on is not None):
        return f"待到账（预计{order.pay_on:%Y-%m-%d}）"
    return order.get_status_display()
