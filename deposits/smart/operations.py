"""X-CONFIRM kinds of 智能存款: 悠悦宝购买, 悠悦宝支取 and 利先得支取 (security.confirm).

As 整存整取 (deposits.operations): the manual's steps ask for the 交易密码 and the 数字证书密码,
so ``requires_pin=True, requires_tool=True`` and no SMS. ``*_start`` checks the notes and starts
the confirmation; the executor checks again under the deposit's lock and posts once under the
operation's idempotency key.
"""

from decimal import Decimal

from django.db import transaction

from ebank.core.clock import business_day
from ebank.core.money import as_money, format_cny
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation

from .. import fixed
from ..models import MaturityOption
from ..operations import (
    account_text,
    confirmed_amount,
    confirmed_rate,
    early_notes,
    opened_result,
    receipt_url,
    url_or_none,
    withdrawn_result,
)
from ..rates import term_text
from . import lixiande, youyuebao

KIND_YYB_OPEN = "deposits.youyuebao_open"
KIND_YYB_WITHDRAW = "deposits.youyuebao_withdraw"
KIND_LXD_WITHDRAW = "deposits.lixiande_withdraw"


# --- 悠悦宝购买 -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def youyuebao_open_start(*, user, from_sub_account_id, fixed_book_id, amount: Decimal,
                         maturity_option: str) -> PendingOperation:
    plan = youyuebao.open_plan_check(customer=user.customer,
                                     from_sub_account_id=from_sub_account_id,
                                     fixed_book_id=fixed_book_id, amount=amount,
                                     maturity_option=maturity_option, on=business_day())
    into = ("本卡悠悦宝" if plan.target.pk == plan.source.medium_id
            else f"定期一本通 {plan.target.masked_number}")
    summary = [("转出账户", account_text(plan.source)), ("转入", into),
               ("储种", "悠悦宝（特色整存整取）"), ("存期", term_text(plan.term_months)),
               ("年利率", f"{plan.rate.annual_rate:.2f}%"),
               ("到期处理方式", MaturityOption(plan.option).label)]
    return operation_start(
        user=user, kind=KIND_YYB_OPEN,
        payload={"from_sub_account": plan.source.pk,
                 "fixed_book": plan.target.pk if plan.target.pk != plan.source.medium_id else None,
                 "amount": f"{plan.amount:.2f}", "maturity_option": plan.option,
                 "rate": f"{plan.rate.annual_rate}"},
        summary=summary, medium=plan.source.medium, back_url=url_or_none("deposits:youyuebao_open"))


@operation_kind(KIND_YYB_OPEN, title="悠悦宝购买", requires_pin=True, requires_tool=True,
                allow_sms=False)
def youyuebao_open_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    on = business_day()
    plan = youyuebao.open_plan_check(customer=operation.user.customer,
                                     from_sub_account_id=payload["from_sub_account"],
                                     fixed_book_id=payload.get("fixed_book"),
                                     amount=as_money(payload["amount"]),
                                     maturity_option=payload["maturity_option"], on=on)
    confirmed_rate(payload, plan.rate)
    opened = fixed.fixed_open_post(user=operation.user, plan=plan,
                                   idempotency_key=operation.idempotency_key, on=on)
    return opened_result(opened, message="悠悦宝购买成功，{}已存入悠悦宝",
                         number_label="悠悦宝账号")


# --- 悠悦宝支取 -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def youyuebao_withdraw_start(*, user, deposit_id, full: bool, amount: Decimal | None,
                             to_sub_account_id) -> PendingOperation:
    on = business_day()
    deposit, terms = youyuebao.deposit_for_customer(customer=user.customer, pk=deposit_id, on=on)
    to = youyuebao.target_account(customer=user.customer, sub_account_id=to_sub_account_id)
    quote = youyuebao.withdraw_quote(deposit=deposit, terms=terms, full=full, amount=amount,
                                     on=on)
    summary = [("悠悦宝账号", fixed.masked_number(deposit.sub_account)),
               ("年利率", f"{deposit.annual_rate:.2f}%"),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}"),
               ("支取方式", quote.kind_label), ("支取金额", format_cny(quote.amount)),
               ("预计利息", format_cny(quote.interest)), ("转入账户", account_text(to))]
    early_notes(summary, deposit=deposit, quote=quote, on=on)
    return operation_start(
        user=user, kind=KIND_YYB_WITHDRAW,
        payload={"deposit": deposit.pk, "amount": f"{quote.amount:.2f}", "full": quote.full,
                 "to": to.pk},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=url_or_none("deposits:youyuebao_withdraw"))


@operation_kind(KIND_YYB_WITHDRAW, title="悠悦宝支取", requires_pin=True, requires_tool=True,
                allow_sms=False)
def youyuebao_withdraw_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    customer, on = operation.user.customer, business_day()
    deposit, terms = youyuebao.deposit_for_customer(customer=customer, pk=payload["deposit"],
                                                    on=on, lock=True)
    to = youyuebao.target_account(customer=customer, sub_account_id=payload["to"])
    balance = fixed.balance_of(deposit.sub_account)
    amount = confirmed_amount(payload, balance=balance)
    done = youyuebao.withdraw_post(user=operation.user, deposit=deposit, terms=terms, to=to,
                                   amount=amount, idempotency_key=operation.idempotency_key,
                                   on=on)
    return withdrawn_result(done, balance=balance, prefix="悠悦宝",
                            to_line=["转入账户", account_text(to)])


# --- 利先得支取 -----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def lixiande_withdraw_start(*, user, deposit_id) -> PendingOperation:
    on = business_day()
    deposit = lixiande.deposit_for_customer(customer=user.customer, pk=deposit_id)
    quote = lixiande.withdraw_quote(deposit=deposit, balance=fixed.balance_of(
        deposit.sub_account), on=on)
    summary = [("利先得账号", fixed.masked_number(deposit.sub_account)),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}"),
               ("支取方式", quote.kind_label), ("本金", format_cny(quote.principal)),
               ("开户时已付利息", format_cny(deposit.interest_paid))]
    if quote.matured:
        summary.append(("逾期利息", format_cny(quote.overdue)))
    else:
        summary += [("利息扣回", format_cny(quote.clawback)), ("提示", lixiande.EARLY_NOTE)]
    summary += [("实际转入", format_cny(quote.returned)),
                ("转入账户", account_text(deposit.interest_account))]
    return operation_start(
        user=user, kind=KIND_LXD_WITHDRAW,
        payload={"deposit": deposit.pk, "principal": f"{quote.principal:.2f}"},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=url_or_none("deposits:lixiande_withdraw"))


@operation_kind(KIND_LXD_WITHDRAW, title="利先得支取", requires_pin=True, requires_tool=True,
                allow_sms=False)
def lixiande_withdraw_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    deposit = lixiande.deposit_for_customer(customer=operation.user.customer,
                                            pk=payload["deposit"], lock=True)
    confirmed_amount(payload, balance=fixed.balance_of(deposit.sub_account), key="principal",
                     whole=True)
    done = lixiande.withdraw_post(user=operation.user, deposit=deposit,
                                  idempotency_key=operation.idempotency_key, on=business_day())
    quote = done.quote
    lines = [["支取方式", quote.kind_label], ["本金", format_cny(quote.principal)]]
    if quote.clawback:
        lines.append(["利息扣回", format_cny(quote.clawback)])
    if done.clawback_receipt is not None:
        lines.append(["扣回回单", done.clawback_receipt.number])
    if quote.overdue:
        lines.append(["逾期利息", format_cny(quote.overdue)])
    if done.interest_receipt is not None:
        lines.append(["利息回单", done.interest_receipt.number])
    return {
        "message": f"利先得{quote.kind_label}成功，{format_cny(quote.returned)}已转入活期账户",
        "receipt_url": receipt_url(done.receipt),
        "lines": lines,
    }
