"""The X-CONFIRM kind of 个人贷款发放 (imported from LoansConfig.ready()).

The 电子借据 is confirmed with the 交易密码 of the repayment account and a USBKey or digital token
(DOMAIN-RULES §4: "交易密码 + tool"); no SMS. The result page reads the 借据 the drawdown made:
放款成功, its number, what reached the account, the 电子回单 and the 借据's 还款计划."""

from django.urls import reverse

from security.confirm.registry import (
    OperationOutcome,
    OutcomeTone,
    operation_kind,
    operation_result,
)
from security.models import OperationStatus, PendingOperation

from ..iou import draw_receipt_url
from ..models import Loan
from .services import KIND_DRAW, draw_execute, draw_lines

operation_kind(KIND_DRAW, title="个人贷款发放", requires_pin=True, requires_tool=True,
               allow_sms=False)(draw_execute)


@operation_result(KIND_DRAW)
def draw_outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    if operation.status != OperationStatus.EXECUTED or not operation.result.get("loan"):
        return None   # refused or expired: the generic page says why
    loan = (Loan.objects.select_related("repayment_account__medium")
            .filter(pk=operation.result["loan"], customer_id=operation.user.customer_id).first())
    if loan is None:
        return None
    return OperationOutcome(
        headline="放款成功", tone=OutcomeTone.SUCCESS, status_label="放款成功",
        lines=[tuple(line) for line in draw_lines(loan)],
        note="贷款已发放至还款账户，请按还款计划在每月还款日前存足款项，到期将自动扣款。",
        receipt_url=draw_receipt_url(loan),
        links=(("查看还款计划", reverse("loans:detail", kwargs={"pk": loan.pk})),))
