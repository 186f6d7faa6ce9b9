"""The nightly confirmation of 认购/申购/赎回 (理财交易确认, step ``wealth_orders_confirm``).

What business date D confirms (docs/wealth.md, "Orders: cut-off, confirmation and 撤单"):

* a 认购 once its product has started or starts the next morning (成立日 ≤ D + 1), at 净值
  1.0000, the shares dated the 成立日;
* a 申购/赎回 whose trade date is D or earlier, at that trade date's 净值, once head office has
  published it (an order whose 净值 is missing waits: a later night confirms it);
* never an order still inside its 撤单 window (``cancel_until`` after now: a private
  product's 冷静期), nor 薪加利's orders (wealth.xjl moves them at once).

Each order is one unit inside the step's transaction, without savepoints: everything that could
refuse is checked before anything is written, so a refusal (the hold no longer ACTIVE, the
frozen shares gone) marks the order FAILED with its reason and moves nothing.

Lock order (as wealth.book's): the ``Order`` rows of the night, all at once in primary-key
order; then every ledger account the night will post to, in primary-key order; then per order
its ``Hold`` (hold_capture) and share accounts. Locking all the orders first is what keeps a
撤单 racing the batch from deadlocking with it: the 撤单 takes its Order row before any ledger
row, and the batch takes no ledger row before it holds every Order it will touch.

Keys: the ledger entry and the share entry of an order are both ``wealth:confirm:<number>``,
so even an order confirmed twice by some future bug posts once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import ReceiptDirection, SubAccount, SubAccountKind
from accounts.receipts.services import ReceiptChannel, receipt_issue
from ebank.core.audit import audit_record_many
from ebank.core.models import AuditOutcome
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import Entry, Hold, HoldStatus, LedgerAccount
from ebank.ledger.services import Leg, entry_post, hold_capture

from ..book import issuance_account, share_account_for, share_post, share_unfreeze
from ..models import (
    Nav,
    Order,
    OrderKind,
    OrderStatus,
    ShareAccount,
    WealthBook,
    WealthBusinessType,
)
from ..products import nav_on
from ..trading import next_trading_day
from .figures import buy_figures, redeem_figures
from .selectors import SETTLED_KINDS

SUBSCRIBE_NAV = Decimal("1.0000")
CONFIRM_ACTION = "wealth.order_confirm"
FAIL_ACTION = "wealth.order_fail"
AUDIT_LABELS = {CONFIRM_ACTION: "理财交易确认", FAIL_ACTION: "理财交易失败"}

BUSINESS_TYPES = {OrderKind.SUBSCRIBE: WealthBusinessType.SUBSCRIBE,
                  OrderKind.PURCHASE: WealthBusinessType.PURCHASE,
                  OrderKind.REDEEM: WealthBusinessType.REDEEM}

HOLD_GONE = "资金冻结已解除，交易失败"
SHARES_GONE = "冻结份额不足，交易失败"
NO_CURRENT = "资金账户的活期主账户不存在，交易失败"


def confirm_key(order: Order) -> str:
    return f"wealth:confirm:{order.number}"


def orders_due(*, business_date: date, now: datetime):
    """The orders business date ``business_date`` may confirm (before the 净值 check)."""
    subscriptions = Q(kind=OrderKind.SUBSCRIBE,
                      product__start_date__lte=business_date + timedelta(days=1))
    trades = Q(kind__in=(OrderKind.PURCHASE, OrderKind.REDEEM), trade_date__lte=business_date)
    return (Order.objects.filter(status=OrderStatus.PENDING)
            .filter(subscriptions | trades)
            .exclude(cancel_until__gt=now))


@dataclass
class _Night:
    business_date: date
    now: datetime
    fee_book_id: int
    navs: dict
    audits: list
    payees: dict = field(default_factory=dict)


def orders_confirm(*, business_date: date, now: datetime | None = None) -> int:
    """Confirm what ``business_date`` may confirm; returns how many orders were confirmed.

    Joins the caller's transaction (the nightly step's); ``now`` decides the 撤单 windows
    (default: the clock).
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        ids = list(orders_due(business_date=business_date, now=now)
                   .order_by("pk").values_list("pk", flat=True))
        if not ids:
            return 0
        orders = list(Order.objects.select_for_update(of=("self",))
                      .select_related("product", "medium", "customer")
                      .filter(pk__in=ids).order_by("pk"))
        night = _Night(business_date=business_date, now=now,
                       fee_book_id=bank_book_id(WealthBook.FEE_INCOME), navs={}, audits=[])
        _navs_lock(orders, night)
        ready = [order for order in orders if _still_due(order, night)]
        _ledger_lock(ready, night)
        confirmed = sum(1 for order in ready if _confirm_one(order, night))
        audit_record_many(night.audits)
    return confirmed


def _still_due(order: Order, night: _Night) -> bool:
    """Under the Order lock: still PENDING, out of its 撤单 window and priced."""
    if order.status != OrderStatus.PENDING or order.kind not in SETTLED_KINDS:
        return False
    if order.cancel_until is not None and order.cancel_until > night.now:
        return False
    return _nav(order, night) is not None


def _navs_lock(orders: list[Order], night: _Night) -> None:
    """Lock, in primary-key order, the 净值 rows the night will price with (and remember them):
    head office's correction (``catalog.services.nav_save``) locks the row before asking whether
    an order used it, so it either lands first and is the one used, or waits for the night and
    is refused as history: never both."""
    keys = {(o.product_id, o.trade_date) for o in orders if o.kind in BUSINESS_TYPES
            and o.kind != OrderKind.SUBSCRIBE}
    if not keys:
        return
    wanted = Q()
    for product_id, day in keys:
        wanted |= Q(product_id=product_id, date=day)
    for row in Nav.objects.select_for_update().filter(wanted).order_by("pk"):
        night.navs[(row.product_id, row.date)] = row.nav


def _nav(order: Order, night: _Night) -> Decimal | None:
    if order.kind == OrderKind.SUBSCRIBE:
        return SUBSCRIBE_NAV
    key = (order.product_id, order.trade_date)
    if key not in night.navs:
        published = nav_on(order.product, order.trade_date)
        night.navs[key] = published.nav if published is not None else None
    return night.navs[key]


def _payee(order: Order, night: _Night) -> SubAccount | None:
    """A 赎回's 活期主账户, read once a night per card (the lock pass and the posting share it)."""
    if order.medium_id not in night.payees:
        night.payees[order.medium_id] = (
            SubAccount.objects.select_related("medium__customer", "medium__branch")
            .filter(medium_id=order.medium_id, kind=SubAccountKind.CURRENT_MAIN).first())
    return night.payees[order.medium_id]


def _ledger_lock(orders: list[Order], night: _Night) -> None:
    """Every ledger account the night posts to, in primary-key order, before any posting."""
    ids = {night.fee_book_id}
    holds = dict(Hold.objects.filter(pk__in=[o.hold_id for o in orders if o.hold_id])
                 .values_list("pk", "account_id"))
    for order in orders:
        ids.add(order.product.ledger_account_id)
        if order.kind == OrderKind.REDEEM:
            payee = _payee(order, night)
            if payee is not None:
                ids.add(payee.ledger_account_id)
        elif order.hold_id in holds:
            ids.add(holds[order.hold_id])
    list(LedgerAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")
         .values_list("pk", flat=True))


def _confirmed_on(order: Order, night: _Night) -> date:
    """The day the shares count from: a 认购's 成立日; else the trading day after the night."""
    if order.kind == OrderKind.SUBSCRIBE:
        return order.product.start_date
    return next_trading_day(night.business_date)


def _fail(order: Order, reason: str, night: _Night) -> bool:
    order.status = OrderStatus.FAILED
    order.failure_reason = reason
    order.closed_at = night.now
    order.save(update_fields=["status", "failure_reason", "closed_at"])
    night.audits.append({"action": FAIL_ACTION, "outcome": AuditOutcome.FAILURE, "channel": "batch",
                         "customer_id": order.customer_id,
                         "object_ref": f"wealth_order:{order.number}",
                         "detail": {"kind": order.kind, "reason": reason,
                                    "business_date": night.business_date.isoformat()}})
    return False


def _confirm_one(order: Order, night: _Night) -> bool:
    if order.kind == OrderKind.REDEEM:
        return _redeem(order, night)
    return _buy(order, night)


def _buy(order: Order, night: _Night) -> bool:
    hold = Hold.objects.select_for_update().filter(pk=order.hold_id).first()
    if hold is None or hold.status != HoldStatus.ACTIVE or hold.amount != order.amount:
        return _fail(order, HOLD_GONE, night)
    product = order.product
    nav = _nav(order, night)
    rate = (product.subscribe_fee_rate if order.kind == OrderKind.SUBSCRIBE
            else product.purchase_fee_rate)
    figures = buy_figures(amount=order.amount, fee_rate=rate, nav=nav)
    legs = [Leg.debit(hold.account_id, figures.amount),
            Leg.credit(product.ledger_account_id, figures.net)]
    if figures.fee > 0:
        legs.append(Leg.credit(night.fee_book_id, figures.fee))
    business_type = BUSINESS_TYPES[order.kind]
    posted = hold_capture(hold=hold, idempotency_key=confirm_key(order),
                          business_type=business_type, reference=order.number, legs=legs,
                          memo=f"理财{order.get_kind_display()} {product.code}")
    mine = share_account_for(product=product, customer=order.customer)
    share_post(idempotency_key=confirm_key(order), business_type=business_type,
               reference=order.number,
               moves=[(issuance_account(product), -figures.shares), (mine, figures.shares)],
               ledger_entry_id=posted.entry_id)
    payer = (SubAccount.objects.select_related("medium__customer", "medium__branch")
             .get(ledger_account_id=hold.account_id))
    _receipt(order, entry_id=posted.entry_id, sub_account=payer,
             direction=ReceiptDirection.DEBIT, amount=figures.amount)
    return _settled(order, night, nav=nav, shares=figures.shares, amount=figures.amount,
                    fee=figures.fee, entry_id=posted.entry_id)


def _redeem(order: Order, night: _Night) -> bool:
    product = order.product
    mine = (ShareAccount.objects.select_for_update()
            .filter(product=product, customer=order.customer).first())
    if mine is None or mine.frozen < order.shares or mine.shares < order.shares:
        return _fail(order, SHARES_GONE, night)
    payee = _payee(order, night)
    if payee is None:
        share_unfreeze(account=mine, shares=order.shares)
        return _fail(order, NO_CURRENT, night)
    nav = _nav(order, night)
    figures = redeem_figures(shares=order.shares, fee_rate=product.redeem_fee_rate, nav=nav)
    entry_id = None
    if figures.amount > 0:
        legs = [Leg.debit(product.ledger_account_id, figures.amount)]
        if figures.net > 0:
            legs.append(Leg.credit(payee.ledger_account_id, figures.net))
        if figures.fee > 0:
            legs.append(Leg.credit(night.fee_book_id, figures.fee))
        entry_id = entry_post(idempotency_key=confirm_key(order),
                              business_type=WealthBusinessType.REDEEM, reference=order.number,
                              legs=legs, memo=f"理财赎回 {product.code}").entry_id
    share_post(idempotency_key=confirm_key(order), business_type=WealthBusinessType.REDEEM,
               reference=order.number,
               moves=[(mine, -order.shares), (issuance_account(product), order.shares)],
               unfreeze=order.shares, ledger_entry_id=entry_id)
    if entry_id is not None and figures.net > 0:
        _receipt(order, entry_id=entry_id, sub_account=payee,
                 direction=ReceiptDirection.CREDIT, amount=figures.net)
    return _settled(order, night, nav=nav, shares=order.shares, amount=figures.amount,
                    fee=figures.fee, entry_id=entry_id)


def _receipt(order: Order, *, entry_id: int, sub_account: SubAccount, direction: str,
             amount: Decimal) -> None:
    """The customer's 电子回单: 付款 to the product for a buy, 收款 from it for a 赎回."""
    medium = sub_account.medium
    customer_side = (medium.customer.name, medium.number, medium.branch.name)
    product = order.product
    product_side = (f"{product.name}（{product.issuer}）"[:60], "", medium.branch.name)
    payer, payee = ((customer_side, product_side) if direction == ReceiptDirection.DEBIT
                    else (product_side, customer_side))
    posted_at = Entry.objects.values_list("posted_at", flat=True).get(pk=entry_id)
    receipt_issue(entry_id=entry_id, sub_account=sub_account, direction=direction,
                  amount=amount, payer_name=payer[0], payer_account=payer[1],
                  payer_bank=payer[2], payee_name=payee[0], payee_account=payee[1],
                  payee_bank=payee[2],
                  purpose=f"理财{order.get_kind_display()} {product.code} {order.number}",
                  business=f"理财{order.get_kind_display()}", channel=ReceiptChannel.BATCH,
                  posted_at=posted_at)


def _settled(order: Order, night: _Night, *, nav: Decimal, shares: Decimal, amount: Decimal,
             fee: Decimal, entry_id: int | None) -> bool:
    order.status = OrderStatus.CONFIRMED
    order.nav = nav
    order.confirmed_shares = shares
    order.confirmed_amount = amount
    order.fee = fee
    order.confirmed_on = _confirmed_on(order, night)
    order.entry_id = entry_id
    order.closed_at = night.now
    order.save(update_fields=["status", "nav", "confirmed_shares", "confirmed_amount", "fee",
                              "confirmed_on", "entry", "closed_at"])
    night.audits.append({"action": CONFIRM_ACTION, "channel": "batch",
                         "customer_id": order.customer_id,
                         "object_ref": f"wealth_order:{order.number}",
                         "detail": {"kind": order.kind, "nav": str(nav), "shares": str(shares),
                                    "amount": str(amount), "fee": str(fee),
                                    "business_date": night.business_date.isoformat()}})
    return True
