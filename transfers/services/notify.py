"""SMS to the customer when a deferred transfer could not be executed (短信服务 subscribers).

Sent after the failure commits (``transaction.on_commit``), only when the paying sub-account has
an ACTIVE 短信服务 subscription: the customer chose to be told about that account by SMS. The
text names the account by its last four digits only, never the whole number.
"""


from django.conf import settings
from django.utils import timezone

from security.tools.services import subscriber_sms_send
from transfers.models import Transfer, TransferStatus

PURPOSE_TRANSFER_FAILED = "transfer_failed"


def transfer_failure_sms_text(*, transfer: Transfer) -> str:
    last4 = transfer.from_sub_account.medium.number[-4:]
    submitted = timezone.localtime(transfer.submitted_at)
    return (f"【{settings.BANK_NAME}】您尾号{last4}的账户于{submitted:%m月%d日%H:%M}提交的"
            f"{transfer.get_kind_display()}{transfer.amount:,.2f}元未能执行，"
            f"原因：{transfer.failure_reason}。资金未扣划，详情请登录网上银行查询。")


def transfer_failure_sms_send(*, transfer_id: int) -> bool:
    """Text the subscriber of the paying account about a FAILED transfer; True when sent.

    Runs after commit: an SMS gateway outage is logged and does not undo the recorded failure
    (the customer still sees the reason in 网银转账查询).
    """
    transfer = (Transfer.objects.select_related("from_sub_account__medium")
                .filter(pk=transfer_id, status=TransferStatus.FAILED).first())
    if transfer is None:
        return False
    return subscriber_sms_send(sub_account_id=transfer.from_sub_account_id,
                               text=lambda: transfer_failure_sms_text(transfer=transfer),
                               purpose=PURPOSE_TRANSFER_FAILED, reference=transfer.number)
