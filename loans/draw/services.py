"""个人贷款发放 (LN-DRAW): a drawdown within an approval, its 电子借据 shown in full, then X-CONFIRM
(交易密码 and a USBKey or token); the executor checks everything again under the application's
lock and draws once (loans.book.loan_disburse, idempotency key from the operation).

One 借据 per drawdown: two partial draws of one approval are two 借据, each with its own
schedule from its own draw date.
"""

import hashlib
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.urls import reverse

from accounts.payers import payer_account_usable
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from security.confirm.services import operation_start
from security.models import PendingOperation

from ..book import application_lock, loan_disburse
from ..iou import IouDocument, draw_receipt_url, iou_preview, rate_text
from ..models import ApplicationStatus, Loan, LoanApplication

KIND_DRAW = "loans.draw"

NOT_APPROVED = "该笔贷款申请未获批准，不能发放"
EXPIRED = "该笔贷款已超过发放截止日，不能发放，请重新申请"
NOTHING_LEFT = "该笔贷款已全部发放"
TERMS_CHANGED = "电子借据要素已变化，请重新提交发放申请"
AGREE_REQUIRED = "请阅读并同意电子借据"


def draw_refusal(application: LoanApplication, today: date) -> str:
    """Why nothing may be drawn on ``application`` today ("" when something may)."""
    if application.status != ApplicationStatus.APPROVED:
        return NOT_APPROVED
    if application.valid_until is None or application.valid_until < today:
        return EXPIRED
    if application.available <= 0:
        return NOTHING_LEFT
    return ""


def draw_amount_check(application: LoanApplication, amount: Decimal) -> None:
    """发放金额: more than zero, within what is left, and at least the product's 最低金额 unless
    it is all that is left (a last remainder below it may still be drawn)."""
    available = application.available
    if amount <= 0:
        raise BusinessError("发放金额须大于零", code="amount")
    if amount > available:
        raise BusinessError(f"发放金额不能超过可发放金额{format_cny(available)}", code="amount")
    minimum = application.product.min_amount
    if amount < minimum and amount != available:
        raise BusinessError(f"发放金额不能低于{format_cny(minimum)}（可发放金额不足时须一次全部发放）",
                            code="amount")


def draw_preview(*, application: LoanApplication, amount: Decimal,
                 today: date | None = None) -> IouDocument:
    """The 借据 shown before confirming; refused in the customer's words when it cannot be."""
    today = today or business_day()
    refusal = draw_refusal(application, today)
    if refusal:
        raise BusinessError(refusal)
    draw_amount_check(application, amount)
    payer_account_usable(customer=application.customer,
                         sub_account_id=application.repayment_account_id, role="还款账户")
    return iou_preview(application=application, amount=amount, on=today)


def _digest(iou: IouDocument) -> str:
    return hashlib.sha256(iou.fingerprint().encode()).hexdigest()


@transaction.atomic(durable=True)
def draw_start(*, user, application: LoanApplication, amount: Decimal,
               tools=None) -> PendingOperation:
    """提交 after the 借据 was read and agreed to: check again, then the confirmation page."""
    iou = draw_preview(application=application, amount=amount)
    payload = {"application": application.pk, "amount": f"{amount:.2f}",
               "account": application.repayment_account_id,
               "draw_date": f"{iou.draw_date:%Y-%m-%d}", "annual_rate": f"{iou.annual_rate:.4f}",
               "months": iou.months, "method": application.method,
               "repayment_day": iou.repayment_day, "iou": _digest(iou)}
    summary = [*iou.elements(with_amount=False), ("还款期数", f"共{len(iou.rows)}期")]
    return operation_start(
        user=user, kind=KIND_DRAW, payload=payload, summary=summary,
        medium=application.repayment_account.medium, tools=tools,
        back_url=reverse("loans:draw_form", kwargs={"pk": application.pk}))


def draw_execute(*, operation: PendingOperation) -> dict:
    """Under the application's lock: still approved, not past 发放截止日, the amount still
    within what is left, the repayment account still usable, the 借据 the same as shown; then
    one drawdown (a retried execution posts nothing twice)."""
    p = operation.payload
    customer = operation.user.customer
    if not LoanApplication.objects.filter(pk=p["application"], customer=customer).exists():
        raise BusinessError("贷款申请不存在")
    application = application_lock(p["application"])
    today = business_day()
    refusal = draw_refusal(application, today)
    if refusal:
        raise BusinessError(refusal)
    amount = Decimal(p["amount"])
    draw_amount_check(application, amount)
    if application.repayment_account_id != p["account"]:
        raise BusinessError(TERMS_CHANGED)
    account = payer_account_usable(customer=customer, sub_account_id=p["account"],
                                   role="还款账户")
    iou = iou_preview(application=application, amount=amount, on=today)
    if (_digest(iou) != p["iou"] or f"{today:%Y-%m-%d}" != p["draw_date"]
            or f"{application.annual_rate:.4f}" != p["annual_rate"]):
        raise BusinessError(TERMS_CHANGED)
    loan = loan_disburse(application=application, amount=amount, on=today, actor=operation.user,
                         idempotency_key=operation.idempotency_key, account=account)
    return {"message": "放款成功", "loan": loan.pk, "lines": draw_lines(loan),
            "receipt_url": draw_receipt_url(loan)}


def draw_lines(loan: Loan) -> list[list[str]]:
    first = loan.instalments.filter(active=True).order_by("number").first()
    lines = [["借据号", loan.number], ["入账金额", format_cny(loan.amount)],
             ["入账账户", loan.repayment_account.medium.masked_number],
             ["执行年利率", rate_text(loan.annual_rate)], ["期限", f"{loan.months}个月"],
             ["到期日", f"{loan.maturity_date:%Y-%m-%d}"]]
    if first is not None:
        lines.append(["首期还款日与金额", f"{first.due_date:%Y-%m-%d} {format_cny(first.payment)}"])
    return lines
