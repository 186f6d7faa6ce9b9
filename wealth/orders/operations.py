"""The X-CONFIRM kinds of 理财产品认购 / 我的理财产品 (imported from WealthConfig.ready()).

The manual asks only for the 数字证书密码 ("系统提示输入数字证书密码"): a USBKey or digital token,
no 交易密码 and no SMS — as 积分礼品兑换 and 分期提前终止, whose manual pages say the same. The
result page reads the stored order: 已受理，待确认 (the money frozen, not taken), never 购买成功."""

from ebank.core.money import format_cny
from security.confirm.registry import (
    OperationOutcome,
    OutcomeTone,
    operation_kind,
    operation_result,
)
from security.models import PendingOperation

from ..models import Order, OrderStatus
from .services import (
    KIND_PURCHASE,
    KIND_REDEEM,
    KIND_SUBSCRIBE,
    order_execute,
    order_lines,
    result_note,
)


def _execute(*, operation: PendingOperation) -> dict:
    order = order_execute(operation=operation)
    return {"message": f"{order.get_kind_display()}已受理，待确认", "lines": order_lines(order)}


for _kind, _title in ((KIND_SUBSCRIBE, "理财产品认购"), (KIND_PURCHASE, "理财产品申购"),
                      (KIND_REDEEM, "理财产品赎回")):
    operation_kind(_kind, title=_title, requires_pin=False, requires_tool=True,
                   allow_sms=False)(_execute)


def _outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    order = Order.objects.select_related("product").filter(operation=operation).first()
    if order is None:
        return None   # refused or expired: the generic page says why
    if order.status == OrderStatus.PENDING:
        headline, tone = f"{order.get_kind_display()}已受理，待确认", OutcomeTone.PENDING
    elif order.status in (OrderStatus.CONFIRMED, OrderStatus.PAID):
        headline, tone = f"{order.get_kind_display()}已确认", OutcomeTone.SUCCESS
    elif order.status == OrderStatus.CANCELLED:
        headline, tone = "该笔交易已撤单", OutcomeTone.NEUTRAL
    else:
        headline = f"{order.get_kind_display()}失败：{order.failure_reason or '交易未成功'}"
        tone = OutcomeTone.FAILURE
    lines = [tuple(line) for line in order_lines(order)]
    if order.status in (OrderStatus.CONFIRMED, OrderStatus.PAID):
        if order.confirmed_shares is not None:
            lines.append(("确认份额", f"{order.confirmed_shares:,.4f}份"))
        if order.confirmed_amount is not None:
            lines.append(("确认金额", format_cny(order.confirmed_amount)))
    return OperationOutcome(
        headline=headline, tone=tone, status_label=order.get_status_display(), lines=lines,
        note=result_note(order) if order.status == OrderStatus.PENDING else "")


for _kind in (KIND_SUBSCRIBE, KIND_PURCHASE, KIND_REDEEM):
    operation_result(_kind)(_outcome)
