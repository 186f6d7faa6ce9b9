"""批量行内转账 / 批量跨行转账 (TRF-BATCH): check, submit, confirm and run a batch.

* :func:`batch_create` checks every row of an uploaded file or of the 手工录入 grid in bulk (one
  query for all the 行内 payee accounts with their holders and statuses, one for all the bank
  codes) and stores the batch as 草稿 with a per-row report — the whole file or nothing;
* :func:`batch_invalid_rows_remove` drops the rows that failed the checks; only a batch whose
  rows all passed can be submitted (:func:`batch_submit`), which starts a confirmation
  (X-CONFIRM, kind ``transfers.batch``, USBKey or token only) binding the batch number, the
  count, the total and a digest of every row;
* the executor :func:`batch_confirm_execute` checks the digest again, marks the batch 执行中
  and schedules the first chunk of deferred work; nothing posts in the confirmation;
* :func:`batch_run_due` (due kind ``transfers.batch_run``, key ``<number>:<chunk>``) runs
  :data:`CHUNK_SIZE` rows inside the dispatcher's transaction: each row's posting alone (one
  bad row never stops the others; the daily limit is taken row by row), then the chunk's
  transfers, receipts and 跨行 instructions (``send_many``) and answers in bulk; records the
  outcome of every row in one raw ``UPDATE … FROM (VALUES …)`` (``bulk_update`` only off
  PostgreSQL), and schedules the next chunk in the same transaction. A
  worker killed mid-chunk rolls the chunk back whole, so every row posts exactly once.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Medium,
    MediumKind,
    MediumStatus,
    SubAccount,
    SubAccountKind,
    SubAccountStatus,
)
from accounts.payers import account_label, medium_status_words, payer_account_get, payer_refusal
from accounts.receipts.services import receipt_issue_many
from ebank.clearing.adapters import CHANNEL_CLOSED_MESSAGE, get_clearing_adapter
from ebank.clearing.models import BankCode
from ebank.clearing.routing import ArrivalMode, Channel
from ebank.core.audit import audit_record, audit_record_many
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError, InsufficientFunds, LimitExceeded
from ebank.core.models import AuditOutcome
from ebank.core.money import format_cny, parse_amount
from ebank.duework.models import DueWork
from ebank.duework.registry import due_handler
from ebank.duework.services import PermanentFailure, due_work_schedule
from ebank.limits.engine import decide
from ebank.limits.selectors import limit_check
from security.confirm.registry import (
    OperationOutcome,
    OutcomeTone,
    operation_kind,
    operation_result,
)
from security.confirm.services import operation_start
from security.models import PendingOperation, SmsSubscription, User
from security.tools.services import sms_balance_alerts_send, subscriber_sms_send
from transfers.models import (
    BatchKind,
    BatchRowStatus,
    BatchSource,
    BatchStatus,
    Transfer,
    TransferBatch,
    TransferBatchRow,
    TransferKind,
    TransferStatus,
)
from transfers.selectors import available_balance
from transfers.services import clearing_answers
from transfers.services.common import limit_subject_for, transfer_number_new
from transfers.services.execution import (
    INSUFFICIENT_FUNDS_REASON,
    receivable_check,
    transfer_move,
    transfer_receipt_specs,
)
from transfers.services.inter import channel_status
from transfers.services.own_intra import OWN_NOTE_2, PAYER_STATUS
from transfers.services.payees import (
    ACCOUNT_NUMBER_MAX,
    INTRA_PAYEE_KIND_MESSAGE,
    INTRA_PAYEE_SETTLEMENT_MESSAGE,
    PAYEE_NAME_MAX,
    PAYEE_NAME_MISMATCH_MESSAGE,
    PAYEE_UNKNOWN_MESSAGE,
    RECEIVING_KINDS,
)

from . import (
    files,
    nightly,  # noqa: F401 - registers the 日终 step batch_drafts_clear
)

logger = logging.getLogger(__name__)

OPERATION_KIND = "transfers.batch"
PURPOSE_BATCH_FAILURES = "batch_transfer_failed"
DUE_KIND = "transfers.batch_run"
CHUNK_SIZE = 200
PURPOSE_MAX = 60
INTER_MAX_AMOUNT = settings.IBPS_MAX_AMOUNT  # ≤ 50,000.00: 网银互联, 7×24
INTER_MAX_TEXT = "跨行批量转账单笔金额不能超过5万元（经网银互联7×24小时实时汇出）"
DUPLICATE = "与第{}行重复（收款人账号、金额相同）"
NOT_EDITABLE = "该批次已提交执行，不能修改"
HAS_INVALID = "还有{}笔明细未通过校验，请删除错误明细或重新上传后再提交"
NO_ROWS = "该批次没有转账明细"
CHANGED = "批次内容已变更，请返回批次重新提交"
ROW_MAX_CHARS = {"payee_account": 64, "payee_name": 128, "bank_code": 32, "amount": 32,
                 "purpose": 128}


def batch_number_new() -> str:
    return transfer_number_new()


# --- checking rows ------------------------------------------------------------------------------


@dataclass
class _Checked:
    row: TransferBatchRow
    errors: list[str]


def _row_from_raw(batch: TransferBatch, raw: files.RawRow) -> _Checked:
    v = {key: (value or "").strip()[:ROW_MAX_CHARS.get(key, 128)]
         for key, value in raw.values.items()}
    row = TransferBatchRow(batch=batch, line_no=raw.line_no, payee_account=v["payee_account"],
                           payee_name=v["payee_name"], bank_code=v.get("bank_code", ""),
                           amount_text=v["amount"], purpose=v["purpose"])
    errors = []
    account = "".join(row.payee_account.split()).replace("-", "")
    if account.startswith("#NUMBER:"):
        errors.append("收款人账号被Excel存成了数字（会丢失末几位），请将该列设为文本格式后重新填写")
    elif not account:
        errors.append("请填写收款人账号")
    elif not account.isascii() or not account.isdigit() or len(account) > ACCOUNT_NUMBER_MAX:
        errors.append("收款人账号格式不正确，应为数字账号")
    else:
        row.payee_account = account
    if not row.payee_name:
        errors.append("请填写收款人名称")
    elif len(row.payee_name) > PAYEE_NAME_MAX:
        errors.append(f"收款人名称不能超过{PAYEE_NAME_MAX}个字符")
    try:
        amount = parse_amount(row.amount_text)
    except BusinessError as exc:
        errors.append(exc.message if row.amount_text else "请填写金额")
    else:
        row.amount = amount
        if batch.kind == BatchKind.INTER and amount > INTER_MAX_AMOUNT:
            errors.append(INTER_MAX_TEXT)
    if len(row.purpose) > PURPOSE_MAX:
        errors.append(f"用途不能超过{PURPOSE_MAX}个字符")
    if batch.kind == BatchKind.INTER:
        code = row.bank_code
        if not code:
            errors.append("请填写收款行行号")
        elif not (len(code) == 12 and code.isascii() and code.isdigit()):
            errors.append("收款行行号应为12位数字联行号")
    return _Checked(row, errors)


def rows_check(*, batch: TransferBatch, raw_rows: list[files.RawRow]) -> list[TransferBatchRow]:
    """Every row checked, with ``error`` set on the ones that fail (several reasons joined)."""
    checked = [_row_from_raw(batch, raw) for raw in raw_rows]
    payer_number = batch.payer.medium.number
    if batch.kind == BatchKind.INTRA:
        _intra_payees_check(checked, payer_number=payer_number)
    else:
        _bank_codes_check(checked)
    seen: dict[tuple[str, Decimal], int] = {}
    for item in checked:
        row = item.row
        if row.payee_account == payer_number:
            item.errors.append(OWN_NOTE_2)
        if row.amount is not None and row.payee_account:
            key = (row.payee_account, row.amount)
            if key in seen:
                item.errors.append(DUPLICATE.format(seen[key]))
            else:
                seen[key] = row.line_no
        row.error = "；".join(item.errors)[:200]
    return [item.row for item in checked]


def _intra_payees_check(checked: list[_Checked], *, payer_number: str) -> None:
    """Manual 行内转账 note 2 and the name match, for all rows in one query."""
    numbers = {item.row.payee_account for item in checked if item.row.payee_account.isdigit()}
    main = (SubAccount.objects.filter(medium=OuterRef("pk"), kind=SubAccountKind.CURRENT_MAIN,
                                      status=SubAccountStatus.OPEN).values("pk")[:1])
    media = {m["number"]: m for m in Medium.objects.filter(number__in=numbers)
             .annotate(main_id=Subquery(main))
             .values("number", "kind", "is_settlement", "status", "customer__name", "main_id")}
    for item in checked:
        row = item.row
        if not row.payee_account.isdigit():
            continue
        medium = media.get(row.payee_account)
        if medium is None:
            item.errors.append(PAYEE_UNKNOWN_MESSAGE)
        elif medium["kind"] not in RECEIVING_KINDS:
            item.errors.append(INTRA_PAYEE_KIND_MESSAGE)
        elif medium["kind"] != MediumKind.DEBIT_CARD and not medium["is_settlement"]:
            item.errors.append(INTRA_PAYEE_SETTLEMENT_MESSAGE)
        elif row.payee_name and medium["customer__name"] != row.payee_name:
            item.errors.append(PAYEE_NAME_MISMATCH_MESSAGE)
        elif medium["status"] != MediumStatus.NORMAL:
            item.errors.append(f"收款账户{medium_status_words(medium['status'])}，不能转入")
        elif medium["main_id"] is None:
            item.errors.append("收款账户没有可入账的活期账户")
        else:
            row.to_sub_account_id = medium["main_id"]


def _bank_codes_check(checked: list[_Checked]) -> None:
    """跨行: the bank codes in one query, our own accounts in another (跨行转账 note 1: they go
    by 行内转账)."""
    codes = {item.row.bank_code for item in checked if len(item.row.bank_code) == 12}
    banks = {code: (name, bank) for code, name, bank in BankCode.objects.filter(code__in=codes)
             .values_list("code", "name", "bank_name")}
    numbers = {item.row.payee_account for item in checked if item.row.payee_account.isdigit()}
    ours = set(Medium.objects.filter(number__in=numbers).values_list("number", flat=True))
    for item in checked:
        row = item.row
        if row.payee_account in ours:
            item.errors.append(f"收款账户为{settings.BANK_NAME}账户，请使用“批量行内转账”")
        elif row.payee_account.isdigit() and len(row.payee_account) < 6:
            item.errors.append("收款人账号应为6至32位数字，请填写正确、完整")
        if len(row.bank_code) != 12 or not row.bank_code.isdigit():
            continue
        found = banks.get(row.bank_code)
        if found is None:
            item.errors.append("收款行行号不存在，请在“联行号查询”中核对")
        elif found[1] == settings.BANK_FULL_NAME:
            item.errors.append(f"收款行为{settings.BANK_NAME}，请使用“批量行内转账”")
        else:
            row.bank_name = found[0]


# --- drafts -------------------------------------------------------------------------------------


def _payer_usable(*, customer, payer_id) -> SubAccount:
    try:
        payer = payer_account_get(customer=customer, sub_account_id=int(payer_id))
    except (Http404, TypeError, ValueError):
        raise BusinessError("请选择转出账户", code="payer") from None
    if payer.medium.status != MediumStatus.NORMAL:
        raise BusinessError(PAYER_STATUS.get(payer.medium.status, "转出账户状态异常，不能转账"))
    if payer.status != SubAccountStatus.OPEN:
        raise BusinessError(PAYER_STATUS[MediumStatus.CLOSED])
    return payer


@transaction.atomic(durable=True)
def batch_create(*, user: User, kind: str, payer_id, raw_rows: list[files.RawRow],
                 source: str = BatchSource.UPLOAD, file_name: str = "") -> TransferBatch:
    """Check every row and store the batch (草稿) with its report; all rows or none."""
    customer = user.customer
    if kind not in BatchKind.values:
        raise Http404("无此批量转账类型")
    payer = _payer_usable(customer=customer, payer_id=payer_id)
    if not raw_rows:
        raise BusinessError(files.EMPTY_FILE, code="file_empty")
    if len(raw_rows) > files.MAX_ROWS:
        raise BusinessError(files.TOO_MANY.format(f"{len(raw_rows):,}"), code="file_too_many")
    batch = TransferBatch(number=batch_number_new(), customer=customer, user=user, kind=kind,
                          source=source, file_name=file_name[:128], payer=payer,
                          created_at=timezone.now())
    rows = rows_check(batch=batch, raw_rows=raw_rows)
    batch.save(force_insert=True)
    for row in rows:
        row.batch = batch
    TransferBatchRow.objects.bulk_create(rows, batch_size=2000)
    _totals_set(batch, rows)
    batch.save(update_fields=["count", "total", "invalid_count"])
    audit_record(action="transfers.batch_create", actor=user, customer_id=customer.pk,
                 object_ref=f"batch:{batch.number}",
                 detail={"kind": kind, "source": source, "count": batch.count,
                         "total": f"{batch.total:.2f}", "invalid": batch.invalid_count})
    return batch


def _totals_set(batch: TransferBatch, rows) -> None:
    batch.count = len(rows)
    batch.total = sum((row.amount or Decimal("0.00") for row in rows), Decimal("0.00"))
    batch.invalid_count = sum(1 for row in rows if row.error)


def batch_get(*, customer, number: str) -> TransferBatch:
    """The customer's batch; another customer's (or an unknown) number → 404."""
    batch = (TransferBatch.objects.select_related("payer__medium", "payer__medium__link")
             .filter(customer=customer, number=number).first())
    if batch is None:
        raise Http404("批次不存在")
    return batch


def _locked_editable(*, customer, number: str) -> TransferBatch:
    batch = batch_get(customer=customer, number=number)
    batch = TransferBatch.objects.select_for_update().select_related(
        "payer__medium").get(pk=batch.pk)
    if batch.status not in (BatchStatus.DRAFT, BatchStatus.PENDING):
        raise BusinessError(NOT_EDITABLE, code="not_editable")
    return batch


@transaction.atomic(durable=True)
def batch_invalid_rows_remove(*, user: User, number: str) -> int:
    """删除错误明细: drop the rows that failed the checks; how many went."""
    batch = _locked_editable(customer=user.customer, number=number)
    removed, _ = batch.rows.exclude(error="").delete()
    agg = batch.rows.aggregate(total=Sum("amount"))
    batch.count = batch.rows.count()
    batch.total = agg["total"] or Decimal("0.00")
    batch.invalid_count = 0
    batch.status = BatchStatus.DRAFT
    batch.operation = None
    batch.save(update_fields=["count", "total", "invalid_count", "status", "operation"])
    audit_record(action="transfers.batch_invalid_removed", actor=user,
                 customer_id=user.customer.pk, object_ref=f"batch:{batch.number}",
                 detail={"removed": removed, "count": batch.count,
                         "total": f"{batch.total:.2f}"})
    return removed


def rows_digest(batch: TransferBatch) -> str:
    """SHA-256 over every row as it will run (line, account, name, bank, amount, purpose)."""
    digest = hashlib.sha256()
    for line, account, name, code, amount, purpose in (
            batch.rows.order_by("line_no").values_list("line_no", "payee_account", "payee_name",
                                                        "bank_code", "amount", "purpose")):
        digest.update(f"{line}\x1f{account}\x1f{name}\x1f{code}\x1f{amount}\x1f{purpose}\x1e"
                      .encode())
    return digest.hexdigest()


@transaction.atomic(durable=True)
def batch_submit(*, user: User, number: str) -> PendingOperation:
    """提交: an all-valid batch goes to the confirmation page (count and total signed)."""
    customer = user.customer
    batch = _locked_editable(customer=customer, number=number)
    if batch.invalid_count:
        raise BusinessError(HAS_INVALID.format(batch.invalid_count), code="has_invalid")
    if not batch.count:
        raise BusinessError(NO_ROWS, code="no_rows")
    payer = _payer_usable(customer=customer, payer_id=batch.payer_id)
    summary = [
        ("批次号", batch.number),
        ("批量类型", batch.get_kind_display()),
        ("转出账户", account_label(payer)),
        ("总笔数", f"{batch.count}笔"),
        ("总金额", format_cny(batch.total)),
        ("到账方式", "实时到账" if batch.kind == BatchKind.INTRA else "实时到账（网银互联）"),
    ]
    available = available_balance(payer)
    if available < batch.total:
        summary.append(("余额提示", f"转出账户当前可用余额{format_cny(available)}，不足总金额；"
                                    "余额不足的明细将执行失败"))
    decision = limit_check(subject=limit_subject_for(customer=customer), amount=batch.total)
    if not decision.allowed:
        summary.append(("限额提示", f"{decision.message}；当日限额逐笔扣减，超出限额的明细将执行失败"))
    summary.append(("说明", "确认后逐笔执行，可在“批量转账查询”中查看进度和每笔结果"))
    operation = operation_start(
        user=user, kind=OPERATION_KIND,
        payload={"batch": batch.number, "batch_id": batch.pk, "count": batch.count,
                 "amount": f"{batch.total:.2f}", "rows_digest": rows_digest(batch)},
        summary=summary, medium=payer.medium,
        back_url=reverse("transfers:batch_draft",
                         kwargs={"kind": batch.kind, "number": batch.number}))
    batch.status = BatchStatus.PENDING
    batch.operation = operation
    batch.save(update_fields=["status", "operation"])
    audit_record(action="transfers.batch_submit", actor=user, customer_id=customer.pk,
                 object_ref=f"batch:{batch.number}",
                 detail={"count": batch.count, "total": f"{batch.total:.2f}",
                         "operation": operation.pk})
    return operation


@operation_kind(OPERATION_KIND, title="批量转账", requires_pin=True, requires_tool=True,
                allow_sms=False)
def batch_confirm_execute(*, operation: PendingOperation) -> dict:
    """确认: check that the batch is what was signed, mark it 执行中, schedule chunk 0."""
    p = operation.payload
    customer = operation.user.customer
    batch = (TransferBatch.objects.select_for_update()
             .filter(pk=p["batch_id"], customer=customer, number=p["batch"]).first())
    if (batch is None or batch.status != BatchStatus.PENDING
            or batch.operation_id != operation.pk):
        raise BusinessError(CHANGED, code="batch_changed")
    if (batch.count != p["count"] or f"{batch.total:.2f}" != p["amount"]
            or rows_digest(batch) != p["rows_digest"]):
        raise BusinessError(CHANGED, code="batch_changed")
    _payer_usable(customer=customer, payer_id=batch.payer_id)
    now = timezone.now()
    batch.status = BatchStatus.RUNNING
    batch.confirmed_at = now
    batch.save(update_fields=["status", "confirmed_at"])
    due_work_schedule(kind=DUE_KIND, key=f"{batch.number}:0", due_at=now,
                      payload={"batch_id": batch.pk, "chunk": 0})
    audit_record(action="transfers.batch_confirm", actor=operation.user, customer_id=customer.pk,
                 object_ref=f"batch:{batch.number}",
                 detail={"kind": batch.kind, "count": batch.count, "total": p["amount"]})
    return {
        "message": f"批量转账已提交（共{batch.count}笔，{format_cny(batch.total)}），正在逐笔执行，"
                   "可在“批量转账查询”中查看进度和每笔结果",
        "lines": [["批次号", batch.number], ["总笔数", f"{batch.count}笔"],
                  ["总金额", format_cny(batch.total)]],
    }


@operation_result(OPERATION_KIND)
def batch_outcome(*, operation: PendingOperation) -> OperationOutcome | None:
    """The result page reads the batch as it is now (执行中 with its progress, or 已完成)."""
    batch = (TransferBatch.objects.filter(operation=operation,
                                          customer_id=operation.user.customer_id)
             .exclude(status__in=[BatchStatus.DRAFT, BatchStatus.PENDING]).first())
    if batch is None:
        return None
    counts = batch_counts(batch)
    lines = [("批次号", batch.number), ("批量类型", batch.get_kind_display()),
             ("总笔数", f"{batch.count}笔"), ("总金额", format_cny(batch.total)),
             ("已完成", counts_text(counts))]
    note = "可在“批量转账查询”中查看进度和每笔结果，并下载执行结果文件"
    if batch.status == BatchStatus.DONE:
        if counts["processing"]:
            note = (f"其中{counts['processing']}笔跨行转账收款行尚未答复（处理中），结果以"
                    "“批量转账查询”为准；" + note)
        return OperationOutcome(
            headline=f"批量转账已完成：{counts_text(counts)}",
            tone=(OutcomeTone.SUCCESS if counts["succeeded"] == batch.count
                  else OutcomeTone.NEUTRAL),
            status_label=batch.get_status_display(), lines=lines, note=note)
    return OperationOutcome(headline="批量转账已受理，正在逐笔执行", tone=OutcomeTone.PENDING,
                           status_label=batch.get_status_display(), lines=lines, note=note)


# --- execution ----------------------------------------------------------------------------------


def row_idempotency_key(batch: TransferBatch, row: TransferBatchRow) -> str:
    return f"batch:{batch.number}:{row.line_no}"


@due_handler(DUE_KIND, label="批量转账执行")
def batch_run_due(work: DueWork) -> None:
    """Run the next :data:`CHUNK_SIZE` 待执行 rows of a 执行中 batch; key ``<number>:<chunk>``."""
    batch = (TransferBatch.objects.select_for_update(of=("self",))
             .select_related("customer", "customer__user", "payer__medium__branch")
             .filter(pk=work.payload["batch_id"]).first())
    if batch is None:
        raise PermanentFailure("批次不存在")
    if batch.status != BatchStatus.RUNNING:
        return
    rows = list(batch.rows.filter(status=BatchRowStatus.PENDING)
                .select_related("to_sub_account__medium__branch")
                .order_by("line_no")[:CHUNK_SIZE])
    # The payer as it is now, read by the statement that locked the batch (a card reported
    # lost, frozen or closed after the confirmation stops the rest of the batch, both kinds).
    closed_reason = payer_refusal(batch.payer) if rows else ""
    if (batch.kind == BatchKind.INTER and rows and not closed_reason
            and not channel_status(Channel.IBPS).open):
        if work.attempts < work.max_attempts:
            # Maintenance is temporary: the chunk is retried with backoff, nothing has moved.
            raise BusinessError(CHANNEL_CLOSED_MESSAGE, code="ibps_closed")
        # The last attempt: every row of the batch not sent yet fails now, together — not this
        # chunk only, so that a channel reopening later cannot send the next chunks and leave
        # the batch half failed, half sent.
        closed_reason = CHANNEL_CLOSED_MESSAGE
        rows = list(batch.rows.filter(status=BatchRowStatus.PENDING).order_by("line_no"))
    now = timezone.now()
    done = failed = 0
    audits = []
    reasons = _chunk_run(batch, rows, now) if rows and not closed_reason else {}
    for row in rows:
        reason = closed_reason or reasons[row.pk]
        row.executed_at = now
        if reason:
            row.status, row.failure_reason = BatchRowStatus.FAILED, reason[:200]
            failed += 1
        else:
            row.status = BatchRowStatus.SUCCEEDED
            # 成功 only when the money has arrived; a 跨行 row still 处理中 (ACCEPTED, a send
            # that timed out) is neither: batch_counts reads it from its transfer.
            done += row.transfer.status == TransferStatus.SUCCEEDED
        audits.append({
            "action": "transfer.failed" if reason else "transfer.executed",
            "outcome": AuditOutcome.FAILURE if reason else AuditOutcome.SUCCESS,
            "customer_id": batch.customer_id, "channel": "system",
            "object_ref": (f"transfer:{row.transfer.number}" if row.transfer_id
                           else f"batch:{batch.number}:{row.line_no}"),
            "detail": {"batch": batch.number, "line": row.line_no, "amount": str(row.amount),
                       **({"reason": row.failure_reason} if reason else {})},
        })
    _rows_record(rows, executed_at=now)
    audit_record_many(audits)
    batch.done_count += done
    batch.failed_count += failed
    fields = ["done_count", "failed_count"]
    if rows and batch.rows.filter(status=BatchRowStatus.PENDING).exists():
        chunk = int(work.payload.get("chunk", 0)) + 1
        due_work_schedule(kind=DUE_KIND, key=f"{batch.number}:{chunk}", due_at=timezone.now(),
                          payload={"batch_id": batch.pk, "chunk": chunk})
    else:
        batch.status = BatchStatus.DONE
        batch.finished_at = timezone.now()
        fields += ["status", "finished_at"]
        if batch.failed_count:
            transaction.on_commit(partial(batch_failures_sms_send, batch_id=batch.pk))
        counts = batch_counts(batch)
        audit_record(action="transfers.batch_done", customer_id=batch.customer_id,
                     channel="system", object_ref=f"batch:{batch.number}",
                     detail={"count": batch.count, "done": counts["succeeded"],
                             "processing": counts["processing"], "failed": counts["failed"],
                             "returned": counts["returned"]})
    batch.save(update_fields=fields)


def batch_failures_sms_text(*, batch: TransferBatch) -> str:
    last4 = batch.payer.medium.number[-4:]
    at = timezone.localtime(batch.confirmed_at or batch.created_at)
    return (f"【{settings.BANK_NAME}】您尾号{last4}的账户于{at:%m月%d日%H:%M}确认的"
            f"{batch.get_kind_display()}（批次号{batch.number}）已执行完成："
            f"{counts_text(batch_counts(batch))}，失败的明细未扣款或已退回。"
            "详情请登录网上银行“批量转账查询”查看。")


def batch_failures_sms_send(*, batch_id: int) -> bool:
    """After commit: text a 短信服务 subscriber of the paying account that some rows failed."""
    batch = (TransferBatch.objects.select_related("payer__medium")
             .filter(pk=batch_id, status=BatchStatus.DONE, failed_count__gt=0).first())
    if batch is None:
        return False
    return subscriber_sms_send(sub_account_id=batch.payer_id,
                               text=lambda: batch_failures_sms_text(batch=batch),
                               purpose=PURPOSE_BATCH_FAILURES, reference=batch.number)


def _rows_record(rows: list[TransferBatchRow], *, executed_at) -> None:
    """Every row's outcome in one statement (``bulk_update``'s CASE WHEN per field cost more
    than the rows' postings on PostgreSQL: bench/batch_transfer.py)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        TransferBatchRow.objects.bulk_update(rows, ["status", "failure_reason", "transfer",
                                                    "executed_at"])
        return
    table = TransferBatchRow._meta.db_table
    values = ", ".join(["(%s::bigint, %s, %s, %s::bigint)"] * len(rows))
    params = [value for row in rows
              for value in (row.pk, row.status, row.failure_reason, row.transfer_id)]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{table}" AS r SET "status" = v.status, "failure_reason" = v.reason,'
            f' "transfer_id" = v.transfer_id, "executed_at" = %s'
            f" FROM (VALUES {values}) AS v(id, status, reason, transfer_id) WHERE r.id = v.id",
            [executed_at, *params])


def _chunk_run(batch: TransferBatch, rows: list[TransferBatchRow], now) -> dict[int, str]:
    """Post the chunk's rows, each alone; {row id: "" or the reason it was refused}.

    Two steps. First each row's posting (``funds_move``, which takes the balance and the daily
    limit row by row) and nothing else; then, for the rows that posted, the chunk's transfers
    in one insert, their 电子回单 in one insert, for 跨行 the instructions in one
    ``send_many`` and the answers applied together (:func:`_chunk_finish`).

    A row refused by the ledger (余额不足, the daily limit) must not spoil the others, so it
    posts inside a savepoint of its own. Two round trips per row for the few rows that are
    refused: the rows the forecast says will go (one unlocked read of the balance and the day's
    limit usage for the chunk) post without one, inside a single savepoint for the chunk. If
    the forecast was wrong (the balance or the limit moved meanwhile), that savepoint rolls the
    chunk back whole and it runs again with a savepoint for every row. Either way each row
    posts once; only how the transaction is cut differs.
    """
    # The limit subject (branch, tool holder) and the clearing book once for the chunk.
    subject = limit_subject_for(customer=batch.customer)
    book_id = (clearing_answers.clearing_book_id(Channel.IBPS)
               if batch.kind == BatchKind.INTER else None)
    expected = _forecast(batch, rows, subject)
    try:
        with transaction.atomic():
            reasons = {row.pk: _row_run(batch, row, now, subject, book_id=book_id,
                                        guarded=not expected[row.pk]) for row in rows}
    except BusinessError:
        for row in rows:
            row.transfer = None
        reasons = {row.pk: _row_run(batch, row, now, subject, book_id=book_id, guarded=True)
                   for row in rows}
    _chunk_finish(batch, rows, reasons)
    return reasons


def _forecast(batch: TransferBatch, rows: list[TransferBatchRow], subject) -> dict[int, bool]:
    """Which rows the balance and the limit should let through, read once (not locked)."""
    available = available_balance(batch.payer)
    probe = limit_check(subject=subject, amount=Decimal("0.01"))
    used = probe.used
    expected = {}
    for row in rows:
        ok = row.amount <= available and decide(limits=probe.limits, amount=row.amount,
                                                used=used).allowed
        if ok:
            available -= row.amount
            used += row.amount
        expected[row.pk] = ok
    return expected


def _row_run(batch: TransferBatch, row: TransferBatchRow, now, subject=None, *,
             book_id: int | None = None, guarded: bool = True) -> str:
    """Post one row (the ledger only; the transfer is inserted by :func:`_chunk_finish`); ""
    when it went, else the reason for the customer. ``guarded``: in a savepoint of its own, a
    refusal returned as its reason; unguarded, a refusal by the ledger is raised (the caller's
    savepoint rolls the chunk back)."""
    intra = batch.kind == BatchKind.INTRA
    transfer = Transfer(
        number=transfer_number_new(), customer=batch.customer, user_id=batch.user_id,
        kind=TransferKind.INTRA if intra else TransferKind.INTER, mode=ArrivalMode.REAL_TIME,
        channel="" if intra else Channel.IBPS, status=TransferStatus.PROCESSING,
        from_sub_account=batch.payer, to_sub_account=row.to_sub_account if intra else None,
        payee_account=row.payee_account, payee_name=row.payee_name,
        payee_bank_code=row.bank_code, payee_bank_name=row.bank_name, amount=row.amount,
        purpose=row.purpose, submitted_at=batch.confirmed_at or now, execute_at=now,
        operation_id=batch.operation_id)
    if intra:
        try:
            receivable_check(transfer=transfer)  # reads nothing, writes nothing
        except BusinessError as exc:
            return exc.message
    key = row_idempotency_key(batch, row)
    if guarded:
        try:
            with transaction.atomic():
                posted = _post(transfer, key=key, subject=subject, book_id=book_id)
        except InsufficientFunds:
            return INSUFFICIENT_FUNDS_REASON
        except (LimitExceeded, BusinessError) as exc:
            return exc.message
    else:
        posted = _post(transfer, key=key, subject=subject, book_id=book_id)
    transfer._batch_replayed = posted.replayed
    row.transfer = transfer
    return ""


def _post(transfer: Transfer, *, key: str, subject, book_id):
    if transfer.kind == TransferKind.INTRA:
        return transfer_move(transfer=transfer, idempotency_key=key, limit_subject=subject)
    return clearing_answers.transfer_debit(transfer=transfer, idempotency_key=key,
                                           limit_subject=subject, book_id=book_id)


def _chunk_finish(batch: TransferBatch, rows: list[TransferBatchRow],
                  reasons: dict[int, str]) -> None:
    """What follows the postings, for the chunk's rows that posted, in a few statements: the
    transfers inserted, the 电子回单 issued (X-RECEIPT: in the posting's transaction), the
    balance alerts after commit, and for 跨行 the instructions sent together and the answers
    applied (FAILED → money and limit back, the row 失败 with the other bank's reason)."""
    posted = [row for row in rows if row.transfer is not None]
    if not posted:
        return
    transfers = [row.transfer for row in posted]
    Transfer.objects.bulk_create(transfers)
    for row in posted:
        row.transfer = row.transfer  # its id, now that it has one (keeps the cached object)
    fresh = [t for t in transfers if not t._batch_replayed]
    if batch.kind == BatchKind.INTRA:
        specs = [spec for t in fresh
                 for spec in transfer_receipt_specs(transfer=t, posted_at=t.executed_at)]
    else:
        specs = [clearing_answers.debit_receipt_spec(t) for t in fresh]
    receipt_issue_many(specs)
    accounts = {batch.payer_id, *(t.to_sub_account_id for t in fresh if t.to_sub_account_id)}
    transaction.on_commit(partial(_chunk_alerts_send, entry_ids=[t.entry_id for t in fresh],
                                  sub_account_ids=sorted(accounts)))
    if batch.kind == BatchKind.INTER:
        answers = get_clearing_adapter().send_many(
            [clearing_answers.instruction_for(t) for t in transfers])
        clearing_answers.transfer_answers_apply(list(zip(transfers, answers, strict=True)))
        for row in posted:
            if row.transfer.status == TransferStatus.FAILED:
                reasons[row.pk] = row.transfer.failure_reason or "收款行拒绝入账"


def _chunk_alerts_send(*, entry_ids: list[int], sub_account_ids: list[int]) -> None:
    """After commit: the balance alerts the single-transfer path sends, one per entry — read
    only when some account of the chunk has an active 短信服务 subscription (one query)."""
    if not SmsSubscription.objects.filter(sub_account_id__in=sub_account_ids,
                                          active=True).exists():
        return
    for entry_id in entry_ids:
        sms_balance_alerts_send(entry_id=entry_id)


__all__ = ["CHUNK_SIZE", "DUE_KIND", "OPERATION_KIND", "batch_confirm_execute", "batch_create",
           "batch_get", "batch_invalid_rows_remove", "batch_run_due", "batch_submit",
           "rows_check"]


# --- 批量转账查询 (reads) ---------------------------------------------------------------------------


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def batches_for_customer(*, customer, date_from: date | None = None,
                         date_to: date | None = None):
    """批量转账查询: the customer's batches, newest first, by upload date (Asia/Shanghai)."""
    rows = (TransferBatch.objects.filter(customer=customer)
            .select_related("payer__medium").order_by("-created_at", "-id"))
    if date_from is not None:
        rows = rows.filter(created_at__gte=_local_start(date_from))
    if date_to is not None:
        rows = rows.filter(created_at__lt=_local_start(date_to + timedelta(days=1)))
    return rows


# A row's result, always read from its transfer (one place for the pages, the result files, the
# counts and the SMS): a row that posted is 成功 only when its transfer is; a 跨行 transfer still
# waiting for the other bank is 处理中; one refused or sent back later is 失败 / 已退汇.
ROW_RESULTS = {"pending": "待执行", "succeeded": "成功", "processing": "处理中",
               "failed": "失败", "returned": "已退汇"}
_POSTED = Q(status=BatchRowStatus.SUCCEEDED)
_FINAL_TRANSFER = [TransferStatus.SUCCEEDED, TransferStatus.FAILED, TransferStatus.RETURNED]
ROW_RESULT_FILTERS = {
    "pending": Q(status=BatchRowStatus.PENDING),
    "succeeded": _POSTED & Q(transfer__status=TransferStatus.SUCCEEDED),
    "processing": _POSTED & ~Q(transfer__status__in=_FINAL_TRANSFER),
    "failed": Q(status=BatchRowStatus.FAILED) | (_POSTED & Q(transfer__status=TransferStatus.FAILED)),
    "returned": _POSTED & Q(transfer__status=TransferStatus.RETURNED),
}


def row_result(status: str, transfer_status: str | None) -> str:
    """The key of :data:`ROW_RESULTS` for a row's status and its transfer's status."""
    if status == BatchRowStatus.PENDING:
        return "pending"
    if status == BatchRowStatus.FAILED or transfer_status == TransferStatus.FAILED:
        return "failed"
    if transfer_status == TransferStatus.RETURNED:
        return "returned"
    if transfer_status == TransferStatus.SUCCEEDED:
        return "succeeded"
    return "processing"


def batch_counts(batch: TransferBatch) -> dict[str, int]:
    """How many rows are in each result, as they are now (one query)."""
    return batch.rows.aggregate(**{key: Count("pk", filter=q)
                                   for key, q in ROW_RESULT_FILTERS.items()})


def counts_text(counts: dict[str, int]) -> str:
    text = f"成功{counts['succeeded']}笔"
    if counts["processing"]:
        text += f"，处理中{counts['processing']}笔"
    text += f"，失败{counts['failed']}笔"
    if counts["returned"]:
        text += f"，已退汇{counts['returned']}笔"
    return text


def batch_progress(batch: TransferBatch) -> dict:
    counts = batch_counts(batch)
    finished = batch.count - counts["pending"]
    return {
        "number": batch.number, "status": batch.status, "status_label": batch.get_status_display(),
        "count": batch.count, "done": counts["succeeded"], "processing": counts["processing"],
        "failed": counts["failed"], "returned": counts["returned"], "finished": finished,
        "percent": (100 * finished // batch.count) if batch.count else 100,
        "complete": batch.status == BatchStatus.DONE, "summary": counts_text(counts),
        # 完成时间 as the detail page prints it, so the page need not be reloaded to show it.
        "finished_at": (timezone.localtime(batch.finished_at).strftime("%Y-%m-%d %H:%M:%S")
                        if batch.finished_at else ""),
    }


REPORT_HEADERS = {
    BatchKind.INTRA: ["行号", "收款人账号", "收款人名称", "金额", "用途", "校验结果"],
    BatchKind.INTER: ["行号", "收款人账号", "收款人名称", "收款行行号", "收款行名称", "金额", "用途",
                      "校验结果"],
}
RESULT_HEADERS = {
    BatchKind.INTRA: ["行号", "收款人账号", "收款人名称", "金额", "用途", "执行结果", "交易流水号",
                      "失败原因"],
    BatchKind.INTER: ["行号", "收款人账号", "收款人名称", "收款行行号", "收款行名称", "金额", "用途",
                      "执行结果", "交易流水号", "失败原因"],
}


def _row_head(batch: TransferBatch, row: dict) -> list:
    amount = row["amount"] if row["amount"] is not None else row["amount_text"]
    if batch.kind == BatchKind.INTRA:
        return [row["line_no"], row["payee_account"], row["payee_name"], amount, row["purpose"]]
    return [row["line_no"], row["payee_account"], row["payee_name"], row["bank_code"],
            row["bank_name"], amount, row["purpose"]]


_ROW_VALUES = ("line_no", "payee_account", "payee_name", "bank_code", "bank_name", "amount",
               "amount_text", "purpose", "error", "status", "failure_reason", "transfer__number",
               "transfer__status")


def report_rows(batch: TransferBatch):
    """校验报告: every row with 通过 or its reasons (read in one query, streamed)."""
    for row in batch.rows.order_by("line_no").values(*_ROW_VALUES).iterator(chunk_size=2000):
        yield [*_row_head(batch, row), row["error"] or "通过"]


def row_result_label(row: dict) -> str:
    return ROW_RESULTS[row_result(row["status"], row["transfer__status"])]


def result_rows(batch: TransferBatch):
    for row in batch.rows.order_by("line_no").values(*_ROW_VALUES).iterator(chunk_size=2000):
        yield [*_row_head(batch, row), row_result_label(row), row["transfer__number"] or "",
               row["failure_reason"]]
