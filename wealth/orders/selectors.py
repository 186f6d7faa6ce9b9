"""What the 理财产品认购 and 我的理财产品 pages read: the products on sale, a product's terms and
净值, the customer's holdings with their 持仓成本 (average-cost method, docs/wealth.md)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from ebank.core.clock import SHANGHAI

from ..book import money_round
from ..models import (
    BUY_KINDS,
    Nav,
    Order,
    OrderKind,
    OrderStatus,
    Product,
    ProductKind,
    ShareAccount,
)
from ..settle.figures import redeem_figures
from ..trading import cutoff_at

# 产品类型 of the query form.
TYPE_RAISING = "raising"   # 认购期产品
TYPE_OPEN = "open"         # 开放式产品


def buy_kind(product: Product, at: datetime) -> str | None:
    """认购 in the 募集期, 申购 once an open product has started and before its 到期日; else None."""
    today = timezone.localtime(at, SHANGHAI).date()
    if not product.on_sale or product.kind == ProductKind.XJL:
        return None
    if (product.raise_start is not None and product.raise_start <= today
            and at < cutoff_at(product.raise_end)):
        return OrderKind.SUBSCRIBE
    if (product.kind == ProductKind.OPEN and product.start_date <= today
            and (product.end_date is None or today < product.end_date)):
        return OrderKind.PURCHASE
    return None


def sale_status(product: Product, at: datetime) -> str:
    """The list's 状态 column in the customer's words."""
    today = timezone.localtime(at, SHANGHAI).date()
    kind = buy_kind(product, at)
    if kind == OrderKind.SUBSCRIBE:
        return f"募集中（至{product.raise_end:%Y-%m-%d} 15:00）"
    if kind == OrderKind.PURCHASE:
        return "开放申购"
    if product.raise_start is not None and today < product.raise_start:
        return f"募集期{product.raise_start:%Y-%m-%d}开始"
    return "暂停购买"


def products_on_sale(*, at: datetime, product_type: str = "", risk_level: str = "",
                     keyword: str = "") -> list[Product]:
    """Products sold on e-banking (not 薪加利) that take 认购/申购 now or whose 募集期 is still
    to come, each with ``latest_nav`` (one query for all), ``status`` and ``buy_kind``."""
    today = timezone.localtime(at, SHANGHAI).date()
    raising = Q(raise_start__isnull=False, raise_end__gte=today)
    open_now = (Q(kind=ProductKind.OPEN, start_date__lte=today)
                & (Q(end_date__isnull=True) | Q(end_date__gt=today)))
    products = Product.objects.filter(on_sale=True).exclude(kind=ProductKind.XJL)
    if product_type == TYPE_RAISING:
        products = products.filter(raising)
    elif product_type == TYPE_OPEN:
        products = products.filter(open_now)
    else:
        products = products.filter(raising | open_now)
    if risk_level:
        products = products.filter(risk_level=risk_level)
    if keyword:
        products = products.filter(Q(code__icontains=keyword) | Q(name__icontains=keyword))
    rows = list(products.order_by("code"))
    navs = latest_navs(rows)
    shown = []
    for product in rows:
        product.latest_nav = navs.get(product.pk)
        product.buy_kind = buy_kind(product, at)
        product.status = sale_status(product, at)
        if product_type == TYPE_RAISING and product.buy_kind == OrderKind.PURCHASE:
            product.buy_kind = None   # an open product in its 募集期 is listed as 认购
        if product.buy_kind is None and product.raise_start is not None \
                and product.raise_end < today:
            continue
        shown.append(product)
    return shown


def latest_navs(products) -> dict[int, Nav]:
    """Each product's latest 净值, in one query (PostgreSQL DISTINCT ON)."""
    ids = [product.pk for product in products]
    if not ids:
        return {}
    navs = (Nav.objects.filter(product_id__in=ids).order_by("product_id", "-date")
            .distinct("product_id"))
    return {nav.product_id: nav for nav in navs}


def product_public(pk) -> Product:
    """A product as the public pages show it: sold on e-banking and not 薪加利; else 404."""
    try:
        return Product.objects.exclude(kind=ProductKind.XJL).get(pk=pk, on_sale=True)
    except (Product.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("产品不存在") from exc


def navs_recent(product: Product, count: int = 10) -> list[Nav]:
    return list(Nav.objects.filter(product=product).order_by("-date")[:count])


# --- 我的理财产品 -------------------------------------------------------------------------------


@dataclass
class Holding:
    product: Product
    account: ShareAccount | None
    nav: Nav | None = None
    cost: Decimal = Decimal("0.00")
    pending: list = field(default_factory=list)

    @property
    def shares(self) -> Decimal:
        return self.account.shares if self.account else Decimal("0.0000")

    @property
    def frozen(self) -> Decimal:
        return self.account.frozen if self.account else Decimal("0.0000")

    @property
    def available(self) -> Decimal:
        return self.shares - self.frozen

    @property
    def market_value(self) -> Decimal | None:
        """参考市值: shares × the latest 净值, to the fen half-up."""
        if self.nav is None:
            return None
        return money_round(self.shares * self.nav.nav)

    @property
    def profit(self) -> Decimal | None:
        value = self.market_value
        if value is None or not self.shares:
            return None
        return value - self.cost

    @property
    def is_open(self) -> bool:
        return self.product.kind == ProductKind.OPEN


def cost_basis(orders) -> Decimal:
    """持仓成本 by the average-cost method over CONFIRMED orders, oldest first: a 认购/申购 adds
    what the confirmation took from the customer (``confirmed_amount``, the 认购/申购费
    included); a 赎回 removes the cost of the shares it took, pro rata to the shares held before
    it. Kept unrounded between steps, rounded to the fen half-up at the end.

    Orders of one 确认日期 take a 赎回 before a 认购/申购: the 赎回 froze shares held before
    that night, so it never takes (nor its cost) the shares a buy confirmed the same night."""
    cost = Decimal("0")
    shares = Decimal("0")
    for order in _in_confirmation_order(orders):
        if order.kind in BUY_KINDS:
            paid = order.confirmed_amount if order.confirmed_amount is not None else order.amount
            cost += paid or 0
            shares += order.confirmed_shares or 0
        elif order.kind == OrderKind.REDEEM and shares > 0:
            taken = min(order.confirmed_shares or order.shares or 0, shares)
            cost -= cost * taken / shares
            shares -= taken
            if shares <= 0:
                cost, shares = Decimal("0"), Decimal("0")
    return money_round(cost)


def _in_confirmation_order(orders) -> list:
    orders = list(orders)
    if any(getattr(order, "confirmed_on", None) is None for order in orders):
        return orders   # not all dated: as given
    return sorted(orders, key=lambda order: (order.confirmed_on,
                                             order.kind != OrderKind.REDEEM))


def holdings_of(customer) -> list[Holding]:
    """The customer's 理财 (open and closed, not 薪加利): share accounts with shares or frozen
    shares, and products with orders still 待确认; each with its latest 净值, its 持仓成本 and its
    pending orders. A fixed number of queries whatever the number of products."""
    accounts = list(ShareAccount.objects.select_related("product")
                    .filter(customer=customer)
                    .exclude(product__kind=ProductKind.XJL)
                    .filter(Q(shares__gt=0) | Q(frozen__gt=0)))
    orders = list(Order.objects.select_related("product", "medium")
                  .filter(customer=customer)
                  .exclude(product__kind=ProductKind.XJL)
                  .filter(status__in=(OrderStatus.PENDING, OrderStatus.CONFIRMED))
                  .order_by("confirmed_on", "placed_at", "id"))
    holdings: dict[int, Holding] = {
        account.product_id: Holding(product=account.product, account=account)
        for account in accounts}
    for order in orders:
        if order.status == OrderStatus.PENDING and order.product_id not in holdings:
            holdings[order.product_id] = Holding(product=order.product, account=None)
    navs = latest_navs([holding.product for holding in holdings.values()])
    for pk, holding in holdings.items():
        holding.nav = navs.get(pk)
        mine = [order for order in orders if order.product_id == pk]
        holding.pending = sorted((o for o in mine if o.status == OrderStatus.PENDING),
                                 key=lambda o: (o.placed_at, o.pk), reverse=True)
        holding.cost = (cost_basis(o for o in mine if o.status == OrderStatus.CONFIRMED)
                        if holding.shares else Decimal("0.00"))
    return sorted(holdings.values(), key=lambda h: h.product.code)


def holding_get(customer, product_pk) -> ShareAccount:
    """The customer's share account of an open product they hold (赎回); anything else → 404."""
    try:
        return ShareAccount.objects.select_related("product").get(
            product_id=int(product_pk), customer=customer, shares__gt=0,
            product__kind=ProductKind.OPEN)
    except (ShareAccount.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("您未持有该产品") from exc


def last_buy_medium_id(customer, product: Product) -> int | None:
    """The medium of the customer's latest 认购/申购 of ``product`` (赎回's default 到账账户)."""
    order = (Order.objects.filter(customer=customer, product=product, kind__in=BUY_KINDS)
             .order_by("-placed_at", "-id").only("medium_id").first())
    return order.medium_id if order else None


def redeem_estimate(product: Product, shares: Decimal, nav: Nav | None):
    """(gross, fee, net) at ``nav`` as the confirmation will figure them; None without a 净值."""
    if nav is None or shares is None:
        return None
    figures = redeem_figures(shares=shares, fee_rate=product.redeem_fee_rate, nav=nav.nav)
    return figures.amount, figures.fee, figures.net
