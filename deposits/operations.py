"""X-CONFIRM kinds of 整存整取: 开户 and 支取 (security.confirm).

The manual's steps for 卡内活期转定期 / 卡内定期转活期 / 活期转定期一本通 / 定期一本通转活期 all say
"输入交易密码，选择安全认证方式……系统提示输入数字证书密码": the 交易密码 of the medium and a
security tool (USBKey 证书密码, or the digital token) — ``requires_pin=True, requires_tool=True``,
so SMS is not offered and a customer without a tool is told at 提交 to get one.

``*_start`` checks the notes (BusinessError in the manual's words, shown on the form) and starts
the confirmation; the executor checks again under the deposit's lock and posts once under the
operation's idempotency key.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.payers import receipt_url
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import as_money, format_cny
from ebank.core.web import url_or_none
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation

from . import fixed, plan_services
from .models import MaturityOption
from .rates import term_text

KIND_FIXED_OPEN = "deposits.fixed_open"
KIND_FIXED_WITHDRAW = "deposits.fixed_withdraw"
KIND_PLAN_CREATE = "deposits.plan_create"


def account_text(sub_account) -> str:
    return f"{sub_account.medium.get_kind_display()} {sub_account.medium.masked_number}"


def confirmed_amount(payload: dict, *, balance: Decimal, key: str = "amount",
                     whole: bool = False) -> Decimal:
    """The amount a 支取 confirmation showed (``payload[key]``). When it was the whole balance
    (a 全部支取, or ``whole`` for a product only taken out whole) and the deposit changed since
    提交 (another posting), refused: confirm only what the page showed."""
    amount = as_money(payload[key])
    if (whole or payload.get("full")) and amount != balance:
        raise BusinessError("存款余额已变化，请重新办理支取")
    return amount


RATE_CHANGED = "利率已调整，请重新办理"


def confirmed_rate(payload: dict, rate) -> None:
    """An opening keeps the rate the confirmation showed (``payload["rate"]``): when the rate in
    force at 确认 differs (a new row took effect since 提交, past midnight), refused."""
    if "rate" in payload and Decimal(payload["rate"]) != rate.annual_rate:
        raise BusinessError(RATE_CHANGED, code="rate_changed")


# --- 开户 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def fixed_open_start(*, user, from_sub_account_id, fixed_book_id, term_months, amount: Decimal,
                     maturity_option: str) -> PendingOperation:
    """整存整取开户 提交: the notes, the balance, the rate of today; then the confirmation."""
    plan = fixed.open_plan_check(customer=user.customer, from_sub_account_id=from_sub_account_id,
                                 fixed_book_id=fixed_book_id, term_months=term_months,
                                 amount=amount, maturity_option=maturity_option,
                                 on=business_day())
    into = ("本卡整存整取（卡内活期转定期）" if plan.target.pk == plan.source.medium_id
            else f"定期一本通 {plan.target.masked_number}（活期转定期一本通）")
    summary = [("转出账户", account_text(plan.source)), ("转入", into),
               ("储种", "整存整取"), ("存期", term_text(plan.term_months)),
               ("年利率", f"{plan.rate.annual_rate:.2f}%"),
               ("到期处理方式", MaturityOption(plan.option).label)]
    return operation_start(
        user=user, kind=KIND_FIXED_OPEN,
        payload={"from_sub_account": plan.source.pk,
                 "fixed_book": plan.target.pk if plan.target.pk != plan.source.medium_id else None,
                 "term_months": plan.term_months, "amount": f"{plan.amount:.2f}",
                 "maturity_option": plan.option, "rate": f"{plan.rate.annual_rate}"},
        summary=summary, medium=plan.source.medium, back_url=url_or_none("deposits:fixed_open"))


@operation_kind(KIND_FIXED_OPEN, title="整存整取开户", requires_pin=True, requires_tool=True,
                allow_sms=False)
def fixed_open_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    on = business_day()
    plan = fixed.open_plan_check(customer=operation.user.customer,
                                 from_sub_account_id=payload["from_sub_account"],
                                 fixed_book_id=payload.get("fixed_book"),
                                 term_months=payload["term_months"],
                                 amount=as_money(payload["amount"]),
                                 maturity_option=payload["maturity_option"], on=on)
    confirmed_rate(payload, plan.rate)
    opened = fixed.fixed_open_post(user=operation.user, plan=plan,
                                   idempotency_key=operation.idempotency_key, on=on)
    return opened_result(opened, message="整存整取开户成功，{}已存入定期账户",
                         number_label="定期账号")


def opened_result(opened: fixed.Opened, *, message: str, number_label: str) -> dict:
    """The result page of an opening (整存整取, 悠悦宝): ``message`` with the principal."""
    deposit = opened.deposit
    return {
        "message": message.format(format_cny(deposit.principal)),
        "receipt_url": receipt_url(opened.receipt),
        "lines": [[number_label, fixed.masked_number(deposit.sub_account)],
                  ["存期", term_text(deposit.term_months)],
                  ["年利率", f"{deposit.annual_rate:.2f}%"],
                  ["起息日", f"{deposit.value_date:%Y-%m-%d}"],
                  ["到期日", f"{deposit.matures_on:%Y-%m-%d}"],
                  ["到期处理方式", deposit.get_maturity_option_display()]],
    }


# --- 支取 -----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def fixed_withdraw_start(*, user, deposit_id, full: bool, amount: Decimal | None
                         ) -> PendingOperation:
    """定期支取 提交: 销户 / 部分提前支取 / 到期支取 (decided by the date), the notes, the
    interest as it would be posted today; then the confirmation."""
    deposit = fixed.deposit_for_customer(customer=user.customer, pk=deposit_id)
    balance = fixed.balance_of(deposit.sub_account)
    take = fixed.requested_amount(balance=balance, full=full, amount=amount)
    on = business_day()
    quote = fixed.withdraw_quote(deposit=deposit, balance=balance, amount=take, on=on)
    summary = [("定期账号", fixed.masked_number(deposit.sub_account)),
               ("存期", term_text(deposit.term_months)),
               ("年利率", f"{deposit.annual_rate:.2f}%"),
               ("到期日", f"{deposit.matures_on:%Y-%m-%d}"),
               ("支取方式", quote.kind_label),
               ("预计利息", format_cny(quote.interest)),
               ("转入账户", account_text(deposit.interest_account))]
    early_notes(summary, deposit=deposit, quote=quote, on=on)
    return operation_start(
        user=user, kind=KIND_FIXED_WITHDRAW,
        payload={"deposit": deposit.pk, "amount": f"{quote.amount:.2f}", "full": quote.full},
        summary=summary, medium=deposit.sub_account.medium,
        back_url=url_or_none("deposits:fixed_withdraw"))


@operation_kind(KIND_FIXED_WITHDRAW, title="定期支取", requires_pin=True, requires_tool=True,
                allow_sms=False)
def fixed_withdraw_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    deposit = fixed.deposit_for_customer(customer=operation.user.customer,
                                         pk=payload["deposit"], lock=True)
    balance = fixed.balance_of(deposit.sub_account)
    amount = confirmed_amount(payload, balance=balance)
    done = fixed.fixed_withdraw_post(user=operation.user, deposit=deposit, amount=amount,
                                     idempotency_key=operation.idempotency_key,
                                     on=business_day())
    return withdrawn_result(done, balance=balance)


def withdrawn_result(done: fixed.Withdrawn, *, balance, prefix: str = "",
                     to_line: list[str] | None = None) -> dict:
    """The result page of a withdrawal (整存整取, 悠悦宝): what was taken, its interest and
    receipts; ``balance`` before it (for 剩余本金)."""
    quote = done.quote
    return {
        "message": f"{prefix}{quote.kind_label}成功，本息"
                   f"{format_cny(quote.amount + quote.interest)}已转入活期账户",
        "receipt_url": receipt_url(done.receipt),
        "lines": withdraw_lines(quote, done.interest_receipt, to_line=to_line,
                                remaining=None if quote.full else balance - quote.amount),
    }


def withdraw_lines(quote: fixed.Quote, interest_receipt, remaining: Decimal | None = None,
                   to_line: list[str] | None = None) -> list[list[str]]:
    """The result page's lines of a 支取 (整存整取, 零存宝 …): kind, principal, interest (and
    the overdue part), what remains, the interest's own receipt."""
    lines = [["支取方式", quote.kind_label], ["支取本金", format_cny(quote.amount)],
             ["利息", format_cny(quote.interest)]]
    if quote.overdue:
        lines.append(["其中逾期利息", format_cny(quote.overdue)])
    if to_line:
        lines.append(to_line)
    if remaining is not None:
        lines.append(["剩余本金", format_cny(remaining)])
    if interest_receipt is not None:
        lines.append(["利息回单", interest_receipt.number])
    return lines


def early_notes(summary: list, *, deposit, quote: fixed.Quote, on) -> None:
    """The confirmation page's notes of an early withdrawal (notes 2 and 3 of 整存整取)."""
    if not quote.matured:
        summary.append(("提示", fixed.WITHDRAW_NOTE_2))
        if quote.full and (deposit.matures_on - on).days < fixed.CLOSE_WARNING_DAYS:
            summary.append(("注意", fixed.WITHDRAW_NOTE_3))


# --- 卡内预约转存 新增 --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def plan_create_start(*, user, medium_id, amount, term_months, frequency, run_day, starts_on,
                      ends_on) -> PendingOperation:
    """新增卡内预约转存 提交: the plan's rules; then the confirmation (交易密码 of the card and a
    security tool, like 整存整取开户: the plan will move the card's money without asking again)."""
    terms = plan_services.plan_check(customer=user.customer, medium_id=medium_id, amount=amount,
                                     term_months=term_months, frequency=frequency,
                                     run_day=run_day, starts_on=starts_on, ends_on=ends_on,
                                     on=business_day())
    summary = [("转出账户", f"借记卡 {terms.card.masked_number}（活期主账户）"),
               ("储种", "整存整取"), ("存期", term_text(terms.term_months)),
               ("到期处理方式", MaturityOption.ROLL_ALL.label),
               ("转存频率", plan_services.frequency_text(terms.frequency, terms.run_day)),
               ("开始日期", f"{terms.starts_on:%Y-%m-%d}"),
               ("结束日期", f"{terms.ends_on:%Y-%m-%d}" if terms.ends_on else "长期有效"),
               ("首次转存日", f"{terms.first_run_on:%Y-%m-%d}")]
    return operation_start(
        user=user, kind=KIND_PLAN_CREATE,
        payload={"medium": terms.card.pk, "amount": f"{terms.amount:.2f}",
                 "term_months": terms.term_months, "frequency": terms.frequency,
                 "run_day": terms.run_day, "starts_on": terms.starts_on.isoformat(),
                 "ends_on": terms.ends_on.isoformat() if terms.ends_on else None},
        summary=summary, medium=terms.card, back_url=url_or_none("deposits:plan_new"))


@operation_kind(KIND_PLAN_CREATE, title="卡内预约转存新增", requires_pin=True, requires_tool=True,
                allow_sms=False)
def plan_create_execute(*, operation: PendingOperation) -> dict:
    payload = operation.payload
    ends_on = payload.get("ends_on")
    terms = plan_services.plan_check(
        customer=operation.user.customer, medium_id=payload["medium"],
        amount=as_money(payload["amount"]), term_months=payload["term_months"],
        frequency=payload["frequency"], run_day=payload["run_day"],
        starts_on=date.fromisoformat(payload["starts_on"]),
        ends_on=date.fromisoformat(ends_on) if ends_on else None, on=business_day())
    plan = plan_services.plan_create_post(user=operation.user, terms=terms)
    return {
        "message": f"卡内预约转存设置成功，将于{plan.next_run_on:%Y-%m-%d}首次转存"
                   f"{format_cny(plan.amount)}",
        "receipt_url": "",
        "lines": [["借记卡", plan.medium.masked_number],
                  ["转存频率", plan_services.frequency_text(plan.frequency, plan.run_day)],
                  ["存期", term_text(plan.term_months)],
                  ["下次转存日", f"{plan.next_run_on:%Y-%m-%d}"]],
    }

