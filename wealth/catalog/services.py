"""Head office's writes on the shelf: products and their 净值, each audited in its transaction.

* ``product_add`` goes through ``wealth.products.product_create`` (it opens the cash book
  ``WLT:<code>``); ``product_change`` never touches the code, the kind or the cash book.
* ``nav_save`` / ``nav_delete``: one 净值 row (the admin); a 净值 an order or a day of income
  already used is history (``rules.nav_used``) and is refused. ``navs_publish``: the fund
  company's file (``manage.py publish_nav``), all rows or none.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError

from ..models import Nav, Product
from ..products import product_create
from .rules import nav_differs, nav_rules_check, nav_used, product_change_check

PRODUCT_ADD_ACTION = "wealth.product_add"
PRODUCT_CHANGE_ACTION = "wealth.product_change"
NAV_ADD_ACTION = "wealth.nav_add"
NAV_CHANGE_ACTION = "wealth.nav_change"
NAV_DELETE_ACTION = "wealth.nav_delete"
NAV_PUBLISH_ACTION = "wealth.nav_publish"
MATURITY_ACTION = "wealth.maturity_pay"
RAISE_FAIL_ACTION = "wealth.raise_fail"

AUDIT_LABELS = {
    PRODUCT_ADD_ACTION: "理财产品新增",
    PRODUCT_CHANGE_ACTION: "理财产品修改",
    NAV_ADD_ACTION: "产品净值发布",
    NAV_CHANGE_ACTION: "产品净值修改",
    NAV_DELETE_ACTION: "产品净值删除",
    NAV_PUBLISH_ACTION: "净值文件发布",
    MATURITY_ACTION: "理财产品到期兑付",
    RAISE_FAIL_ACTION: "理财产品募集失败",
}

RAISE_FAILED = "产品募集失败，认购资金已解冻"

NAV_USED = "该净值已用于确认交易或收益，不能修改或删除"
# Fields head office keeps after a product is saved; code, kind and the cash book never change.
FIXED_FIELDS = ("code", "kind", "ledger_account")


class NavRefused(BusinessError):
    code = "wealth_nav_refused"
    default_message = NAV_USED


def _actor_name(staff) -> str:
    return getattr(staff, "username", "") or "system"


@transaction.atomic
def product_add(*, staff, fields: dict) -> Product:
    """A new product (``fields``: the model's fields but the cash book) with its cash book."""
    fields = dict(fields)
    product = product_create(
        code=fields.pop("code"), name=fields.pop("name"), issuer=fields.pop("issuer"),
        kind=fields.pop("kind"), risk_level=fields.pop("risk_level"),
        start_date=fields.pop("start_date"), min_amount=fields.pop("min_amount"),
        step_amount=fields.pop("step_amount"), **fields)
    audit_record(action=PRODUCT_ADD_ACTION, actor=staff, channel="admin",
                 object_ref=f"wealth.product:{product.code}",
                 detail={"code": product.code, "name": product.name, "kind": product.kind})
    return product


@transaction.atomic
def product_change(*, staff, product: Product, changed: list[str]) -> Product:
    """Save head office's changes of ``product`` (already set on it), never its fixed fields."""
    fields = [name for name in changed if name not in FIXED_FIELDS]
    stored = Product.objects.select_for_update().get(pk=product.pk)
    if (stored.code, stored.kind) != (product.code, product.kind):
        raise BusinessError("产品代码和产品类型保存后不能修改")
    refused = product_change_check(stored, {name: getattr(product, name) for name in fields})
    if refused:
        raise BusinessError("；".join(dict.fromkeys(refused.values())))
    if fields:
        product.full_clean(exclude=["ledger_account"])
        product.save(update_fields=fields)
    audit_record(action=PRODUCT_CHANGE_ACTION, actor=staff, channel="admin",
                 object_ref=f"wealth.product:{product.code}",
                 detail={"code": product.code, "fields": fields})
    return product


@transaction.atomic
def nav_save(*, staff, product: Product, day: date, nav: Decimal,
             income_per_10k: Decimal | None = None,
             seven_day_yield: Decimal | None = None) -> Nav:
    """Publish (or correct, while no order or income has used it) the 净值 of ``day``."""
    errors = nav_rules_check(product=product, day=day, nav=nav, income_per_10k=income_per_10k,
                             seven_day_yield=seven_day_yield)
    if errors:
        raise BusinessError("；".join(errors.values()))
    row = Nav.objects.select_for_update().filter(product=product, date=day).first()
    if row is None:
        row = Nav.objects.create(product=product, date=day, nav=nav,
                                 income_per_10k=income_per_10k, seven_day_yield=seven_day_yield,
                                 published_by=_actor_name(staff))
        action = NAV_ADD_ACTION
    else:
        if not nav_differs(row, nav, income_per_10k, seven_day_yield):
            return row
        if nav_used(product, day):
            raise NavRefused()
        row.nav, row.income_per_10k, row.seven_day_yield = nav, income_per_10k, seven_day_yield
        row.published_by = _actor_name(staff)
        row.save(update_fields=["nav", "income_per_10k", "seven_day_yield", "published_by"])
        action = NAV_CHANGE_ACTION
    audit_record(action=action, actor=staff, channel="admin",
                 object_ref=f"wealth.nav:{product.code}:{day:%Y-%m-%d}",
                 detail={"code": product.code, "date": f"{day:%Y-%m-%d}", "nav": str(nav),
                         "income_per_10k": str(income_per_10k or ""),
                         "seven_day_yield": str(seven_day_yield or "")})
    return row


@transaction.atomic
def nav_delete(*, staff, nav: Nav) -> None:
    row = Nav.objects.select_for_update().select_related("product").get(pk=nav.pk)
    if nav_used(row.product, row.date):
        raise NavRefused()
    audit_record(action=NAV_DELETE_ACTION, actor=staff, channel="admin",
                 object_ref=f"wealth.nav:{row.product.code}:{row.date:%Y-%m-%d}",
                 detail={"code": row.product.code, "date": f"{row.date:%Y-%m-%d}",
                         "nav": str(row.nav)})
    row.delete()


# --- the fund company's file ---------------------------------------------------------------------


@dataclass(frozen=True)
class NavLine:
    """One checked row of a 净值 file."""

    line: int
    product: Product
    day: date
    nav: Decimal
    income_per_10k: Decimal | None
    seven_day_yield: Decimal | None


@dataclass(frozen=True)
class PublishOutcome:
    published: int
    unchanged: int


@transaction.atomic(durable=True)
def navs_publish(*, lines: list[NavLine], source: str) -> PublishOutcome:
    """Write every checked line (``catalog.navfile.nav_file_read``) or none: a line whose figures
    are already published is left alone; a used 净值 with other figures refuses the whole file."""
    published = unchanged = 0
    # The rows this file touches, locked in primary-key order (as the nightly confirmation locks
    # the ones it prices with), so the two never wait on each other in a circle.
    wanted = Q(pk__in=[])
    for item in lines:
        wanted |= Q(product=item.product, date=item.day)
    list(Nav.objects.select_for_update().filter(wanted).order_by("pk").values_list("pk", flat=True))
    for item in lines:
        row = Nav.objects.select_for_update().filter(product=item.product, date=item.day).first()
        if row is not None and not nav_differs(row, item.nav, item.income_per_10k,
                                               item.seven_day_yield):
            unchanged += 1
            continue
        if row is not None and nav_used(item.product, item.day):
            raise NavRefused(f"第{item.line}行：{item.product.code} {item.day:%Y-%m-%d} 的净值"
                             f"已用于确认交易或收益，不能修改")
        if row is None:
            Nav.objects.create(product=item.product, date=item.day, nav=item.nav,
                               income_per_10k=item.income_per_10k,
                               seven_day_yield=item.seven_day_yield, published_by="净值文件")
        else:
            row.nav, row.income_per_10k = item.nav, item.income_per_10k
            row.seven_day_yield, row.published_by = item.seven_day_yield, "净值文件"
            row.save(update_fields=["nav", "income_per_10k", "seven_day_yield", "published_by"])
        published += 1
    if published:  # the same file again changes nothing and records nothing
        audit_record(action=NAV_PUBLISH_ACTION, channel="system",
                     object_ref=f"navfile:{source}"[:128],
                     detail={"file": source, "published": published, "unchanged": unchanged})
    return PublishOutcome(published, unchanged)


@dataclass(frozen=True)
class RaiseFailOutcome:
    orders: int
    released: Decimal


@transaction.atomic
def raise_fail(*, staff, product: Product, on: date | None = None) -> RaiseFailOutcome:
    """募集失败: the product will not be established. Every 认购 still 待确认 fails with its hold
    released (the money is the customer's again at once) and the product leaves 网银销售; audited.

    Only before the product started (``on`` before its 成立日, and no 认购 confirmed yet): the
    night before the 成立日 confirms the 认购s. Lock order as the confirmation's: the Order
    rows (primary-key order), then each hold and its ledger account (``hold_release``); an
    order the night confirmed first is left as it is and the call is refused.
    """
    from django.utils import timezone

    from ebank.core.clock import business_day
    from ebank.ledger.models import HoldStatus
    from ebank.ledger.services import hold_release

    from ..models import Order, OrderKind, OrderStatus

    on = business_day(on)
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.raise_end is None:
        raise BusinessError("该产品没有募集期")
    if on >= product.start_date:
        raise BusinessError("该产品已到成立日，不能再宣告募集失败")
    subscriptions = Order.objects.filter(product=product, kind=OrderKind.SUBSCRIBE)
    if subscriptions.filter(status=OrderStatus.CONFIRMED).exists():
        raise BusinessError("该产品已有认购确认，不能再宣告募集失败")
    now = timezone.now()
    released = Decimal("0.00")
    orders = list(subscriptions.select_for_update(of=("self",))
                  .filter(status=OrderStatus.PENDING).select_related("hold").order_by("pk"))
    for order in orders:
        # The hold changes only under its Order's lock (撤单, the night), which we hold.
        if order.hold is not None and order.hold.status == HoldStatus.ACTIVE:
            hold_release(hold=order.hold)
            released += order.hold.amount
        order.status = OrderStatus.FAILED
        order.failure_reason = RAISE_FAILED
        order.closed_at = now
        order.save(update_fields=["status", "failure_reason", "closed_at"])
    if product.on_sale:
        product.on_sale = False
        product.save(update_fields=["on_sale"])
    audit_record(action=RAISE_FAIL_ACTION, actor=staff, channel="admin",
                 object_ref=f"wealth.product:{product.code}",
                 detail={"code": product.code, "orders": len(orders),
                         "released": str(released)})
    return RaiseFailOutcome(orders=len(orders), released=released)
