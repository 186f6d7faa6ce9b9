"""The X-CONFIRM kinds of payments (imported from PaymentsConfig.ready()).

Each area appends its own block."""

from ebank.core.money import format_cny
from security.confirm.registry import operation_kind

# --- PAY-QUICKPAY 限额修改 -------------------------------------------------------------------------
# Raising either limit of a quick-pay agreement widens what a merchant may take without the
# customer: only a USBKey or token confirms it (as 安全中心 › 限额管理's raises). Lowering only
# narrows it: the account's 交易密码 with any method the customer may use (an SMS code when they
# hold no tool). Both ask for the 交易密码 of the agreement's account.
from .quickpay.services import KIND_LIMIT_LOWER, KIND_LIMIT_RAISE, quickpay_limit_apply


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
