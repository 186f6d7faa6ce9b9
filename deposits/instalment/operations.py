"""X-CONFIRM kinds of 零存整取: 开户, 续存 (卡内 and 存折) and 支取 (security.confirm).

Like 整存整取's (deposits.operations): the manual's steps ask for the 交易密码 and the 数字证书密码,
so ``requires_pin=True, requires_tool=True`` and no SMS. ``*_start`` checks the rules (the
refusal shown on the form) and starts the confirmation; the executor checks again under the
deposit's lock and posts once under the operation's idempotency key.
"""

from django.db import transaction

from ebank.core.clock import business_day
from ebank.core.money import as_money, format_cny
from ebank.core.web import url_or_none
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..fixed import WITHDRAW_NOTE_2, WITHDRAW_NOTE_3, balance_of, masked_number
from ..operations import (
    account_text,
    confirmed_amount,
    confirmed_rate,
    receipt_url,
    withdraw_lines,
)
from ..rates import term_text
from . import services as svc

KIND_OPEN = "deposits.instalment_open"
KIND_TOP_UP = "deposits.instalment_top_up"
KIND_WITHDRAW = "deposits.instalment_withdraw"


def _rate(value) -> str:
    return f"{value:.2f}%"


# --- 开户 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def open_start(*, user, from_sub_account_id, term_months, amount) -> PendingOperation:
    on = business_day()
    plan = svc.open_check(customer=user.customer, from_sub_account_id=from_sub_account_id,
                          term_months=term_months, amount=amount, on=on)
    summary = [("转出账户", account_text(plan.source)),
               ("转入", "本卡零存整取（卡内活期转定期）"), ("储种", "零存整取"),
               ("操作类型", "开户"), ("存期", term_text(plan.term_months)),
               ("每月存额", format_cny(plan.monthly)), ("年利率", _rate(plan.rate.annual_rate)),
               ("提示", "本次存入为第1期；以后每月续存一次，金额与每月存额相同")]
    return operation_start(
        user=user, kind=KIND_OPEN,
        payload={"mode": "open", "from_sub_account": plan.source.pk,
                 "term_months": plan.term_months, "amount": f"{plan.monthly:.2f}",
                 "rate": f"{plan.rate.annual_rate}"},
        summary=summary, medium=plan.source.medium, back_url=url_or_none("deposits:instalment"))


@operation_kind(KIND_OPEN, title="零存整取开户", requires_pin=True, requires_tool=True,
                allow_sms=False)
def open_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    on = business_day()
    plan = svc.open_check(customer=operation.user.customer,
                          from_sub_account_id=payload["from_sub_account"],
                          term_months=payload["term_months"],
                          amount=as_money(payload["amount"]), on=on)
    confirmed_rate(payload, plan.rate)
    done = svc.open_post(user=operation.user, plan=plan,
                         idempotency_key=operation.idempotency_key, on=on)
    deposit = done.deposit
    return {
        "message": f"零存整取开户成功，第1期{format_cny(deposit.monthly_amount)}已存入",
        "receipt_url": receipt_url(done.receipt),
        "lines": [["零存整取账号", masked_number(deposit.sub_account)],
                  ["存期", term_text(deposit.term_months)],
                  ["每月存额", format_cny(deposit.monthly_amount)],
                  ["年利率", _rate(deposit.annual_rate)],
                  ["开户日", f"{deposit.opened_on:%Y-%m-%d}"],
                  ["到期日", f"{deposit.matures_on:%Y-%m-%d}"]],
    }


# --- 续存 (卡内 / 存折) ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def top_up_start(*, user, deposit_id, from_sub_account_id, amount,
                 passbook: bool) -> PendingOperation:
    plan = svc.top_up_check(customer=user.customer, deposit_id=deposit_id,
                            from_sub_account_id=from_sub_account_id, amount=amount,
                            on=business_day(), passbook=passbook)
    deposit = plan.deposit
    summary = [("转出账户", account_text(plan.source)),
               ("零存整取账号", f"{account_text(deposit.sub_account)} "
                           f"{masked_number(deposit.sub_account)}"),
               ("操作类型", "续存"), ("存期", term_text(deposit.term_months)),
               ("每月存额", format_cny(deposit.monthly_amount)),
               ("本次存入", f"第{plan.month}期{'（补存上月）' if plan.made_up else ''}"),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}")]
    return operation_start(
        user=user, kind=KIND_TOP_UP,
        payload={"mode": "top_up", "deposit": deposit.pk, "from_sub_account": plan.source.pk,
                 "amount": f"{deposit.monthly_amount:.2f}", "passbook": passbook},
        summary=summary, medium=plan.source.medium,
        back_url=url_or_none("deposits:instalment_book" if passbook else "deposits:instalment"))


@operation_kind(KIND_TOP_UP, title="零存整取续存", requires_pin=True, requires_tool=True,
                allow_sms=False)
def top_up_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    on = business_day()
    plan = svc.top_up_check(customer=operation.user.customer, deposit_id=payload["deposit"],
                            from_sub_account_id=payload["from_sub_account"],
                            amount=as_money(payload["amount"]), on=on,
                            passbook=bool(payload.get("passbook")), lock=True)
    done = svc.top_up_post(user=operation.user, plan=plan,
                           idempotency_key=operation.idempotency_key, on=on)
    deposit = done.deposit
    return {
        "message": f"零存整取续存成功，第{done.instalment.month}期"
                   f"{format_cny(done.instalment.amount)}已存入",
        "receipt_url": receipt_url(done.receipt),
        "lines": [["零存整取账号", masked_number(deposit.sub_account)],
                  ["已存期数", f"{deposit.instalments_made}/{deposit.term_months}期"],
                  ["存款余额", format_cny(balance_of(deposit.sub_account))],
                  ["到期日", f"{deposit.matures_on:%Y-%m-%d}"]],
    }


# --- 支取 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def withdraw_start(*, user, deposit_id) -> PendingOperation:
    """销户（提前全部支取）before maturity, 到期支取 at or after it (decided by the date)."""
    deposit = svc.deposit_for_customer(customer=user.customer, pk=deposit_id)
    on = business_day()
    balance = balance_of(deposit.sub_account)
    quote = svc.withdraw_quote(deposit=deposit, balance=balance, on=on)
    summary = [("零存整取账号", masked_number(deposit.sub_account)),
               ("存期", term_text(deposit.term_months)),
               ("每月存额", format_cny(deposit.monthly_amount)),
               ("已存期数", f"{deposit.instalments_made}/{deposit.term_months}期"),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}"),
               ("支取方式", quote.kind_label), ("支取本金", format_cny(balance)),
               ("预计利息", format_cny(quote.interest)),
               ("转入账户", account_text(deposit.interest_account))]
    if not quote.matured:
        summary.append(("提示", WITHDRAW_NOTE_2))
        if svc.close_warning(deposit, on):
            summary.append(("注意", WITHDRAW_NOTE_3))
    elif not quote.full_term:
        summary.append(("提示", "未按月足额存入或已违约，每笔存款按实际存期计息"))
    return operation_start(
        user=user, kind=KIND_WITHDRAW,
        payload={"deposit": deposit.pk, "amount": f"{balance:.2f}"},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=url_or_none("deposits:instalment_withdraw"))


@operation_kind(KIND_WITHDRAW, title="零存整取支取", requires_pin=True, requires_tool=True,
                allow_sms=False)
def withdraw_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    deposit = svc.deposit_for_customer(customer=operation.user.customer,
                                       pk=payload["deposit"], lock=True)
    confirmed_amount(payload, balance=balance_of(deposit.sub_account), whole=True)
    done = svc.withdraw_post(user=operation.user, deposit=deposit,
                             idempotency_key=operation.idempotency_key, on=business_day())
    quote = done.quote
    return {
        "message": f"{quote.kind_label}成功，本息{format_cny(quote.amount + quote.interest)}"
                   "已转入活期账户",
        "receipt_url": receipt_url(done.receipt or done.interest_receipt),
        "lines": withdraw_lines(quote, done.interest_receipt),
    }
