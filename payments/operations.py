"""The X-CONFIRM kinds of payments (imported from PaymentsConfig.ready()).

* 自助缴费: one per bill kind (the manual's titles of the 确认页面), all executed by
  ``bills.services.bill_execute``; and the result page, read from the stored
  :class:`BillPayment` — 缴费成功 with its 回单, 处理中, or 缴费失败，款项已退回 with the reason.
* 网上支付 › 协议管理: 快捷支付限额修改, raising (a tool) and lowering.
"""

from ebank.core.money import format_cny
from payments.numbers import customer_no_label
from security.confirm.registry import (
    OperationOutcome,
    OutcomeTone,
    operation_kind,
    operation_result,
)
from security.models import PendingOperation

from .bills.selectors import payment_receipt_url
from .bills.services import (
    OPERATION_TITLES,
    TAX_NOTICE,
    bill_execute,
    operation_kind_for,
)
from .models import BillKind, BillPayment, BillPaymentStatus
from .quickpay.services import KIND_LIMIT_LOWER, KIND_LIMIT_RAISE, quickpay_limit_apply


def bill_outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    payment = (BillPayment.objects.filter(operation=operation)
               .select_related("biller", "sub_account__medium").first())
    if payment is None:
        return None  # refused at confirmation: the generic page says why
    # (交易类型, the operation's title — 代缴水费, 申报扣税 … — heads the page already.)
    lines = [("缴费流水号", payment.number), ("缴费单位", payment.biller.name), (customer_no_label(payment.kind), payment.customer_no),
             ("缴费账户", payment.sub_account.medium.masked_number),
             ("缴费金额", f"¥{payment.amount:,.2f}")]
    if payment.period:
        lines.append(("账期", payment.period))
    if payment.treasury_serial:
        lines.append(("国库申报序号", payment.treasury_serial))
    note, receipt = "", ""
    if payment.status == BillPaymentStatus.PAID:
        headline, tone = ("缴税成功" if payment.kind == BillKind.TAX else "缴费成功",
                          OutcomeTone.SUCCESS)
        if payment.biller_reference:
            lines.append(("缴费单位流水号", payment.biller_reference))
        note = TAX_NOTICE if payment.kind == BillKind.TAX else ""
        receipt = payment_receipt_url(payment)
    elif payment.status == BillPaymentStatus.REVERSED:
        headline, tone = (f"缴费失败，款项已退回：{payment.failure_reason}",
                          OutcomeTone.FAILURE)
        lines.append(("失败原因", payment.failure_reason))
        note = "缴费金额已退回您的缴费账户"
    else:
        headline, tone = "处理中", OutcomeTone.PENDING
        note = ("缴费单位尚未返回销账结果，我行将自动查询；未能缴纳的，款项将退回您的账户。"
                "请在“缴费记录查询”中查看结果，请勿重复缴费")
    status_label = payment.get_status_display()
    if payment.status == BillPaymentStatus.PAID and payment.kind == BillKind.TAX:
        status_label = "缴税成功"
    return OperationOutcome(headline=headline, tone=tone,
                            status_label=status_label, lines=lines, note=note,
                            receipt_url=receipt)


for _kind in BillKind.values:
    operation_kind(operation_kind_for(_kind), title=OPERATION_TITLES[_kind], requires_pin=True,
                   requires_tool=False, allow_sms=True)(bill_execute)
    operation_result(operation_kind_for(_kind))(bill_outcome)


# --- PAY-QUICKPAY 限额修改 -------------------------------------------------------------------------
# Raising either limit of a quick-pay agreement widens what a merchant may take without the
# customer: only a USBKey or token confirms it (as 安全中心 › 限额管理's raises). Lowering only
# narrows it: the account's 交易密码 with any method the customer may use (an SMS code when they
# hold no tool). Both ask for the 交易密码 of the agreement's account.


def _limit_result(agreement) -> dict:
    return {"message": (f"限额修改成功：单笔限额{format_cny(agreement.single_limit)}，"
                        f"日累计限额{format_cny(agreement.daily_limit)}"),
            "lines": [["协议号", agreement.number]]}


@operation_kind(KIND_LIMIT_RAISE, title="快捷支付限额修改（调高）", requires_pin=True,
                requires_tool=True, allow_sms=False)
def quickpay_limit_raise_execute(*, operation) -> dict:
    return _limit_result(quickpay_limit_apply(operation=operation))


@operation_kind(KIND_LIMIT_LOWER, title="快捷支付限额修改（调低）", requires_pin=True,
                requires_tool=False, allow_sms=True)
def quickpay_limit_lower_execute(*, operation) -> dict:
    return _limit_result(quickpay_limit_apply(operation=operation))
# --- end PAY-QUICKPAY ----------------------------------------------------------------------------
