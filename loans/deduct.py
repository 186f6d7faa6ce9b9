"""贷款到期扣款 (LN-REPAY; DOMAIN-RULES §4): the nightly deduction of what is due.

For the business date D, every 借据 with an open period due on or before D (in 借据 id order),
each in :func:`loan_deduct` under the 借据's lock: wanted = what those periods owe (本金, 利息,
罚息, 复利); take = min(wanted, the repayment account's available balance, read under the lock of
its ledger row); paid through ``book.dues_pay`` (复利, 罚息, interest, then principal of the
oldest period first). One :class:`~loans.models.Deduction` per 借据 and date (PAID / PARTIAL /
FAILED), written under the 借据's lock, so a rerun posts nothing twice; a partial or failed one
texts the customer after commit.

Lock order: the 借据, then the ledger rows the entry will touch (the repayment account and the
three loan books) in id order — the order ``entry_post`` takes them in, so reading the balance
under a lock never waits in an order another payment could cross.
"""

import logging
from datetime import date
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction

from accounts.payers import payer_refusal
from accounts.receipts.services import ReceiptChannel
from ebank.core.audit import audit_record
from ebank.core.models import AuditOutcome
from ebank.ledger.models import LedgerAccount
from security.tools.sms import sms_send

from .book import (
    dues_pay,
    instalments_due,
    loan_book_ids,
    loan_lock,
    owed_split,
    status_refresh,
)
from .models import (
    ZERO,
    Deduction,
    DeductionStatus,
    Instalment,
    Loan,
    LoanStatus,
    RepaymentKind,
)

DEDUCT_ACTION = "loans.deduct"
AUDIT_LABELS = {DEDUCT_ACTION: "贷款到期扣款"}
PURPOSE_DEDUCT = "loan_deduct"
SMS_PURPOSES = {PURPOSE_DEDUCT: "贷款扣款通知"}
NOTE_SHORT = "还款账户余额不足"
NOTE_ACCOUNT = "还款账户状态异常"

logger = logging.getLogger(__name__)


def deduct_key(loan_id: int, on: date) -> str:
    return f"loan-deduct:{loan_id}:{on}"


def loans_due(on: date) -> list[int]:
    """The ids of the 借据 with an open period due on or before ``on`` and no deduction for
    ``on`` yet, in id order."""
    due = Instalment.objects.filter(active=True, settled_on__isnull=True, due_date__lte=on)
    return list(Loan.objects.exclude(status=LoanStatus.SETTLED)
                .filter(pk__in=due.values("loan_id"))
                .exclude(deductions__business_date=on)
                .order_by("pk").values_list("pk", flat=True))


def _available_locked(account) -> Decimal:
    """The repayment account's available balance, read under the lock of its ledger row (taken
    with the loan books', in id order)."""
    ids = sorted({account.ledger_account_id, *loan_book_ids().values()})
    rows = {row.pk: row for row in
            LedgerAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    ledger = rows[account.ledger_account_id]
    return ledger.available


def loan_deduct(*, loan_id: int, on: date) -> Deduction | None:
    """The deduction of one 借据 on ``on``, once: the existing row when there is one; None when
    nothing is due (paid during the day, prepaid). In the caller's transaction (its own when
    there is none)."""
    with transaction.atomic(savepoint=False):
        loan = loan_lock(loan_id)
        existing = Deduction.objects.filter(loan=loan, business_date=on).first()
        if existing is not None:
            return existing
        due_rows = instalments_due(loan, on)
        wanted = owed_split(due_rows).total
        if wanted <= 0:
            status_refresh(loan, overdue_through=on)
            return None
        account = loan.repayment_account
        deduction = Deduction(loan=loan, business_date=on, wanted=wanted, paid=ZERO)
        if payer_refusal(account):
            deduction.status, deduction.note = DeductionStatus.FAILED, NOTE_ACCOUNT
        else:
            take = max(ZERO, min(wanted, _available_locked(account)))
            if take <= 0:
                deduction.status, deduction.note = DeductionStatus.FAILED, NOTE_SHORT
            else:
                deduction.repayment = dues_pay(
                    loan=loan, account=account, on=on, amount=take, kind=RepaymentKind.DEDUCT,
                    idempotency_key=deduct_key(loan.pk, on), channel=ReceiptChannel.BATCH,
                    rows=due_rows)
                deduction.paid = take
                if take < wanted:
                    deduction.status, deduction.note = DeductionStatus.PARTIAL, NOTE_SHORT
                else:
                    deduction.status = DeductionStatus.PAID
        deduction.save(force_insert=True)
        if deduction.repayment is None:   # a payment refreshed the status already
            status_refresh(loan, overdue_through=on)
        failed = deduction.status != DeductionStatus.PAID
        audit_record(action=DEDUCT_ACTION, channel="system",
                     outcome=AuditOutcome.FAILURE if failed else AuditOutcome.SUCCESS,
                     customer_id=loan.customer_id, object_ref=f"loan:{loan.number}",
                     detail={"date": str(on), "wanted": str(deduction.wanted),
                             "paid": str(deduction.paid), "status": deduction.status,
                             "note": deduction.note})
        if failed:
            transaction.on_commit(partial(deduct_sms_send, deduction_id=deduction.pk))
        return deduction


def deduct_sms_text(deduction: Deduction) -> str:
    loan = deduction.loan
    return (f"【{settings.BANK_NAME}】您尾号{loan.number[-4:]}的贷款"
            f"{deduction.business_date:%m月%d日}应扣{deduction.wanted:,.2f}元，"
            f"实扣{deduction.paid:,.2f}元（{deduction.note}）。"
            f"请尽快存入足额资金以免产生罚息。")


def deduct_sms_send(*, deduction_id: int) -> bool:
    """After commit: text the customer's 预留手机号 about a partial or failed deduction; True when
    sent. A gateway outage is logged by the SMS module and undoes nothing."""
    deduction = (Deduction.objects.select_related("loan__customer")
                 .filter(pk=deduction_id).first())
    if deduction is None or deduction.status == DeductionStatus.PAID:
        return False
    phone = deduction.loan.customer.phone
    if not phone:
        return False
    try:
        sms_send(phone=phone, text=deduct_sms_text(deduction), purpose=PURPOSE_DEDUCT)
    except Exception:
        # Never the text nor the phone in the log (customer data).
        logger.warning("SMS %s for deduction %s not sent", PURPOSE_DEDUCT, deduction_id,
                       exc_info=True)
        return False
    return True


def deductions_run(on: date) -> int:
    """Every 借据 due on ``on`` (the nightly step ``loans_deduct``); the number of deductions
    written."""
    written = 0
    for loan_id in loans_due(on):
        if loan_deduct(loan_id=loan_id, on=on) is not None:
            written += 1
    return written

