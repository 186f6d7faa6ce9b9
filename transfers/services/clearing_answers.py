"""跨行转账 at the clearing system: the debit, the instruction, and what the other bank answers.

An inter-bank transfer executes in three steps, always inside one transaction that holds the
Transfer row (the confirmation's or the due-work dispatcher's):

1. ``funds_move`` from the customer's 活期主账户 to the channel's clearing book (网银互联 or 大额支付
   清算往来), taking the daily limit (X-LIMIT) — a debit receipt is issued;
2. ``adapter.send`` with the transfer number as the reference (idempotent: a resend gets the
   first answer);
3. the answer: SUCCESS → 成功; ACCEPTED → 处理中 (the money is gone, a 退汇 may still come);
   FAILED → the money comes back in a return entry (``transfer-return:<number>``), the daily
   limit is given back, status 失败 with the other bank's reason.

Later returns (退汇) arrive through ``adapter.poll_returns()``, run by a due-work chain: the poll
row reschedules itself every minute while any inter-bank transfer is 处理中 (see
:func:`returns_poll_ensure`). Each return is applied once: the Transfer row is locked and only a
处理中 transfer can become 已退汇.

Why send inside the transaction: the simulator keeps its state in our database, so its record
of the instruction commits or rolls back with ours. A real clearing adapter would need an
outbox instead (commit the debit as 处理中, send after commit, apply the answer in a job); the
answer handling below is already written as a separate step for that.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.models import ReceiptDirection
from accounts.receipts.services import receipt_issue
from accounts.services import funds_move
from ebank.clearing.adapters import (
    AnswerOutcome,
    ClearingAnswer,
    ClearingTimeout,
    OutwardInstruction,
    get_clearing_adapter,
)
from ebank.clearing.routing import Channel
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.models import AuditOutcome
from ebank.duework.services import due_work_schedule
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.limits.services import LimitSubject, limit_release
from security.tools.services import sms_balance_alerts_send
from transfers.models import Transfer, TransferBusinessType, TransferKind, TransferStatus

from .common import limit_subject_for

logger = logging.getLogger(__name__)

DUE_POLL_RETURNS = "transfers.inter_poll_returns"
DUE_RESEND = "transfers.inter_resend"
POLL_INTERVAL = timedelta(minutes=1)
RESEND_DELAY = timedelta(minutes=1)
RECEIPT_CHANNEL = "网上银行"

CLEARING_BOOKS = {Channel.IBPS: BankBook.IBPS_CLEARING, Channel.HVPS: BankBook.HVPS_CLEARING}


def clearing_book_id(channel: str) -> int:
    return bank_book_id(CLEARING_BOOKS[Channel(channel)])


# --- side effects shared with the other transfer services -------------------------------------


def balance_alerts_on_commit(entry_id: int) -> None:
    """短信服务 balance-change messages for the entry, once it has committed (also used by
    transfers.collect)."""
    transaction.on_commit(partial(sms_balance_alerts_send, entry_id=entry_id))




def _payer_bank(transfer: Transfer) -> str:
    return transfer.from_sub_account.medium.branch.name


def _receipt_fields(transfer: Transfer) -> dict:
    medium = transfer.from_sub_account.medium
    return {
        "sub_account": transfer.from_sub_account,
        "amount": transfer.amount,
        "payer_name": transfer.customer.name,
        "payer_account": medium.number,
        "payer_bank": _payer_bank(transfer),
        "payee_name": transfer.payee_name,
        "payee_account": transfer.payee_account,
        "payee_bank": transfer.payee_bank_name,
        "purpose": transfer.purpose,
        "channel": RECEIPT_CHANNEL,
    }


# --- the debit and the instruction ------------------------------------------------------------


@transaction.atomic
def transfer_debit_and_send(*, transfer: Transfer, idempotency_key: str,
                            limit_subject: LimitSubject | None = None) -> Transfer:
    """Take the money and the limit, send the instruction, apply the answer (inner service).

    ``transfer`` must be locked by the caller (``select_for_update``) and not yet debited.
    Raises InsufficientFunds / LimitExceeded from the ledger; nothing is written then.
    ``limit_subject``: the customer's subject when the caller has it already; else read here.
    """
    posted = transfer_debit(transfer=transfer, idempotency_key=idempotency_key,
                            limit_subject=limit_subject)
    transfer.save(update_fields=["entry_id", "limit_day", "executed_at", "status"])
    if not posted.replayed:
        receipt_issue(**debit_receipt_spec(transfer))
        balance_alerts_on_commit(posted.entry_id)
    return transfer_send(transfer=transfer)


def transfer_debit(*, transfer: Transfer, idempotency_key: str,
                   limit_subject: LimitSubject | None = None, book_id: int | None = None):
    """The debit alone: ``funds_move`` to the channel's clearing book, the transfer's fields set
    (处理中, entry, limit day, executed at) but not saved; the ``PostResult``. Without a
    savepoint (a refusal raises, nothing written). ``book_id``: the clearing book's ledger id
    when the caller has read it (批量跨行转账, once per chunk)."""
    posted = funds_move(
        debit_ledger_id=transfer.from_sub_account.ledger_account_id,
        credit_ledger_id=book_id or clearing_book_id(transfer.channel),
        amount=transfer.amount,
        idempotency_key=idempotency_key,
        business_type=TransferBusinessType.INTER_TRANSFER,
        reference=transfer.number,
        memo=f"跨行转账 {transfer.payee_name}",
        limit_subject=limit_subject or limit_subject_for(customer=transfer.customer),
    )
    transfer.entry_id = posted.entry_id
    transfer.limit_day = business_day()
    transfer.executed_at = timezone.now()
    transfer.status = TransferStatus.PROCESSING
    return posted


def debit_receipt_spec(transfer: Transfer) -> dict:
    """``receipt_issue``'s arguments for the payer's 电子回单 of a debited transfer."""
    return {"entry_id": transfer.entry_id, "direction": ReceiptDirection.DEBIT,
            "business": TransferBusinessType.INTER_TRANSFER.label,
            "posted_at": transfer.executed_at, **_receipt_fields(transfer)}


def instruction_for(transfer: Transfer) -> OutwardInstruction:
    """The instruction sent for a transfer (its number is the reference)."""
    return OutwardInstruction(
        reference=transfer.number,
        channel=Channel(transfer.channel),
        amount=transfer.amount,
        payer_account=transfer.from_sub_account.medium.number,
        payer_name=transfer.customer.name,
        payee_account=transfer.payee_account,
        payee_name=transfer.payee_name,
        payee_bank_code=transfer.payee_bank_code,
        payee_branch_code=transfer.payee_branch_code,
        purpose=transfer.purpose,
    )


def _resend_schedule(transfer: Transfer) -> None:
    due_work_schedule(kind=DUE_RESEND, key=f"transfer:{transfer.pk}",
                      due_at=timezone.now() + RESEND_DELAY, payload={"transfer_id": transfer.pk})


@transaction.atomic
def transfer_send(*, transfer: Transfer) -> Transfer:
    """Send (or resend: same reference, same answer) a debited transfer and apply the answer."""
    try:
        answer = get_clearing_adapter().send(instruction_for(transfer))
    except ClearingTimeout:
        # Nobody knows whether it went: keep it 处理中 and resend the same reference shortly.
        _resend_schedule(transfer)
        return transfer
    return transfer_answer_apply(transfer=transfer, answer=answer)


@transaction.atomic
def transfer_answer_apply(*, transfer: Transfer, answer: ClearingAnswer) -> Transfer:
    """What the other bank said about a 处理中 transfer (locked by the caller)."""
    transfer_answers_apply([(transfer, answer)])
    return transfer


def transfer_answers_apply(pairs: list[tuple[Transfer, ClearingAnswer | None]]) -> None:
    """Apply each answer to its 处理中 transfer (saved, locked or just inserted by the caller);
    ``None`` = timed out (kept 处理中, resent shortly). The successes in one UPDATE; a failure
    goes through :func:`transfer_money_return` (money and limit back, 失败 with the reason);
    accepted ones make sure the 退汇 poll runs. Without a savepoint of its own."""
    succeeded, accepted = [], False
    for transfer, answer in pairs:
        if transfer.status != TransferStatus.PROCESSING:
            continue
        if answer is None:
            _resend_schedule(transfer)
        elif answer.outcome == AnswerOutcome.SUCCESS:
            succeeded.append(transfer)
        elif answer.outcome == AnswerOutcome.FAILED:
            transfer_money_return(transfer=transfer, reason=answer.reason or "收款行拒绝入账",
                                  status=TransferStatus.FAILED)
        else:
            # ACCEPTED: gone; a 退汇 may still arrive, so make sure somebody keeps listening.
            accepted = True
    if len(succeeded) == 1:
        succeeded[0].status = TransferStatus.SUCCEEDED
        succeeded[0].save(update_fields=["status"])
    elif succeeded:
        Transfer.objects.filter(pk__in=[t.pk for t in succeeded]).update(
            status=TransferStatus.SUCCEEDED)
        for transfer in succeeded:
            transfer.status = TransferStatus.SUCCEEDED
    if accepted:
        returns_poll_ensure()


@transaction.atomic
def transfer_money_return(*, transfer: Transfer, reason: str, status: str) -> Transfer:
    """Credit the money back from the clearing book and give the day's limit back, once.

    The caller holds the Transfer row; only a 处理中 transfer is returned, so a second call (a
    duplicate return notice, a rerun job) changes nothing. The limit is released before the
    posting so the lock order stays usage row → ledger accounts, as in every movement.
    """
    if transfer.status != TransferStatus.PROCESSING or transfer.entry_id is None:
        return transfer
    customer = transfer.customer
    if transfer.limit_day is not None:
        limit_release(subject=limit_subject_for(customer=customer), amount=transfer.amount,
                      day=transfer.limit_day)
    posted = funds_move(
        debit_ledger_id=clearing_book_id(transfer.channel),
        credit_ledger_id=transfer.from_sub_account.ledger_account_id,
        amount=transfer.amount,
        idempotency_key=f"transfer-return:{transfer.number}",
        business_type=TransferBusinessType.INTER_TRANSFER_RETURN,
        reference=transfer.number,
        memo=f"跨行退汇 {reason}"[:128],
    )
    transfer.return_entry_id = posted.entry_id
    transfer.status = status
    transfer.failure_reason = reason[:200]
    transfer.save(update_fields=["return_entry_id", "status", "failure_reason"])
    if not posted.replayed:
        fields = _receipt_fields(transfer)
        # The money comes back: the clearing system pays, the customer receives.
        fields.update(payer_name=transfer.payee_name, payer_account=transfer.payee_account,
                      payer_bank=transfer.payee_bank_name, payee_name=customer.name,
                      payee_account=transfer.from_sub_account.medium.number,
                      payee_bank=_payer_bank(transfer), purpose=f"退汇：{reason}"[:60])
        receipt_issue(entry_id=posted.entry_id, direction=ReceiptDirection.CREDIT,
                       business=TransferBusinessType.INTER_TRANSFER_RETURN.label,
                       posted_at=timezone.now(), **fields)
        balance_alerts_on_commit(posted.entry_id)
    audit_record(action="transfers.inter_returned" if status == TransferStatus.RETURNED
                 else "transfers.inter_failed",
                 outcome=AuditOutcome.FAILURE, customer_id=customer.pk, channel="system",
                 object_ref=f"transfer:{transfer.number}",
                 detail={"amount": str(transfer.amount), "reason": reason,
                         "return_entry": posted.entry_id})
    return transfer


# --- 退汇: polling the clearing system ----------------------------------------------------------


def returns_poll_ensure(*, after: timedelta = POLL_INTERVAL) -> None:
    """Make sure a poll of ``poll_returns`` is scheduled about a minute from now.

    One DueWork row per minute (the key is the minute), so calling this from every accepted
    transfer and from the poll itself schedules each minute once.
    """
    due_at = (timezone.now() + after).replace(second=0, microsecond=0) + timedelta(minutes=1)
    due_work_schedule(kind=DUE_POLL_RETURNS, key=f"minute:{due_at:%Y%m%d%H%M}", due_at=due_at,
                      payload={})


@transaction.atomic
def returns_apply(*, notices=None) -> int:
    """Apply every return the clearing system reports; returns how many transfers came back."""
    notices = get_clearing_adapter().poll_returns() if notices is None else notices
    applied = 0
    for notice in notices:
        transfer = (Transfer.objects.select_for_update(of=("self",))
                    .select_related("customer", "from_sub_account__medium__branch")
                    .filter(number=notice.reference, kind=TransferKind.INTER).first())
        if transfer is None:
            # Not ours (another channel's reference); the adapter will not deliver it again.
            logger.warning("return notice for unknown reference %s ignored", notice.reference)
            continue
        if transfer.status != TransferStatus.PROCESSING:
            continue
        transfer_money_return(transfer=transfer, reason=notice.reason or "收款行退回",
                              status=TransferStatus.RETURNED)
        applied += 1
    return applied


def returns_poll(work=None) -> int:
    """The due handler: apply returns, then keep polling while anything is 处理中."""
    applied = returns_apply()
    if Transfer.objects.filter(kind=TransferKind.INTER,
                               status=TransferStatus.PROCESSING).exists():
        returns_poll_ensure()
    return applied


def transfer_resend(work) -> None:
    """The due handler after a timeout: resend the same reference and apply the answer."""
    transfer = (Transfer.objects.select_for_update(of=("self",))
                .select_related("customer", "from_sub_account__medium__branch")
                .filter(pk=work.payload["transfer_id"]).first())
    if transfer is None or transfer.status != TransferStatus.PROCESSING:
        return
    answer = get_clearing_adapter().send(instruction_for(transfer))  # a timeout again → retried
    transfer_answer_apply(transfer=transfer, answer=answer)
