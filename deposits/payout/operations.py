"""X-CONFIRM kind of 存本取息支取 (交易密码 + security tool, no SMS)."""

from django.db import transaction
from django.urls import reverse

from accounts.payers import receipt_url
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import as_money, format_cny
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..fixed import masked_number
from ..interest_account import account_label, deposit_of_customer
from ..models import Product
from ..rates import term_text
from . import services

KIND_PAYOUT_WITHDRAW = "deposits.payout_withdraw"
EARLY_NOTE = "到期日前提前支取按活期利率计息，已支付的利息高于活期利息的部分从本金中扣回"
CHANGED = "存款已付息或已到期，支取金额已变化，请重新办理支取"


def quote_lines(quote) -> list[tuple[str, str]]:
    lines = [("支取方式", quote.kind_label), ("本金", format_cny(quote.principal))]
    if quote.matured:
        if quote.unpaid:
            lines.append(("未付利息", format_cny(quote.unpaid)))
        if quote.overdue:
            lines.append(("逾期利息", format_cny(quote.overdue)))
    else:
        lines += [("存期天数", f"{quote.days}天"),
                  ("按活期计息", format_cny(quote.earned)),
                  ("利息扣回", format_cny(quote.clawback))]
        if quote.top_up:
            lines.append(("补付利息", format_cny(quote.top_up)))
    lines.append(("实转本金", format_cny(quote.returned)))
    return lines


@transaction.atomic(durable=True)
def payout_withdraw_start(*, user, deposit_id) -> PendingOperation:
    deposit = deposit_of_customer(customer=user.customer, product=Product.INTEREST_PAYOUT,
                                  pk=deposit_id)
    quote = services.payout_quote(deposit=deposit, on=business_day())
    summary = [("存本取息账号", masked_number(deposit.sub_account)),
               ("存期", term_text(deposit.term_months)),
               ("年利率", f"{deposit.annual_rate:.2f}%"),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}"),
               ("已付利息", format_cny(deposit.interest_paid)),
               *quote_lines(quote), ("本金转入", "本卡活期主账户"),
               ("利息转入", account_label(deposit.interest_account))]
    if not quote.matured:
        summary.append(("提示", EARLY_NOTE))
    return operation_start(
        user=user, kind=KIND_PAYOUT_WITHDRAW,
        payload={"deposit": deposit.pk, "paid": f"{deposit.interest_paid:.2f}",
                 "matured": quote.matured},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=reverse("deposits:payout_withdraw", args=[deposit.pk]))


@operation_kind(KIND_PAYOUT_WITHDRAW, title="存本取息支取", requires_pin=True, requires_tool=True,
                allow_sms=False)
def payout_withdraw_execute(*, operation: PendingOperation) -> dict:
    deposit = deposit_of_customer(customer=operation.user.customer,
                                  product=Product.INTEREST_PAYOUT,
                                  pk=operation.payload["deposit"], lock=True)
    # What the confirmation showed rests on the interest paid so far and on early / at maturity:
    # a payout posted by the nightly run, or maturity reached, since 提交 changes the clawback
    # and the lines — refused, to be done again on the new figures.
    matured = services.payout_quote(deposit=deposit, on=business_day()).matured
    if (as_money(operation.payload["paid"]) != deposit.interest_paid
            or operation.payload.get("matured", matured) != matured):
        raise BusinessError(CHANGED, code="deposit_changed")
    quote, receipt, _interest = services.payout_withdraw_post(
        user=operation.user, deposit=deposit, idempotency_key=operation.idempotency_key,
        on=business_day())
    return {"message": f"存本取息{quote.kind_label}成功，本金已转入本卡活期主账户",
            "receipt_url": receipt_url(receipt),
            "lines": [[label, value] for label, value in quote_lines(quote)]}
