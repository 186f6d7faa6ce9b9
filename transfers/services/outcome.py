"""What a transfer's result page says (X-CONFIRM result readers of the three transfer kinds).

The page is read from the stored :class:`Transfer`, not from the words the executor returned at
confirmation: a 普通到账 transfer opened again after it ran says 转账成功, a reserved one that
was deleted says so. One headline per outcome, one 交易状态 row (the transfer's status, not the
confirmation's "已执行"), every other row once, and 到账方式 as booked — an HVPS transfer pushed
to the next session reads 预约汇出, never 实时到账 next to 预约.

==============  ==========================================  ===========
status          headline                                    tone
==============  ==========================================  ===========
SUCCEEDED       转账成功                                     success
SCHEDULED       已受理，预计YYYY年MM月DD日HH:MM到账            pending
RESERVED        预约成功，将于YYYY年MM月DD日HH:MM后汇出        pending
PROCESSING      处理中                                       pending
FAILED          转账失败：<原因>                              failure
RETURNED        已退汇：<原因>                                failure
CANCELLED       转账已撤销                                   neutral
DELETED         预约交易已删除                               neutral
==============  ==========================================  ===========

A real-time transfer refused at confirmation leaves no row: the page then says 转账失败 with the
confirmation's reason and the rows the customer confirmed.
"""

from django.utils import timezone

from accounts.models import SubAccount
from accounts.payers import account_label
from ebank.clearing.routing import ArrivalMode, Channel
from ebank.core.clock import SHANGHAI
from ebank.core.masking import mask_account_number
from ebank.core.money import chinese_capitals, format_cny
from security.confirm.registry import OperationOutcome, OutcomeTone, operation_result
from security.confirm.services import SUMMARY_KEY
from security.models import OperationStatus, PendingOperation
from transfers.models import Transfer, TransferKind, TransferStatus
from transfers.selectors import transfer_receipt_url

from .execution import INSUFFICIENT_FUNDS_REASON
from .inter import INSUFFICIENT_MESSAGE
from .inter import OPERATION_KIND as KIND_INTER
from .own_intra import FEE_LINE, KIND_INTRA, KIND_OWN

RESERVED_ARRIVAL = "预约汇出"
# Advice shown before 确认 that says nothing about what happened.
CONFIRM_ONLY_LINES = {"温馨提示", "余额提示", "说明"}
PROCESSING_NOTE = "汇款已汇出，等待收款行入账；结果可在“网银转账查询”中查看"


def _at(value) -> str:
    return f"{timezone.localtime(value, SHANGHAI):%Y年%m月%d日%H:%M}"


def arrival_label(transfer: Transfer, *, reserved: bool = False) -> str:
    """到账方式 as booked: the mode, with the channel for 跨行; a 预约 transfer says 预约汇出."""
    if transfer.kind == TransferKind.OWN:
        return ArrivalMode.REAL_TIME.label
    if reserved or transfer.status == TransferStatus.RESERVED:
        return f"{RESERVED_ARRIVAL}（{Channel(transfer.channel).label}）" if transfer.channel \
            else RESERVED_ARRIVAL
    label = ArrivalMode(transfer.mode).label
    if transfer.kind == TransferKind.INTER and transfer.channel:
        label += f"（{Channel(transfer.channel).label}）"
    return label


def headline(transfer: Transfer) -> tuple[str, str, str]:
    """(headline, tone, note) of the transfer's outcome now."""
    status = transfer.status
    if status == TransferStatus.SUCCEEDED:
        return "转账成功", OutcomeTone.SUCCESS, ""
    if status == TransferStatus.SCHEDULED:
        note = "执行前可在“定时转账维护”中撤销" if transfer.mode == ArrivalMode.NORMAL else \
            "执行前可在“定时转账维护”中撤销；余额和当日限额在执行时扣减"
        return f"已受理，预计{_at(transfer.execute_at)}到账", OutcomeTone.PENDING, note
    if status == TransferStatus.RESERVED:
        return (f"预约成功，将于{_at(transfer.execute_at)}后汇出", OutcomeTone.PENDING,
                "可在“预约交易管理”中查看或删除；日累计限额和账户余额在该交易执行时扣减")
    if status == TransferStatus.PROCESSING:
        return "处理中", OutcomeTone.PENDING, PROCESSING_NOTE
    if status == TransferStatus.FAILED:
        return (f"转账失败：{transfer.failure_reason or '交易未成功'}", OutcomeTone.FAILURE,
                "资金未转出，或已退回原账户" if transfer.kind == TransferKind.INTER else "")
    if status == TransferStatus.RETURNED:
        return (f"已退汇：{transfer.failure_reason or '收款行退回'}", OutcomeTone.FAILURE,
                "款项已退回转出账户")
    if status == TransferStatus.CANCELLED:
        return "转账已撤销", OutcomeTone.NEUTRAL, ""
    return "预约交易已删除", OutcomeTone.NEUTRAL, ""


def transfer_lines(transfer: Transfer, *, reserved: bool = False) -> list[tuple[str, str]]:
    """Every row of the result page but 交易类型 and 交易状态, each once."""
    lines = [("交易流水号", transfer.number),
             ("转出账号", account_label(transfer.from_sub_account))]
    if transfer.kind == TransferKind.OWN:
        lines.append(("转入账号", account_label(transfer.to_sub_account)))
    else:
        lines += [("收款人账号", mask_account_number(transfer.payee_account)),
                  ("收款人名称", transfer.payee_name)]
        if transfer.kind == TransferKind.INTER:
            lines.append(("收款行", f"{transfer.payee_bank_name}（{transfer.payee_bank_code}）"))
        elif transfer.to_sub_account is not None:
            lines.append(("收款人开户行", transfer.to_sub_account.medium.branch.name))
    lines += [("到账方式", arrival_label(transfer, reserved=reserved)),
              ("金额", format_cny(transfer.amount)),
              ("金额大写", f"人民币{chinese_capitals(transfer.amount)}")]
    if transfer.purpose:
        lines.append(("付款用途", transfer.purpose))
    if transfer.kind != TransferKind.INTER:
        lines.append(("手续费", FEE_LINE))
    if transfer.status in (TransferStatus.SCHEDULED, TransferStatus.RESERVED):
        lines.append(("预计执行时间", _at(transfer.execute_at)))
    # One time row: when it was done, or, while it waits, when the bank accepted it.
    if transfer.executed_at is not None:
        lines.append(("完成时间", f"{timezone.localtime(transfer.executed_at, SHANGHAI):%Y-%m-%d %H:%M:%S}"))
    else:
        lines.append(("受理时间", f"{timezone.localtime(transfer.submitted_at, SHANGHAI):%Y-%m-%d %H:%M:%S}"))
    if transfer.failure_reason and transfer.status in (TransferStatus.FAILED,
                                                       TransferStatus.RETURNED):
        lines.append(("失败原因", transfer.failure_reason))
    return lines


def _short_of_funds_note(*, customer_id, sub_account_id, reason: str) -> str:
    """余额不足 says what is available: the payer's available balance now."""
    if not reason.startswith((INSUFFICIENT_FUNDS_REASON, INSUFFICIENT_MESSAGE)):
        return ""
    sub_account = (SubAccount.objects.select_related("ledger_account")
                   .filter(pk=sub_account_id, medium__link__customer_id=customer_id).first())
    if sub_account is None:
        return ""
    ledger = sub_account.ledger_account
    return f"转出账户当前可用余额{format_cny(ledger.balance - ledger.held)}"


def _stored_transfer(operation: PendingOperation) -> Transfer | None:
    return (Transfer.objects
            .select_related("from_sub_account__medium__link", "to_sub_account__medium__branch")
            .filter(operation=operation, customer_id=operation.user.customer_id).first())


def transfer_outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    """The result page of a transfer confirmation; None for an expired or cancelled one."""
    transfer = _stored_transfer(operation)
    if transfer is not None:
        text, tone, note = headline(transfer)
        if transfer.status == TransferStatus.FAILED:
            note = _short_of_funds_note(customer_id=transfer.customer_id,
                                        sub_account_id=transfer.from_sub_account_id,
                                        reason=transfer.failure_reason) or note
        return OperationOutcome(
            headline=text, tone=tone, note=note, status_label=transfer.get_status_display(),
            lines=transfer_lines(transfer, reserved=bool(operation.payload.get("reserved"))),
            receipt_url=transfer_receipt_url(transfer=transfer))
    if operation.status != OperationStatus.FAILED:
        return None
    # Refused at confirmation (balance gone, limit, payee lost): nothing was written; the page
    # shows the reason and what was confirmed.
    amount = operation.payload.get("amount")
    lines = [(label, value) for label, value in operation.payload.get(SUMMARY_KEY, [])
             if label not in CONFIRM_ONLY_LINES]
    if amount:
        lines += [("金额", format_cny(amount)), ("金额大写", f"人民币{chinese_capitals(amount)}")]
    payload = operation.payload
    note = _short_of_funds_note(
        customer_id=operation.user.customer_id, reason=operation.failure_reason,
        sub_account_id=payload.get("from_sub_account", payload.get("from_sub_account_id")))
    return OperationOutcome(
        headline=f"转账失败：{operation.failure_reason or '交易未成功'}",
        tone=OutcomeTone.FAILURE, status_label=TransferStatus.FAILED.label, lines=lines,
        note=note or "资金未转出")


for _kind in (KIND_OWN, KIND_INTRA, KIND_INTER):
    operation_result(_kind)(transfer_outcome)
