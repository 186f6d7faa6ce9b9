"""X-CONFIRM kinds of 通知存款 and 活期宝: 开户, 支取通知, 支取, 活期宝解约 (security.confirm).

As 整存整取's (deposits/operations.py): the manual's steps ask for the 交易密码 and the 数字证书密码
— ``requires_pin=True, requires_tool=True``, no SMS. ``*_start`` checks the notes (BusinessError
in the manual's words, shown on the form) and starts the confirmation; the executor checks again
under the row lock and posts once under the operation's idempotency key.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.payers import receipt_url
from ebank.core.clock import business_day
from ebank.core.money import as_money, format_cny
from ebank.core.web import url_or_none
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation

from .. import fixed
from ..models import Product
from ..operations import account_text, confirmed_amount
from . import services, sweep

KIND_NOTICE_OPEN = "deposits.notice_open"
KIND_NOTICE_GIVE = "deposits.notice_give"
KIND_NOTICE_WITHDRAW = "deposits.notice_withdraw"
KIND_HQB_TERMINATE = "deposits.hqb_terminate"

RATE_NOTE = "利随本清，按支取日挂牌利率计息；开户日利率仅供参考"


# --- 开户 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def notice_open_start(*, user, from_sub_account_id, product, amount: Decimal) -> PendingOperation:
    plan = services.open_check(customer=user.customer, from_sub_account_id=from_sub_account_id,
                               product=product, amount=amount, on=business_day())
    summary = [("转出账户", account_text(plan.source)), ("转入", "本卡通知存款"),
               ("储种", Product(plan.product).label),
               ("今日年利率", f"{plan.rate.annual_rate:.2f}%"), ("计息方式", RATE_NOTE)]
    return operation_start(
        user=user, kind=KIND_NOTICE_OPEN,
        payload={"from_sub_account": plan.source.pk, "product": plan.product,
                 "amount": f"{plan.amount:.2f}"},
        summary=summary, medium=plan.source.medium, back_url=url_or_none("deposits:notice_open"))


@operation_kind(KIND_NOTICE_OPEN, title="通知存款开户", requires_pin=True, requires_tool=True,
                allow_sms=False)
def notice_open_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    on = business_day()
    plan = services.open_check(customer=operation.user.customer,
                               from_sub_account_id=payload["from_sub_account"],
                               product=payload["product"], amount=as_money(payload["amount"]),
                               on=on)
    opened = services.notice_open_post(user=operation.user, plan=plan,
                                       idempotency_key=operation.idempotency_key, on=on)
    deposit = opened.deposit
    return {
        "message": f"通知存款开户成功，{format_cny(deposit.principal)}已存入"
                   f"{deposit.get_product_display()}",
        "receipt_url": receipt_url(opened.receipt),
        "lines": [["通知存款账号", fixed.masked_number(deposit.sub_account)],
                  ["储种", deposit.get_product_display()],
                  ["开户日年利率", f"{deposit.annual_rate:.2f}%（仅供参考）"],
                  ["起息日", f"{deposit.value_date:%Y-%m-%d}"],
                  ["计息方式", RATE_NOTE]],
    }


# --- 支取通知 -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def notice_give_start(*, user, deposit_id, amount, withdraw_on: date | None) -> PendingOperation:
    deposit = services.deposit_for_customer(customer=user.customer, pk=deposit_id)
    amount = services.notice_check(deposit=deposit, balance=fixed.balance_of(deposit.sub_account),
                                   amount=amount, withdraw_on=withdraw_on, on=business_day())
    summary = [("通知存款账号", fixed.masked_number(deposit.sub_account)),
               ("储种", deposit.get_product_display()),
               ("通知支取金额", format_cny(amount)),
               ("预约支取日", f"{withdraw_on:%Y-%m-%d}"),
               ("提示", "预约支取日当日或以后支取，通知金额以内按支取日通知存款利率计息；"
                      "提前支取或超过通知金额的部分按活期利率计息")]
    return operation_start(
        user=user, kind=KIND_NOTICE_GIVE,
        payload={"deposit": deposit.pk, "amount": f"{amount:.2f}",
                 "withdraw_on": withdraw_on.isoformat()},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=url_or_none("deposits:notice_withdraw"))


@operation_kind(KIND_NOTICE_GIVE, title="通知存款支取通知", requires_pin=True, requires_tool=True,
                allow_sms=False)
def notice_give_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    on = business_day()
    deposit = services.deposit_for_customer(customer=operation.user.customer,
                                            pk=payload["deposit"], lock=True)
    withdraw_on = date.fromisoformat(payload["withdraw_on"])
    amount = services.notice_check(deposit=deposit, balance=fixed.balance_of(deposit.sub_account),
                                   amount=as_money(payload["amount"]), withdraw_on=withdraw_on,
                                   on=on)
    services.notice_give_post(user=operation.user, deposit=deposit, amount=amount,
                              withdraw_on=withdraw_on, on=on)
    return {
        "message": f"支取通知已登记：{withdraw_on:%Y-%m-%d}起可支取{format_cny(amount)}",
        "receipt_url": "",
        "lines": [["通知存款账号", fixed.masked_number(deposit.sub_account)],
                  ["通知日期", f"{on:%Y-%m-%d}"], ["预约支取日", f"{withdraw_on:%Y-%m-%d}"],
                  ["通知支取金额", format_cny(amount)]],
    }


# --- 支取 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def notice_withdraw_start(*, user, deposit_id, full: bool, amount) -> PendingOperation:
    deposit = services.deposit_for_customer(customer=user.customer, pk=deposit_id)
    balance = fixed.balance_of(deposit.sub_account)
    take = fixed.requested_amount(balance=balance, full=full, amount=amount)
    quote = services.withdraw_quote(deposit=deposit, balance=balance, amount=take,
                                    on=business_day())
    summary = [("通知存款账号", fixed.masked_number(deposit.sub_account)),
               ("储种", deposit.get_product_display()),
               ("支取方式", quote.kind_label),
               ("按通知利率计息金额", format_cny(quote.noticed)),
               ("预计利息", format_cny(quote.interest)),
               ("转入账户", account_text(deposit.interest_account))]
    if quote.noticed < quote.amount:
        summary.append(("提示", services.WITHDRAW_NOTE_2))
    return operation_start(
        user=user, kind=KIND_NOTICE_WITHDRAW,
        payload={"deposit": deposit.pk, "amount": f"{quote.amount:.2f}", "full": quote.full},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=url_or_none("deposits:notice_withdraw"))


@operation_kind(KIND_NOTICE_WITHDRAW, title="通知存款支取", requires_pin=True, requires_tool=True,
                allow_sms=False)
def notice_withdraw_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    deposit = services.deposit_for_customer(customer=operation.user.customer,
                                            pk=payload["deposit"], lock=True)
    balance = fixed.balance_of(deposit.sub_account)
    amount = confirmed_amount(payload, balance=balance)
    done = services.notice_withdraw_post(user=operation.user, deposit=deposit, amount=amount,
                                         idempotency_key=operation.idempotency_key,
                                         on=business_day())
    quote = done.quote
    lines = [["支取方式", quote.kind_label], ["支取本金", format_cny(quote.amount)],
             ["利息", format_cny(quote.interest)]]
    if quote.noticed_interest:
        lines.append(["其中通知利率利息",
                      f"{format_cny(quote.noticed_interest)}（年利率{quote.notice_rate:.2f}%）"])
    if quote.current_interest:
        lines.append(["其中活期利率利息",
                      f"{format_cny(quote.current_interest)}（年利率{quote.current_rate:.2f}%）"])
    if not quote.full:
        lines.append(["剩余本金", format_cny(balance - quote.amount)])
    lines += [["利息回单", receipt.number] for receipt in done.interest_receipts]
    return {
        "message": f"通知存款{quote.kind_label}成功，本息{format_cny(quote.amount + quote.interest)}"
                   "已转入活期账户",
        "receipt_url": receipt_url(done.receipt),
        "lines": lines,
    }


# --- 活期宝解约 ------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def hqb_terminate_start(*, user, agreement_id) -> PendingOperation:
    agreement = sweep.agreement_for_customer(customer=user.customer, pk=agreement_id)
    view = sweep.agreement_view(agreement, business_day())
    summary = [("借记卡", agreement.medium.masked_number),
               ("留存金额", format_cny(agreement.threshold)),
               ("已归集金额", format_cny(view.swept)),
               ("预计利息", format_cny(view.interest)),
               ("提示", "解约后归集资金连同利息立即转回活期主账户")]
    return operation_start(
        user=user, kind=KIND_HQB_TERMINATE, payload={"agreement": agreement.pk},
        summary=summary, medium=agreement.medium, back_url=url_or_none("deposits:hqb"))


@operation_kind(KIND_HQB_TERMINATE, title="活期宝解约", requires_pin=True, requires_tool=True,
                allow_sms=False)
def hqb_terminate_execute(*, operation: PendingOperation) -> dict:
    agreement = sweep.agreement_for_customer(customer=operation.user.customer,
                                             pk=operation.payload["agreement"], lock=True)
    done = sweep.agreement_terminate_post(user=operation.user, agreement=agreement,
                                          idempotency_key=operation.idempotency_key,
                                          on=business_day())
    return {
        "message": f"活期宝解约成功，本息{format_cny(done.principal + done.interest)}已转入活期主账户",
        "receipt_url": receipt_url(done.receipt),
        "lines": [["借记卡", agreement.medium.masked_number],
                  ["转回本金", format_cny(done.principal)], ["利息", format_cny(done.interest)]],
    }
