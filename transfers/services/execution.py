"""Executing a transfer: the posting, its receipts and alerts, and the due-work handler.

Real-time transfers are posted by their confirmation executor (``own_intra``) inside the
confirmation's transaction; 普通到账 and 次日到账 transfers get a DueWork row
(kind ``transfers.execute``, key = the 交易流水号) and are posted by :func:`transfer_execute_due`
inside the dispatcher's transaction. Both go through :func:`transfer_post`.

Exactly once: the dispatcher holds the DueWork row lock while the handler runs, the handler does
nothing unless the transfer is still SCHEDULED, and the posting's idempotency key is
``transfer:<number>`` — a row run twice by some future bug replays the first entry.

At execution the balance and the daily limit are checked again and taken then (manual 跨行转账
note 4, X-ASYNC). A refusal is a business outcome, not a worker error: the transfer becomes
FAILED with a reason the customer can read, the due row is DONE (retrying cannot make money
appear), and a customer who signed 短信服务 for the paying account gets an SMS.

The handler is generic over transfer kinds: each kind registers how it is executed with
:func:`scheduled_executor`. Own-account and intra-bank transfers are registered here; another
kind (inter-bank) may register its own executor for ``transfers.execute`` rows the same way.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.models import MediumStatus, Receipt, ReceiptDirection, SubAccountStatus
from accounts.payers import medium_status_words
from accounts.receipts.services import receipt_issue
from accounts.services import funds_move
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError, InsufficientFunds, LimitExceeded
from ebank.duework.models import DueWork
from ebank.duework.registry import due_handler
from ebank.duework.services import PermanentFailure
from ebank.limits.services import LimitSubject
from security.tools.services import sms_balance_alerts_send
from transfers.models import Transfer, TransferBusinessType, TransferKind, TransferStatus

from .common import limit_subject_for
from .notify import transfer_failure_sms_send
from .payees import payee_save

DUE_KIND = "transfers.execute"
INSUFFICIENT_FUNDS_REASON = "账户余额不足"
RECEIPT_CHANNEL = "网上银行"

_BUSINESS_TYPES = {
    TransferKind.OWN: TransferBusinessType.OWN_TRANSFER,
    TransferKind.INTRA: TransferBusinessType.INTRA_TRANSFER,
}

ScheduledExecutor = Callable[[Transfer, DueWork], None]
_scheduled_executors: dict[str, ScheduledExecutor] = {}


def scheduled_executor(kind: str) -> Callable[[ScheduledExecutor], ScheduledExecutor]:
    """Register ``fn(transfer, work)`` as how ``transfers.execute`` rows of ``kind`` run.

    It is called with the transfer locked and still SCHEDULED, inside the dispatcher's
    transaction; it must leave the transfer in a final status (or raise to be retried).
    """

    def register(fn: ScheduledExecutor) -> ScheduledExecutor:
        _scheduled_executors[kind] = fn
        return fn

    return register


def execution_key(transfer: Transfer) -> str:
    """The ledger idempotency key of a deferred transfer's posting."""
    return f"transfer:{transfer.number}"


# --- posting -----------------------------------------------------------------------------------


def transfer_post(*, transfer: Transfer, idempotency_key: str,
                  limit_subject: LimitSubject | None = None) -> Receipt:
    """Post a transfer between two of our sub-accounts and mark it SUCCEEDED; the payer's 电子回单.

    ``transfer`` is a saved one (a scheduled transfer run now) or, for a real-time transfer, one
    not saved yet, which is then inserted once, already SUCCEEDED, after the posting.

    Runs inside the confirmation's or the dispatcher's transaction, without a savepoint of its
    own: a refusal fails the whole transaction anyway (the posting function aborts it on
    PostgreSQL). Raises InsufficientFunds / LimitExceeded (nothing written then — the caller's
    savepoint, if any, is what lets it go on). Intra-bank transfers take the customer's daily
    limit; own-account moves do not (X-LIMIT). ``limit_subject``: the customer's subject when
    the caller has it already (批量转账 reads it once per chunk); else it is read here.
    """
    with transaction.atomic(savepoint=False):
        posted = transfer_move(transfer=transfer, idempotency_key=idempotency_key,
                               limit_subject=limit_subject)
        update = ["status", "entry_id", "executed_at", "failure_reason"]
        if transfer.kind != TransferKind.OWN:
            update.append("limit_day")
        if transfer.pk is None:
            # A real-time transfer is written once, as it ends: SUCCEEDED with its entry.
            transfer.save(force_insert=True)
        else:
            transfer.save(update_fields=update)
        # receipt_issue answers a replay with the receipt of the first time.
        payer_receipt = transfer_receipts_issue(transfer=transfer, posted_at=transfer.executed_at)
        transaction.on_commit(partial(sms_balance_alerts_send, entry_id=posted.entry_id))
    return payer_receipt


def transfer_move(*, transfer: Transfer, idempotency_key: str,
                  limit_subject: LimitSubject | None = None):
    """The posting alone (:func:`transfer_post` without the save, receipts and alerts): the
    transfer's fields set to SUCCEEDED with its entry, not saved; the ``PostResult``. Raises
    as :func:`transfer_post`. 批量行内转账 inserts a chunk's transfers and receipts in bulk."""
    counts_toward_limit = transfer.kind != TransferKind.OWN
    subject = None
    if counts_toward_limit:
        subject = limit_subject or limit_subject_for(customer=transfer.customer)
    posted = funds_move(
        debit_ledger_id=transfer.from_sub_account.ledger_account_id,
        credit_ledger_id=transfer.to_sub_account.ledger_account_id,
        amount=transfer.amount,
        idempotency_key=idempotency_key,
        business_type=_BUSINESS_TYPES[transfer.kind],
        reference=transfer.number,
        memo=(transfer.purpose or transfer.get_kind_display())[:60],
        limit_subject=subject,
    )
    transfer.status = TransferStatus.SUCCEEDED
    transfer.entry_id = posted.entry_id
    transfer.executed_at = timezone.now()
    transfer.failure_reason = ""
    if counts_toward_limit:
        transfer.limit_day = business_day()
    return posted


def transfer_receipts_issue(*, transfer: Transfer, posted_at: datetime) -> Receipt:
    """电子回单 for the payer (付款) and the payee (收款, also our customer); the payer's.

    In the posting's transaction (X-RECEIPT): a receipt exists exactly when the money moved.
    """
    payer_spec, payee_spec = transfer_receipt_specs(transfer=transfer, posted_at=posted_at)
    payer_receipt = receipt_issue(**payer_spec)
    receipt_issue(**payee_spec)
    return payer_receipt


def transfer_receipt_specs(*, transfer: Transfer, posted_at: datetime) -> list[dict]:
    """``receipt_issue``'s arguments for the payer's and the payee's 电子回单, in that order."""
    payer_medium = transfer.from_sub_account.medium
    payee_medium = transfer.to_sub_account.medium
    common = {
        "entry_id": transfer.entry_id,
        "amount": transfer.amount,
        "payer_name": transfer.customer.name,
        "payer_account": payer_medium.number,
        "payer_bank": payer_medium.branch.name,
        "payee_name": transfer.payee_name,
        "payee_account": payee_medium.number,
        "payee_bank": payee_medium.branch.name,
        "purpose": transfer.purpose,
        "business": transfer.get_kind_display(),
        "channel": RECEIPT_CHANNEL,
        "posted_at": posted_at,
    }
    return [{"sub_account": transfer.from_sub_account, "direction": ReceiptDirection.DEBIT,
             **common},
            {"sub_account": transfer.to_sub_account, "direction": ReceiptDirection.CREDIT,
             **common}]


def receivable_check(*, transfer: Transfer) -> None:
    """Refuse (BusinessError) when the payee or the payer account can no longer take part."""
    payer, payee = transfer.from_sub_account, transfer.to_sub_account
    if payer.medium.status != MediumStatus.NORMAL:
        raise BusinessError(f"转出账户{medium_status_words(payer.medium.status)}")
    if payer.status != SubAccountStatus.OPEN:
        raise BusinessError("转出账户已销户")
    if payee is None:
        raise BusinessError("收款账户不存在")
    if payee.medium.status != MediumStatus.NORMAL:
        raise BusinessError(f"收款账户{medium_status_words(payee.medium.status)}，"
                            "不能入账")
    if payee.status != SubAccountStatus.OPEN:
        raise BusinessError("收款账户已销户，不能入账")


# --- the due-work handler ----------------------------------------------------------------------


@due_handler(DUE_KIND, label="延时转账执行")
def transfer_execute_due(work: DueWork) -> None:
    """Run one scheduled transfer (普通到账/次日到账); key = its 交易流水号."""
    transfer = (Transfer.objects.select_for_update(of=("self",))
                .select_related("customer", "from_sub_account__medium__branch",
                                "to_sub_account__medium__branch")
                .filter(number=work.key).first())
    if transfer is None:
        raise PermanentFailure("转账记录不存在")
    if transfer.status != TransferStatus.SCHEDULED:
        # Already executed, failed or cancelled: running the row again does nothing.
        return
    executor = _scheduled_executors.get(transfer.kind)
    if executor is None:
        raise PermanentFailure(f"不支持的转账类型：{transfer.get_kind_display()}")
    executor(transfer, work)


def between_our_accounts_execute(transfer: Transfer, work: DueWork) -> None:
    reason = ""
    try:
        # A savepoint: a refused posting leaves nothing behind, and FAILED below still commits.
        with transaction.atomic():
            receivable_check(transfer=transfer)
            transfer_post(transfer=transfer, idempotency_key=execution_key(transfer))
    except InsufficientFunds:
        reason = INSUFFICIENT_FUNDS_REASON
    except LimitExceeded as exc:
        reason = exc.message
    except BusinessError as exc:
        reason = exc.message
    if reason:
        transfer_fail(transfer=transfer, reason=reason)
        return
    if work.payload.get("save_payee"):
        payee_save(customer=transfer.customer, account_number=transfer.payee_account,
                   name=transfer.payee_name)
    audit_record(action="transfer.executed", customer_id=transfer.customer_id,
                 object_ref=f"transfer:{transfer.number}", channel="system",
                 detail={"kind": transfer.kind, "amount": str(transfer.amount),
                         "mode": transfer.mode})


scheduled_executor(TransferKind.OWN)(between_our_accounts_execute)
scheduled_executor(TransferKind.INTRA)(between_our_accounts_execute)


def transfer_fail(*, transfer: Transfer, reason: str) -> None:
    """Record a failure the customer can read, audit it, and text a 短信服务 subscriber."""
    transfer.status = TransferStatus.FAILED
    transfer.failure_reason = reason[:200]
    transfer.executed_at = timezone.now()
    transfer.save(update_fields=["status", "failure_reason", "executed_at"])
    audit_record(action="transfer.failed", outcome="failure", customer_id=transfer.customer_id,
                 object_ref=f"transfer:{transfer.number}", channel="system",
                 detail={"kind": transfer.kind, "amount": str(transfer.amount),
                         "reason": transfer.failure_reason})
    transaction.on_commit(partial(transfer_failure_sms_send, transfer_id=transfer.pk))
