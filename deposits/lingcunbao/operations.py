"""X-CONFIRM kinds of 零存宝: 开户, 续存 and 支取 (security.confirm).

The manual's steps ("输入交易密码，选择安全认证方式……系统提示输入数字证书密码"): the card's
交易密码 and a security tool, no SMS. ``*_start`` checks the notes (BusinessError in the
manual's words, shown on the form) and starts the confirmation; the executor checks again under
the customer's (开户) or the deposit's (续存, 支取) row lock and posts once under the operation's
idempotency key.
"""

from django.db import transaction

from ebank.core.clock import business_day
from ebank.core.money import as_money, format_cny
from ebank.core.web import url_or_none
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation

from .. import fixed
from ..operations import (
    account_text,
    confirmed_amount,
    confirmed_rate,
    receipt_url,
    withdraw_lines,
)
from ..rates import term_text
from . import services

KIND_OPEN = "deposits.lcb_open"
KIND_TOP_UP = "deposits.lcb_top_up"
KIND_WITHDRAW = "deposits.lcb_withdraw"


def _deposit_lines(deposit) -> list[list[str]]:
    return [["零存宝账号", fixed.masked_number(deposit.sub_account)],
            ["存期", term_text(deposit.term_months)],
            ["年利率", f"{deposit.annual_rate:.2f}%"],
            ["到期日", f"{deposit.matures_on:%Y-%m-%d}"]]


# --- 开户 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def lcb_open_start(*, user, from_sub_account_id, amount) -> PendingOperation:
    plan = services.open_plan_check(customer=user.customer,
                                    from_sub_account_id=from_sub_account_id, amount=amount,
                                    on=business_day())
    summary = [("转出账户", account_text(plan.source)), ("储种", "零存宝"),
               ("存期", term_text(services.TERM_MONTHS)),
               ("年利率", f"{plan.rate.annual_rate:.2f}%"),
               ("每月累计限额", format_cny(services.monthly_cap_on(business_day())))]
    return operation_start(
        user=user, kind=KIND_OPEN,
        payload={"from_sub_account": plan.source.pk, "amount": f"{plan.amount:.2f}",
                 "rate": f"{plan.rate.annual_rate}"},
        summary=summary, medium=plan.source.medium,
        back_url=url_or_none("deposits:lcb_open"))


@operation_kind(KIND_OPEN, title="零存宝开户", requires_pin=True, requires_tool=True,
                allow_sms=False)
def lcb_open_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    on = business_day()
    plan = services.open_plan_check(customer=operation.user.customer,
                                    from_sub_account_id=payload["from_sub_account"],
                                    amount=as_money(payload["amount"]), on=on)
    confirmed_rate(payload, plan.rate)
    done = services.lcb_open_post(user=operation.user, plan=plan,
                                  idempotency_key=operation.idempotency_key, on=on)
    deposit = done.deposit
    return {
        "message": f"零存宝开户成功，{format_cny(done.amount)}已存入零存宝账户",
        "receipt_url": receipt_url(done.receipt),
        "lines": [*_deposit_lines(deposit), ["起息日", f"{deposit.value_date:%Y-%m-%d}"]],
    }


# --- 续存 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def lcb_top_up_start(*, user, deposit_id, from_sub_account_id, amount) -> PendingOperation:
    on = business_day()
    deposit = services.deposit_for_customer(customer=user.customer, pk=deposit_id)
    plan = services.top_up_check(customer=user.customer, deposit=deposit,
                                 from_sub_account_id=from_sub_account_id, amount=amount, on=on)
    done = services.month_total(deposit, on)
    summary = [("转出账户", account_text(plan.source)),
               ("零存宝账号", fixed.masked_number(deposit.sub_account)),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}"),
               ("本月已存", format_cny(done)),
               ("每月累计限额", format_cny(services.monthly_cap_on(on)))]
    return operation_start(
        user=user, kind=KIND_TOP_UP,
        payload={"deposit": deposit.pk, "from_sub_account": plan.source.pk,
                 "amount": f"{plan.amount:.2f}"},
        summary=summary, medium=plan.source.medium,
        back_url=url_or_none("deposits:lcb_open"))


@operation_kind(KIND_TOP_UP, title="零存宝续存", requires_pin=True, requires_tool=True,
                allow_sms=False)
def lcb_top_up_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    deposit = services.deposit_for_customer(customer=operation.user.customer,
                                            pk=payload["deposit"], lock=True)
    done = services.lcb_top_up_post(user=operation.user, deposit=deposit,
                                    from_sub_account_id=payload["from_sub_account"],
                                    amount=as_money(payload["amount"]),
                                    idempotency_key=operation.idempotency_key, on=business_day())
    return {
        "message": f"零存宝续存成功，{format_cny(done.amount)}已存入零存宝账户",
        "receipt_url": receipt_url(done.receipt),
        "lines": [*_deposit_lines(deposit), ["已存笔数", f"{deposit.instalments_made}笔"],
                  ["本月已存", format_cny(services.month_total(deposit, business_day()))]],
    }


# --- 支取 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def lcb_withdraw_start(*, user, deposit_id) -> PendingOperation:
    on = business_day()
    deposit = services.deposit_for_customer(customer=user.customer, pk=deposit_id)
    quote = services.withdraw_quote(deposit=deposit, on=on)
    summary = [("零存宝账号", fixed.masked_number(deposit.sub_account)),
               ("年利率", f"{deposit.annual_rate:.2f}%"),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}"),
               ("支取方式", quote.kind_label),
               ("支取本金", format_cny(quote.amount)),
               ("预计利息", format_cny(quote.interest)),
               ("转入账户", account_text(deposit.interest_account))]
    if not quote.matured:
        summary.append(("提示", "到期日前支取，每笔存款按支取日活期利率计息"))
    return operation_start(
        user=user, kind=KIND_WITHDRAW,
        payload={"deposit": deposit.pk, "amount": f"{quote.amount:.2f}"},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=url_or_none("deposits:lcb_withdraw"))


@operation_kind(KIND_WITHDRAW, title="零存宝支取", requires_pin=True, requires_tool=True,
                allow_sms=False)
def lcb_withdraw_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    deposit = services.deposit_for_customer(customer=operation.user.customer,
                                            pk=payload["deposit"], lock=True)
    confirmed_amount(payload, balance=fixed.balance_of(deposit.sub_account), whole=True)
    done = services.lcb_withdraw_post(user=operation.user, deposit=deposit,
                                      idempotency_key=operation.idempotency_key,
                                      on=business_day())
    quote = done.quote
    return {
        "message": f"零存宝支取成功，本息{format_cny(quote.amount + quote.interest)}已转入活期账户",
        "receipt_url": receipt_url(done.receipt),
        "lines": withdraw_lines(quote, done.interest_receipt),
    }
