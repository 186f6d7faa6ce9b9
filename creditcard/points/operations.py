"""积分礼品兑换's X-CONFIRM kind (imported from CreditcardConfig.ready()): the manual's 选择安全
认证方式 + 数字证书密码 — a USBKey or token only, no 交易密码 (points are not an account's money);
and its result page, read from the stored 兑换."""

from security.confirm.registry import (
    OperationOutcome,
    OutcomeTone,
    operation_kind,
    operation_result,
)
from security.models import PendingOperation

from ..models import Redemption
from .services import KIND_REDEEM, redemption_execute


@operation_kind(KIND_REDEEM, title="积分礼品兑换", requires_pin=False, requires_tool=True,
                allow_sms=False)
def redeem_execute(*, operation: PendingOperation) -> dict:
    redemption = redemption_execute(operation=operation)
    return {"message": f"兑换成功，兑换编号{redemption.number}",
            "lines": [["兑换编号", redemption.number]]}


@operation_result(KIND_REDEEM)
def redeem_outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    redemption = (Redemption.objects.filter(operation=operation).select_related("gift")
                  .first())
    if redemption is None:
        return None  # refused: the generic page says why
    return OperationOutcome(
        headline="兑换成功，礼品将寄往您填写的收件地址", tone=OutcomeTone.SUCCESS,
        status_label=redemption.get_status_display(),
        lines=[("兑换编号", redemption.number), ("礼品名称", redemption.gift.name),
               ("兑换数量", str(redemption.quantity)), ("消耗积分", f"{redemption.points}分"),
               ("收件人", redemption.recipient), ("联系电话", redemption.phone),
               ("收件地址", redemption.address), ("邮政编码", redemption.postcode),
               ("兑换日期", f"{redemption.redeemed_on:%Y-%m-%d}")],
        note="可在“积分兑换查询”中查看兑换记录及发货状态")
