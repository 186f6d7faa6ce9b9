"""账户管理's X-CONFIRM kind (imported from CreditcardConfig.ready()): 信用卡信息维护."""

from security.confirm.registry import operation_kind
from security.models import PendingOperation

from .services import KIND_INFO_UPDATE, card_info_apply


@operation_kind(KIND_INFO_UPDATE, title="信用卡信息维护", requires_pin=True, requires_tool=False,
                allow_sms=True)
def card_info_update_execute(*, operation: PendingOperation) -> dict:
    card = card_info_apply(operation=operation)
    return {"message": "信用卡信息更新成功",
            "lines": [["信用卡卡号", card.medium.masked_number]]}
