"""个人贷款还款 (LN-REPAY): the customer repays one of their 借据 from one of their own 活期主账户.

1. **Prepare** (:func:`repay_prepare`, the page's 试算 and 提交): the 还款类型 —
   归还到期款项 (what is due now, overdue periods with 罚息/复利 first; any amount up to it),
   部分提前还款 (a principal amount and 还款方式: 期限不变，减少月供 / 月供不变，缩短期限) or
   全部提前还款 — the 扣款账户 (``accounts.payers``) and the balance. A prepayment is quoted
   (``book.prepay_quote``: 当日到期款项先行归还, 提前还款本金, its interest by days, the new
   schedule) and shown in full before it can be submitted: 提交 carries the digest of the quote
   the page showed, and a quote that changed since is shown again instead of being confirmed.
2. **Start** (:func:`repay_start`): X-CONFIRM kind ``loans.repay`` with every figure in the
   summary, the 交易密码 of the paying account (SMS for a customer without a tool, as 信用卡还款).
3. **Execute** (:func:`repay_execute`, the confirmation's transaction): the 借据 under its lock,
   what is due / the quote read again — anything changed since 提交 (the nightly deduction, a
   payment in another tab, a day gone by) is refused with ``book.CHANGED`` and nothing posted —
   the account usable, then ``book.dues_pay`` or ``book.prepay_apply`` under the operation's
   idempotency key. 余额不足 refuses with nothing written.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.urls import reverse

from accounts.models import Receipt, SubAccount
from accounts.payers import account_label, payer_account_usable, receipt_url
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError, InsufficientFunds
from ebank.core.money import as_money, format_cny, parse_amount_named
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools.alerts import sms_balance_alerts_send

from .. import schedule as sched
from ..book import (
    CHANGED,
    PrepayQuote,
    Split,
    allocate,
    dues_pay,
    instalments_due,
    instalments_open,
    loan_lock,
    owed_split,
    prepay_apply,
    prepay_quote,
)
from ..models import Loan, LoanStatus, Repayment, RepaymentKind

KIND_REPAY = "loans.repay"
ROLE = "扣款账户"
INSUFFICIENT = "账户可用余额不足"
NOTHING_DUE = "该笔贷款当前没有到期应还款项，如需提前归还请选择部分提前还款或全部提前还款"
SETTLED = "该笔贷款已结清"
LOAN_UNKNOWN = "借据不存在"
QUOTE_FIRST = "请核对提前还款试算结果后提交"

# The 还款类型 a customer may choose (the nightly 到期自动扣款 is not one).
KIND_CHOICES = [(RepaymentKind.INSTALMENT.value, RepaymentKind.INSTALMENT.label),
                (RepaymentKind.PARTIAL.value, RepaymentKind.PARTIAL.label),
                (RepaymentKind.FULL.value, RepaymentKind.FULL.label)]
MODE_CHOICES = list(sched.PrepayMode.LABELS.items())


@dataclass
class RepayPlan:
    """What a repayment on ``on`` would pay, as the page shows it before 提交."""

    loan: Loan
    kind: str
    account: SubAccount
    on: date
    due: Split                         # 到期应还 now
    paying: Split                      # 归还到期款项: how the amount is applied
    quote: PrepayQuote | None = None   # 部分/全部提前还款

    @property
    def total(self) -> Decimal:
        return self.quote.total if self.quote is not None else self.paying.total

    @property
    def fingerprint(self) -> list[str]:
        """What must not change between 提交 and 确认."""
        if self.quote is not None:
            return self.quote.fingerprint()
        return [str(self.due.total), str(self.paying.total)]

    @property
    def digest(self) -> str:
        """The quote the page showed (提交 of a prepayment must carry it)."""
        text = "|".join([self.kind, self.on.isoformat(), str(self.account.pk), *self.fingerprint])
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def principal_after(self) -> Decimal:
        """剩余本金 after this payment."""
        if self.quote is not None:
            return self.loan.principal_owed - self.quote.dues.principal - self.quote.prepaid
        return self.loan.principal_owed - self.paying.principal


def loan_of(customer, loan_id) -> Loan:
    """The customer's 借据 as a refusal inside a service (the pages use selectors.loan_get)."""
    try:
        return Loan.objects.select_related("product").get(pk=int(loan_id), customer=customer)
    except (Loan.DoesNotExist, TypeError, ValueError):
        raise BusinessError(LOAN_UNKNOWN, code="loan") from None


def repay_prepare(*, customer, loan: Loan, kind: str, sub_account_id, amount=None, prepaid=None,
                  mode: str = "", on: date | None = None) -> RepayPlan:
    """Check what the customer chose and what it costs (BusinessError with the field's code:
    kind, amount, prepaid, mode, account, insufficient_funds); nothing is written."""
    on = on or business_day()
    if loan.status == LoanStatus.SETTLED:
        raise BusinessError(SETTLED, code="kind")
    if kind not in dict(KIND_CHOICES):
        raise BusinessError("请选择还款类型", code="kind")
    due_rows = instalments_due(loan, on)
    due = owed_split(due_rows)
    paying = Split()
    quote = None
    if kind == RepaymentKind.INSTALMENT:
        if due.total <= 0:
            raise BusinessError(NOTHING_DUE, code="kind")
        value = parse_amount_named(amount, label="还款金额")
        if value > due.total:
            raise BusinessError(f"还款金额不能超过到期应还金额{format_cny(due.total)}",
                                code="amount")
        for _row, piece in allocate(due_rows, value):
            paying += piece
    elif kind == RepaymentKind.PARTIAL:
        try:
            value = parse_amount_named(prepaid, label="提前还款本金")
        except BusinessError as exc:
            raise BusinessError(exc.message, code="prepaid") from None
        if mode not in sched.PrepayMode.LABELS:
            raise BusinessError("请选择提前还款方式", code="mode")
        try:
            quote = prepay_quote(loan=loan, on=on, prepaid=value, mode=mode)
        except BusinessError as exc:
            raise BusinessError(exc.message, code="prepaid" if exc.code == "amount"
                                else exc.code) from None
    else:
        quote = prepay_quote(loan=loan, on=on, prepaid=None, mode="")
    account = payer_account_usable(customer=customer, sub_account_id=sub_account_id, role=ROLE)
    plan = RepayPlan(loan=loan, kind=kind, account=account, on=on, due=due, paying=paying,
                     quote=quote)
    available = account.ledger_account.available
    if available < plan.total:
        raise BusinessError(f"{INSUFFICIENT}（可用余额{format_cny(available)}）",
                            code="insufficient_funds")
    return plan


def monthly_payment(rows):
    """The 月供 of a schedule: its first period's, unless that one differs from the even ones
    after it (a first period counted by days): then theirs."""
    middle = rows[1:-1]
    if middle and len({row.payment for row in middle}) == 1:
        return middle[0].payment
    return rows[0].payment


def schedule_words(rows) -> str:
    """A new schedule in one line: 第7期至第12期共6期，月供¥5,128.30（末期¥5,128.33）; with a
    first period by days: 第1期至第12期共12期，首期¥6,893.38，此后月供¥6,797.38（末期¥6,797.40）."""
    if not rows:
        return ""
    first, last = rows[0], rows[-1]
    span = (f"第{first.number}期" if first is last
            else f"第{first.number}期至第{last.number}期共{len(rows)}期")
    monthly = monthly_payment(rows)
    if first.payment != monthly:
        words = f"{span}，首期{format_cny(first.payment)}，此后月供{format_cny(monthly)}"
    else:
        words = f"{span}，月供{format_cny(monthly)}"
    if last is not first and last.payment != monthly:
        words += f"（末期{format_cny(last.payment)}）"
    return words


def _split_lines(split: Split, prefix: str) -> list[tuple[str, str]]:
    lines = [(f"{prefix}本金", format_cny(split.principal)),
             (f"{prefix}利息", format_cny(split.interest))]
    if split.penalty:
        lines.append((f"{prefix}罚息", format_cny(split.penalty)))
    if split.compound:
        lines.append((f"{prefix}复利", format_cny(split.compound)))
    return lines


def plan_summary(plan: RepayPlan) -> list[tuple[str, str]]:
    """Every figure of the plan, for the confirmation (the amount itself the page prints)."""
    loan = plan.loan
    lines = [("借据号", loan.number), ("贷款产品", loan.product.name),
             ("还款类型", RepaymentKind(plan.kind).label), ("扣款账户", account_label(plan.account)),
             ("剩余本金", format_cny(loan.principal_owed))]
    if plan.quote is None:
        lines.append(("到期应还", format_cny(plan.due.total)))
        lines += _split_lines(plan.paying, "本次归还")
    else:
        quote = plan.quote
        lines += [("当日到期款项先行归还", format_cny(quote.dues.total)),
                  ("提前还款本金", format_cny(quote.prepaid)),
                  (f"应付利息（{quote.accrued_days}天）", format_cny(quote.accrued))]
        if not quote.full:
            lines += [("提前还款方式", sched.PrepayMode.LABELS[quote.mode]),
                      ("新还款计划", schedule_words(quote.rows))]
    lines.append(("还款后剩余本金", format_cny(plan.principal_after)))
    return lines


@transaction.atomic(durable=True)
def repay_start(*, user: User, loan_id, kind: str, sub_account_id, amount=None, prepaid=None,
                mode: str = "", digest: str = "") -> PendingOperation:
    """提交: prepare again (a prepayment only with the digest of the quote shown, else
    ``CHANGED``) and start the confirmation; nothing is written when refused."""
    customer = user.customer
    loan = loan_of(customer, loan_id)
    plan = repay_prepare(customer=customer, loan=loan, kind=kind, sub_account_id=sub_account_id,
                         amount=amount, prepaid=prepaid, mode=mode)
    if plan.quote is not None and digest != plan.digest:
        raise BusinessError(CHANGED, code="quote")
    payload = {"loan": loan.pk, "kind": kind, "sub_account": plan.account.pk,
               "amount": f"{plan.total:.2f}", "on": plan.on.isoformat(),
               "fingerprint": plan.fingerprint}
    if kind == RepaymentKind.INSTALMENT:
        payload["paying"] = f"{plan.paying.total:.2f}"
    if kind == RepaymentKind.PARTIAL:
        payload.update(prepaid=f"{plan.quote.prepaid:.2f}", mode=mode)
    return operation_start(user=user, kind=KIND_REPAY, payload=payload,
                           summary=plan_summary(plan), medium=plan.account.medium,
                           back_url=reverse("loans:repay_form", args=[loan.pk]))


def detail_url(loan: Loan) -> str:
    """``loans:detail`` of the 借据 (个人贷款查询)."""
    return reverse("loans:detail", args=[loan.pk])


@operation_kind(KIND_REPAY, title="个人贷款还款", requires_pin=True, requires_tool=False,
                allow_sms=True)
def repay_execute(*, operation: PendingOperation) -> dict:
    """Post the repayment once, exactly as confirmed (else ``CHANGED``, nothing written)."""
    p = operation.payload
    customer = operation.user.customer
    loan = loan_lock(loan_of(customer, p["loan"]).pk)
    if loan.status == LoanStatus.SETTLED:
        raise BusinessError(SETTLED)
    account = payer_account_usable(customer=customer, sub_account_id=p["sub_account"], role=ROLE)
    on = business_day()
    kind = p["kind"]
    if on.isoformat() != p["on"]:
        raise BusinessError(CHANGED)
    key = operation.idempotency_key
    try:
        if kind == RepaymentKind.INSTALMENT:
            paying = as_money(p["paying"])
            due = owed_split(instalments_due(loan, on)).total
            if [str(due), str(paying)] != p["fingerprint"]:
                raise BusinessError(CHANGED)
            repayment = dues_pay(loan=loan, account=account, on=on, amount=paying,
                                 kind=RepaymentKind.INSTALMENT, idempotency_key=key,
                                 actor=operation.user)
        else:
            full = kind == RepaymentKind.FULL
            try:
                quote = prepay_quote(loan=loan, on=on,
                                     prepaid=None if full else as_money(p["prepaid"]),
                                     mode="" if full else p["mode"])
            except BusinessError:
                raise BusinessError(CHANGED) from None
            if quote.fingerprint() != p["fingerprint"]:
                raise BusinessError(CHANGED)
            repayment = prepay_apply(loan=loan, account=account, quote=quote,
                                     idempotency_key=key, actor=operation.user)
    except InsufficientFunds:
        raise BusinessError(INSUFFICIENT, code="insufficient_funds") from None
    transaction.on_commit(partial(sms_balance_alerts_send, entry_id=repayment.entry_id))
    return repay_result(loan, repayment)


def repay_result(loan: Loan, repayment: Repayment) -> dict:
    """The result page: 还款成功, the split, the 借据's 剩余本金 (and after a partial
    prepayment the new 月供/期数), the 电子回单 and the 借据."""
    loan.refresh_from_db()
    lines = [["还款金额", format_cny(repayment.amount)],
             ["归还本金", format_cny(repayment.principal)],
             ["归还利息", format_cny(repayment.interest)],
             ["归还罚息", format_cny(repayment.penalty)],
             ["归还复利", format_cny(repayment.compound)],
             ["当前剩余本金", format_cny(loan.principal_owed)],
             ["借据状态", loan.get_status_display()]]
    if repayment.kind == RepaymentKind.PARTIAL:
        rows = instalments_open(loan)
        lines += [["新月供", format_cny(monthly_payment(rows)) if rows else "—"],
                  ["剩余期数", f"{len(rows)}期"]]
    result = {"message": f"还款成功：借据{loan.number}已归还{format_cny(repayment.amount)}",
              "lines": lines,
              "receipt_url": receipt_url(Receipt.objects.filter(
                  number=repayment.receipt_number).first())}
    result["links"] = [["查看借据详情", detail_url(loan)]]
    return result
