"""薪加利 (FND-XJL) 转入 and 转出: each moves money and shares at once, in one transaction.

* **转入** (:func:`xjl_in_start` → X-CONFIRM ``wealth.xjl_in``, a security tool): suitability
  again inside the executor, then the 活期 is debited and the product's cash book credited
  (``WealthBusinessType.XJL_IN``), and the same number of shares (净值 1.0000: one yuan is one
  share) go from the issuance account to the customer. The order is CONFIRMED at once.
  **Shares bought on day D earn from D+1**: the income of D counts the shares held at the end of
  D less those bought on D (``income.py``).
* **实时转出** (``wealth.xjl_out_instant``): the daily cap of the limit engine's channel
  ``LimitChannel.XJL_REDEEM`` (10,000 a customer a day until head office sets the channel's
  产品/渠道 policy) is taken as the entry's ``before_lock``; the money arrives at once.
* **普通转出** (``wealth.xjl_out``): no cap; the shares go back to the issuance account at once
  (so they earn nothing that day: 转出当日无收益) and the order is CONFIRMED with ``pay_on`` =
  the next working day; a due-work row (``wealth.xjl_payout``, due at 00:00 of ``pay_on``)
  pays the money then and marks the order PAID.

Lock order (wealth/book.py): the Order row, the limit usage, the ledger accounts, the share
accounts.
"""

from datetime import datetime, time
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    MediumStatus,
    Receipt,
    ReceiptDirection,
    SubAccount,
    SubAccountStatus,
)
from accounts.payers import account_label, receipt_url
from ebank.clearing.calendar import WorkCalendar
from ebank.core.audit import audit_record
from ebank.core.clock import SHANGHAI, business_day
from ebank.core.errors import BusinessError, InsufficientFunds
from ebank.core.money import format_cny, parse_amount_named
from ebank.duework.registry import due_handler
from ebank.duework.services import PermanentFailure, due_work_schedule
from ebank.ledger.services import Leg, entry_post
from ebank.limits.engine import refusal
from ebank.limits.models import LimitChannel
from ebank.limits.selectors import limit_check
from ebank.limits.services import limit_consume
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools.subject import limit_subject_for

from ..book import issuance_account, share_account_for, share_post
from ..models import Order, OrderKind, OrderStatus, WealthBusinessType
from ..placing import amount_check
from ..products import order_number_new
from ..suitability import suitability_check
from .common import own_account, xjl_product_of, xjl_receipt

KIND_IN = "wealth.xjl_in"
KIND_OUT_INSTANT = "wealth.xjl_out_instant"
KIND_OUT = "wealth.xjl_out"
PAYOUT_KIND = "wealth.xjl_payout"

INSUFFICIENT = "转出账户余额不足"
SHARES_SHORT = "转出份额超过可用份额{available}份"
NOT_ON_SALE = "该产品已停止网银销售"
PAYOUT_ACCOUNT_CLOSED = "到账账户已销户，资金暂留薪加利，请联系柜面办理"
ONE = Decimal("1.0000")


class OutMode:
    INSTANT = "instant"
    NORMAL = "normal"
    CHOICES = [(INSTANT, "实时转出"), (NORMAL, "普通转出")]
    KIND = {INSTANT: OrderKind.XJL_OUT_INSTANT, NORMAL: OrderKind.XJL_OUT}
    OPERATION = {INSTANT: KIND_OUT_INSTANT, NORMAL: KIND_OUT}


# --- 转入 ---------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def xjl_in_start(*, user: User, product_id, sub_account_id, amount) -> PendingOperation:
    """提交 of 转入: product, account, amount, suitability and balance checked; X-CONFIRM."""
    customer = user.customer
    product = xjl_product_of(product_id)
    if not product.on_sale:
        raise BusinessError(NOT_ON_SALE, code="product")
    account = own_account(customer, sub_account_id, role="转出账户")
    value = parse_amount_named(amount, label="转入金额")
    try:
        amount_check(product, value)
    except BusinessError as exc:
        raise BusinessError(exc.message.replace("购买金额", "转入金额"), code="amount") from None
    suitability_check(customer, product)
    available = account.ledger_account.available
    if available < value:
        raise BusinessError(f"{INSUFFICIENT}（可用余额{format_cny(available)}）", code="account")
    return operation_start(
        user=user, kind=KIND_IN,
        payload={"product": product.pk, "sub_account": account.pk, "amount": f"{value:.2f}"},
        summary=[("产品", f"{product.code} {product.name}"), ("转出账户", account_label(account)),
                 ("转入份额", f"{value:,.2f}份")],
        medium=account.medium, back_url=reverse("wealth:xjl_in", args=[product.pk]))


def xjl_in_post(*, customer, product, account, amount: Decimal, key: str,
                operation: PendingOperation | None = None, at: datetime | None = None) -> Order:
    """The 转入 itself (inside the caller's transaction): money, shares, the order, a receipt."""
    at = at or timezone.now()
    if not product.on_sale:     # again at 确认: head office may have stopped it since 提交
        raise BusinessError(NOT_ON_SALE, code="product")
    suitability_check(customer, product, business_day())
    number = order_number_new(at)
    try:
        posted = entry_post(
            idempotency_key=key, business_type=WealthBusinessType.XJL_IN, reference=number,
            memo=f"薪加利转入 {product.code}",
            legs=[Leg.debit(account.ledger_account_id, amount),
                  Leg.credit(product.ledger_account_id, amount)])
    except InsufficientFunds:
        raise BusinessError(INSUFFICIENT, code="account") from None
    if posted.replayed:
        return Order.objects.get(entry_id=posted.entry_id)
    holding = share_account_for(product=product, customer=customer)
    share_post(idempotency_key=key, business_type=WealthBusinessType.XJL_IN, reference=number,
               moves=[(issuance_account(product), -amount), (holding, amount)],
               ledger_entry_id=posted.entry_id)
    day = timezone.localtime(at, SHANGHAI).date()
    order = Order.objects.create(
        number=number, customer=customer, medium=account.medium, product=product,
        kind=OrderKind.XJL_IN, status=OrderStatus.CONFIRMED, amount=amount, placed_at=at,
        trade_date=day, nav=ONE, confirmed_shares=amount, confirmed_amount=amount,
        fee=Decimal("0.00"), confirmed_on=day, entry_id=posted.entry_id, closed_at=at,
        operation=operation)
    xjl_receipt(entry_id=posted.entry_id, amount=amount, account=account, product=product,
                direction=ReceiptDirection.DEBIT, business=WealthBusinessType.XJL_IN.label,
                posted_at=at)
    audit_record(action="wealth.xjl_in", actor=operation.user if operation else None,
                 customer_id=customer.pk, object_ref=f"order:{order.number}",
                 detail={"product": product.code, "amount": str(amount)})
    return order


@operation_kind(KIND_IN, title="薪加利转入", requires_pin=False, requires_tool=True,
                allow_sms=False)
def xjl_in_execute(*, operation: PendingOperation) -> dict:
    p = operation.payload
    customer = operation.user.customer
    product = xjl_product_of(p["product"])
    account = own_account(customer, p["sub_account"], role="转出账户")
    amount = Decimal(p["amount"])
    order = xjl_in_post(customer=customer, product=product, account=account, amount=amount,
                        key=f"xjl:in:{operation.idempotency_key}", operation=operation)
    return {"message": f"转入成功：{format_cny(amount)}已转入{product.name}，次日起计算收益",
            "receipt_url": receipt_url(_receipt_of(order, account)),
            "lines": [["交易流水号", order.number], ["确认份额", f"{order.confirmed_shares:,.2f}份"]]}


def _receipt_of(order: Order, account) -> Receipt | None:
    return Receipt.objects.filter(entry_id=order.entry_id, sub_account=account).first()


# --- 转出 ---------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def xjl_out_start(*, user: User, product_id, mode: str, sub_account_id, amount
                  ) -> PendingOperation:
    """提交 of 转出: the mode, the 到账账户, the amount (shares = yuan) against 可用份额 and, for
    实时转出, the day's remaining quota (read-only here; taken under the lock at execution)."""
    customer = user.customer
    product = xjl_product_of(product_id)
    if mode not in OutMode.KIND:
        raise BusinessError("请选择转出方式", code="mode")
    account = own_account(customer, sub_account_id, role="到账账户")
    value = parse_amount_named(amount, label="转出金额")
    available = share_account_for(product=product, customer=customer).available
    if value > available:
        raise BusinessError(SHARES_SHORT.format(available=f"{available:,.2f}"), code="amount")
    if mode == OutMode.INSTANT:
        decision = limit_check(subject=limit_subject_for(user=user), amount=value,
                               channel=LimitChannel.XJL_REDEEM)
        if not decision.allowed:
            raise BusinessError(refusal(decision).message, code="amount")
    mode_label = dict(OutMode.CHOICES)[mode]
    return operation_start(
        user=user, kind=OutMode.OPERATION[mode],
        payload={"product": product.pk, "sub_account": account.pk, "amount": f"{value:.2f}"},
        summary=[("产品", f"{product.code} {product.name}"), ("转出方式", mode_label),
                 ("转出份额", f"{value:,.2f}份"), ("到账账户", account_label(account))],
        medium=account.medium, back_url=reverse("wealth:xjl_out", args=[product.pk]))


def _shares_back(*, customer, product, amount: Decimal, key: str, number: str,
                 business_type: str, ledger_entry_id=None) -> None:
    holding = share_account_for(product=product, customer=customer)
    if holding.available < amount:
        raise BusinessError(SHARES_SHORT.format(available=f"{holding.available:,.2f}"),
                            code="amount")
    share_post(idempotency_key=key, business_type=business_type, reference=number,
               moves=[(holding, -amount), (issuance_account(product), amount)],
               ledger_entry_id=ledger_entry_id)


def xjl_out_instant_post(*, user: User, customer, product, account, amount: Decimal, key: str,
                         operation: PendingOperation | None = None) -> Order:
    at = timezone.now()
    number = order_number_new(at)
    subject = limit_subject_for(user=user)
    posted = entry_post(
        idempotency_key=key, business_type=WealthBusinessType.XJL_OUT_INSTANT, reference=number,
        memo=f"薪加利实时转出 {product.code}",
        legs=[Leg.debit(product.ledger_account_id, amount),
              Leg.credit(account.ledger_account_id, amount)],
        before_lock=lambda: limit_consume(subject=subject, amount=amount,
                                          channel=LimitChannel.XJL_REDEEM))
    if posted.replayed:
        return Order.objects.get(entry_id=posted.entry_id)
    _shares_back(customer=customer, product=product, amount=amount, key=key, number=number,
                 business_type=WealthBusinessType.XJL_OUT_INSTANT, ledger_entry_id=posted.entry_id)
    day = timezone.localtime(at, SHANGHAI).date()
    order = Order.objects.create(
        number=number, customer=customer, medium=account.medium, product=product,
        kind=OrderKind.XJL_OUT_INSTANT, status=OrderStatus.CONFIRMED, shares=amount,
        placed_at=at, trade_date=day, nav=ONE, confirmed_shares=amount, confirmed_amount=amount,
        fee=Decimal("0.00"), confirmed_on=day, pay_on=day, entry_id=posted.entry_id, closed_at=at,
        operation=operation)
    xjl_receipt(entry_id=posted.entry_id, amount=amount, account=account, product=product,
                direction=ReceiptDirection.CREDIT,
                business=WealthBusinessType.XJL_OUT_INSTANT.label, posted_at=at)
    audit_record(action="wealth.xjl_out_instant", actor=user, customer_id=customer.pk,
                 object_ref=f"order:{order.number}",
                 detail={"product": product.code, "amount": str(amount)})
    return order


def _out_args(operation: PendingOperation) -> dict:
    """What both 转出 executors post from the confirmed payload: the customer's holding
    product, the 到账账户 (looked up through the customer again), the amount and the key."""
    p = operation.payload
    customer = operation.user.customer
    return {"user": operation.user, "customer": customer,
            "product": xjl_product_of(p["product"]),
            "account": own_account(customer, p["sub_account"], role="到账账户"),
            "amount": Decimal(p["amount"]), "key": f"xjl:out:{operation.idempotency_key}",
            "operation": operation}


@operation_kind(KIND_OUT_INSTANT, title="薪加利实时转出", requires_pin=False, requires_tool=True,
                allow_sms=False)
def xjl_out_instant_execute(*, operation: PendingOperation) -> dict:
    args = _out_args(operation)
    order = xjl_out_instant_post(**args)
    account, amount = args["account"], args["amount"]
    receipt = _receipt_of(order, account)
    return {"message": f"实时转出成功：{format_cny(amount)}已到账",
            "receipt_url": receipt_url(receipt),
            "lines": [["交易流水号", order.number], ["到账账户", account_label(account)]]}


def payout_due_at(day) -> datetime:
    """00:00 Asia/Shanghai of the payment day: the money is there when the day opens."""
    return datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)


def xjl_out_post(*, user: User, customer, product, account, amount: Decimal, key: str,
                 operation: PendingOperation | None = None) -> Order:
    """普通转出: the shares now, the money on the next working day (a due-work row)."""
    at = timezone.now()
    number = order_number_new(at)
    _shares_back(customer=customer, product=product, amount=amount, key=key, number=number,
                 business_type=WealthBusinessType.XJL_OUT)
    day = timezone.localtime(at, SHANGHAI).date()
    pay_on = WorkCalendar.load().next_working_day(day)
    order = Order.objects.create(
        number=number, customer=customer, medium=account.medium, product=product,
        kind=OrderKind.XJL_OUT, status=OrderStatus.CONFIRMED, shares=amount, placed_at=at,
        trade_date=day, nav=ONE, confirmed_shares=amount, confirmed_amount=amount,
        fee=Decimal("0.00"), confirmed_on=day, pay_on=pay_on, operation=operation)
    due_work_schedule(kind=PAYOUT_KIND, key=f"order:{order.number}", due_at=payout_due_at(pay_on),
                      payload={"order": order.pk, "sub_account": account.pk})
    audit_record(action="wealth.xjl_out", actor=user, customer_id=customer.pk,
                 object_ref=f"order:{order.number}",
                 detail={"product": product.code, "amount": str(amount),
                         "pay_on": pay_on.isoformat()})
    return order


@operation_kind(KIND_OUT, title="薪加利普通转出", requires_pin=False, requires_tool=True,
                allow_sms=False)
def xjl_out_execute(*, operation: PendingOperation) -> dict:
    args = _out_args(operation)
    order = xjl_out_post(**args)
    account, amount = args["account"], args["amount"]
    return {"message": f"普通转出已受理：{format_cny(amount)}将于{order.pay_on:%Y-%m-%d}到账"
                       "（转出当日无收益）",
            "lines": [["交易流水号", order.number], ["到账账户", account_label(account)],
                      ["到账日期", f"{order.pay_on:%Y-%m-%d}"]]}


def xjl_payout(*, order: Order, account) -> Order:
    """Pay a 普通转出's money (the due-work row of its ``pay_on``): once, the order PAID."""
    if order.status == OrderStatus.PAID:
        return order
    amount = order.confirmed_amount
    at = timezone.now()
    posted = entry_post(
        idempotency_key=f"xjl:payout:{order.number}", business_type=WealthBusinessType.XJL_OUT,
        reference=order.number, memo=f"薪加利普通转出到账 {order.product.code}",
        legs=[Leg.debit(order.product.ledger_account_id, amount),
              Leg.credit(account.ledger_account_id, amount)])
    order.status, order.entry_id, order.closed_at = OrderStatus.PAID, posted.entry_id, at
    order.save(update_fields=["status", "entry", "closed_at"])
    xjl_receipt(entry_id=posted.entry_id, amount=amount, account=account, product=order.product,
                direction=ReceiptDirection.CREDIT, business=WealthBusinessType.XJL_OUT.label,
                posted_at=at)
    audit_record(action="wealth.xjl_payout", customer_id=order.customer_id, channel="batch",
                 object_ref=f"order:{order.number}", detail={"amount": str(amount)})
    return order


@due_handler(PAYOUT_KIND, label="薪加利普通转出到账")
def xjl_payout_due(work):
    order = Order.objects.select_for_update().select_related("product").get(
        pk=work.payload["order"])
    account = SubAccount.objects.select_related("medium", "medium__customer",
                                                "medium__branch").get(
        pk=work.payload["sub_account"])
    if account.medium.customer_id != order.customer_id:
        raise PermanentFailure("到账账户不属于该客户")
    if order.status != OrderStatus.PAID and (
            account.status != SubAccountStatus.OPEN
            or account.medium.status == MediumStatus.CLOSED):
        # Never into a closed account: the money stays in the product's cash book (the order
        # unpaid, still counted by the book's invariant) and the failed row tells staff why.
        raise PermanentFailure(PAYOUT_ACCOUNT_CLOSED)
    # 挂失/冻结 stop money going out of the card, not coming in: those are paid.
    xjl_payout(order=order, account=account)
