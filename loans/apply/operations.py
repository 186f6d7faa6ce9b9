"""The X-CONFIRM kind of 个人贷款申请 (imported from LoansConfig.ready()): 交易密码 of the
还款账户's medium and the USBKey or 数字令牌; no SMS code (a loan needs a security tool)."""

from security.confirm.registry import operation_kind
from security.models import PendingOperation

from .services import KIND_APPLY, SUBMITTED_MESSAGE, application_file, application_lines


@operation_kind(KIND_APPLY, title="个人贷款申请", requires_pin=True, requires_tool=True,
                allow_sms=False)
def apply_execute(*, operation: PendingOperation) -> dict:
    application = application_file(operation=operation)
    return {"message": SUBMITTED_MESSAGE,
            "lines": [*application_lines(application), ["状态", application.get_status_display()]]}
