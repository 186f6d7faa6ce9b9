"""Starting 认购/申购/赎回 (X-CONFIRM) and executing them: the checks the form runs before the
confirmation page, and the executor that calls order_place inside the confirmation's
transaction, checking everything again (the 风险测评 may have expired, the window closed)."""

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import SubAccount
from accounts.payers import account_label, payer_refusal
from ebank.core.clock import SHANGHAI
from ebank.core.errors import InsufficientFunds
from ebank.core.money import format_cny
from ebank.ledger.models import LedgerAccount
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..models import Order, OrderKind, Product, ProductKind
from ..placing import (
    OrderRefused,
    amount_check,
    order_place,
    order_trade_date,
    redeem_shares_check,
    sale_window_check,
)
from ..products import nav_latest
from ..suitability import suitability_check
from ..trading import confirm_date_for, trade_date_for
from .selectors import redeem_estimate

KIND_SUBSCRIBE = "wealth.subscribe"
KIND_PURCHASE = "wealth.purchase"
KIND_REDEEM = "wealth.redeem"
KIND_BY_ORDER = {OrderKind.SUBSCRIBE: KIND_SUBSCRIBE, OrderKind.PURCHASE: KIND_PURCHASE,
                 OrderKind.REDEEM: KIND_REDEEM}
ORDER_BY_KIND = {value: key for key, value in KIND_BY_ORDER.items()}

# The order is placed when the customer confirms: one confirmed after 15:00 trades the next day
# (the result page shows the 交易日 it got).
_AT_CONFIRM_NOTE = "（以确认提交时间为准，15:00后确认顺延至下一交易日）"
CUTOFF_RULE = ("交易日15:00前提交的申购、赎回按当日净值计算，T+1日确认；15:00后或非交易日提交的"
               "按下一交易日净值计算。认购资金在募集期内冻结，产品成立日确认份额。")


def available_of(payer: SubAccount) -> Decimal:
    account = LedgerAccount.objects.get(pk=payer.ledger_account_id)
    return account.balance - account.held


def expected_confirm_date(product: Product, kind: str, trade_date):
    """预计确认日: a 认购's 成立日 (the night before confirms it); else T+1 of the trade date."""
    if kind == OrderKind.SUBSCRIBE:
        return product.start_date
    return confirm_date_for(trade_date)


def buy_check(*, customer, payer: SubAccount, product: Product, kind: str, amount: Decimal,
              at=None) -> None:
    """What order_place will check, before the confirmation page (each raises the customer's
    words): the window, the amount, 风险测评, the paying account and its available balance."""
    at = at or timezone.now()
    refusal = payer_refusal(payer)
    if refusal:
        raise OrderRefused(refusal)
    sale_window_check(product, kind, at)
    amount_check(product, amount)
    suitability_check(customer, product, timezone.localtime(at, SHANGHAI).date())
    if available_of(payer) < amount:
        raise InsufficientFunds()


@transaction.atomic(durable=True)
def buy_start(*, user, payer: SubAccount, product: Product, kind: str,
              amount: Decimal) -> PendingOperation:
    at = timezone.now()
    buy_check(customer=user.customer, payer=payer, product=product, kind=kind, amount=amount,
              at=at)
    trade_date = order_trade_date(product, kind, at)
    rate = (product.subscribe_fee_rate if kind == OrderKind.SUBSCRIBE
            else product.purchase_fee_rate)
    # 交易类型 is the operation's title (理财产品申购…), shown once by the confirmation page.
    summary = [("产品", f"{product.code} {product.name}"),
               ("产品风险等级", product.get_risk_level_display()),
               ("资金账户", account_label(payer)),
               (f"{OrderKind(kind).label}费率", f"{rate:.2f}%"),
               ("交易日", f"{trade_date:%Y-%m-%d}" + _AT_CONFIRM_NOTE),
               ("预计确认日", f"{expected_confirm_date(product, kind, trade_date):%Y-%m-%d}"),
               ("提示", "确认后购买金额将在资金账户中冻结，份额以产品确认为准")]
    return operation_start(
        user=user, kind=KIND_BY_ORDER[kind],
        payload={"product": product.pk, "payer": payer.pk, "amount": f"{amount:.2f}"},
        summary=summary, medium=payer.medium,
        back_url=reverse("wealth:buy", kwargs={"pk": product.pk}))


def redeem_check(*, account, shares: Decimal, payee: SubAccount, at=None) -> None:
    at = at or timezone.now()
    refusal = payer_refusal(payee)
    if refusal:
        raise OrderRefused(refusal.replace("转出账户", "到账账户"))
    sale_window_check(account.product, OrderKind.REDEEM, at)
    redeem_shares_check(account.product, account.available, shares)


@transaction.atomic(durable=True)
def redeem_start(*, user, account, shares: Decimal, payee: SubAccount) -> PendingOperation:
    at = timezone.now()
    product = account.product
    redeem_check(account=account, shares=shares, payee=payee, at=at)
    trade_date = trade_date_for(at)
    nav = nav_latest(product)
    summary = [("产品", f"{product.code} {product.name}"),
               ("赎回份额", f"{shares:,.4f}份"), ("到账账户", account_label(payee)),
               ("赎回费率", f"{product.redeem_fee_rate:.2f}%"),
               ("交易日", f"{trade_date:%Y-%m-%d}" + _AT_CONFIRM_NOTE),
               ("预计确认日", f"{confirm_date_for(trade_date):%Y-%m-%d}")]
    estimate = redeem_estimate(product, shares, nav)
    if estimate is not None:
        summary.append(("预估到账金额", f"{format_cny(estimate[2])}（按{nav.date:%Y-%m-%d}净值"
                                         f"{nav.nav}估算，以确认为准）"))
    return operation_start(
        user=user, kind=KIND_REDEEM,
        payload={"product": product.pk, "payee": payee.pk, "shares": f"{shares:.4f}"},
        summary=summary, medium=payee.medium,
        back_url=reverse("wealth:redeem", kwargs={"pk": product.pk}))


def order_lines(order: Order) -> list[list[str]]:
    lines = [["交易流水号", order.number], ["产品", f"{order.product.code} {order.product.name}"]]
    if order.amount is not None:
        lines.append(["金额", format_cny(order.amount)])
    if order.shares is not None:
        lines.append(["份额", f"{order.shares:,.4f}份"])
    lines += [["交易日", f"{order.trade_date:%Y-%m-%d}"],
              ["预计确认日", f"{expected_confirm_date(order.product, order.kind, order.trade_date):%Y-%m-%d}"]]
    if order.cancel_until is not None:
        until = timezone.localtime(order.cancel_until, SHANGHAI)
        lines.append(["可撤单截止", f"{until:%Y-%m-%d %H:%M}"])
    return lines


def order_execute(*, operation: PendingOperation) -> Order:
    """The executor's core: order_place with everything checked again, under this operation."""
    payload = operation.payload
    kind = ORDER_BY_KIND[operation.kind]
    customer = operation.user.customer
    try:
        product = Product.objects.exclude(kind=ProductKind.XJL).get(pk=payload["product"])
    except Product.DoesNotExist as exc:
        raise OrderRefused("该产品已停止网银销售") from exc
    sub_id = payload["payee"] if kind == OrderKind.REDEEM else payload["payer"]
    payer = (SubAccount.objects.select_related("medium", "ledger_account")
             .filter(pk=sub_id, medium__link__customer=customer).first())
    if payer is None:
        raise OrderRefused("资金账户不是您的关联账户")
    # order_place checks the account (payer_refusal) and hold_place the available balance.
    if kind == OrderKind.REDEEM:
        return order_place(customer=customer, payer=payer, product=product, kind=kind,
                           shares=Decimal(payload["shares"]), operation=operation)
    return order_place(customer=customer, payer=payer, product=product, kind=kind,
                       amount=Decimal(payload["amount"]), operation=operation)


def result_note(order: Order) -> str:
    if order.kind == OrderKind.REDEEM:
        return ("已受理，待确认：赎回份额已冻结，确认后赎回款转入到账账户；"
                "可在“理财交易撤单”中于截止时间前撤单。")
    return ("已受理，待确认：购买金额已在资金账户中冻结（尚未扣款），份额以确认为准；"
            "可在“理财交易撤单”中于截止时间前撤单。")
