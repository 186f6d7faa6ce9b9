"""自动还款管理 (CC-AUTOREPAY): the setting (全额还款 or 最低还款额 from one of the customer's own
借记卡, or none) and the due-date run of the nightly batch.

Setting: X-CONFIRM with the chosen debit card's 交易密码 (it authorises debiting that card);
cancelling asks the credit card's own 交易密码 (the debit card may be the very reason — lost,
closed). An audit row either way.

The run (:func:`autorepay_run`, the nightly step ``card_autorepay`` on each statement's due
date): wanted = what the statement still owes (全额) or its minimum still unpaid; it takes
min(wanted, the debit card's available balance) — a short balance takes what is there, the rest
accrues interest and 违约金 as the statement run decides. One :class:`AutoRepayRun` per
statement (PAID / PARTIAL / FAILED / NOT_NEEDED), written under the card's lock, so a rerun posts
nothing twice; a failed or partial deduction texts the debit card's 短信服务 subscriber.
"""

from datetime import date
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import MediumKind, SubAccount, SubAccountKind
from accounts.payers import account_label
from accounts.receipts.services import ReceiptChannel
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome
from ebank.ledger.models import LedgerAccount
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools.services import subscriber_sms_send

from ..engine import ZERO, card_lock, credit_post
from ..models import (
    AutoRepayMode,
    AutoRepayRun,
    AutoRepayStatus,
    Card,
    CardBusinessType,
    CreditKind,
    Statement,
)
from ..selectors import minimum_unpaid, statement_unpaid
from ..settings import card_setting_on
from .common import account_usable, card_of, card_receipts, own_account

KIND_AUTOREPAY = "creditcard.autorepay"
ROLE = "自动还款账户"
UNCHANGED = "自动还款设置未变更"
NOT_SET = "该信用卡尚未设置自动还款"
SET_ACTION = "creditcard.autorepay_set"
CANCEL_ACTION = "creditcard.autorepay_cancel"
PURPOSE_AUTOREPAY = "card_autorepay"
SMS_PURPOSES = {PURPOSE_AUTOREPAY: "信用卡自动还款通知"}
NOTE_SHORT = "扣款账户余额不足"
NOTE_ACCOUNT = "扣款账户状态异常"


def autorepay_account(card: Card) -> SubAccount | None:
    """The 活期主账户 of the card's 自动还款 debit card (None when not set)."""
    if card.autorepay_medium_id is None:
        return None
    return (SubAccount.objects.select_related("medium__branch", "medium__customer",
                                              "ledger_account")
            .filter(medium_id=card.autorepay_medium_id, kind=SubAccountKind.CURRENT_MAIN)
            .first())


@transaction.atomic(durable=True)
def autorepay_start(*, user: User, card_id, mode: str, sub_account_id=None) -> PendingOperation:
    """提交: 全额/最低 from an own 借记卡, or 取消 (mode NONE)."""
    customer = user.customer
    card = card_of(customer, card_id)
    if mode not in AutoRepayMode.values:
        raise BusinessError("请选择自动还款方式", code="mode")
    card_line = ("信用卡", f"{card.product} {card.medium.masked_number}")
    if mode == AutoRepayMode.NONE:
        if card.autorepay_mode == AutoRepayMode.NONE:
            raise BusinessError(NOT_SET, code="mode")
        return operation_start(
            user=user, kind=KIND_AUTOREPAY, payload={"card": card.pk, "mode": mode},
            summary=[card_line, ("设置内容", "取消自动还款")], medium=card.medium,
            back_url=f"{reverse('creditcard:autorepay')}?card={card.pk}")
    account = own_account(customer, sub_account_id, role=ROLE, debit_cards_only=True)
    if card.autorepay_mode == mode and card.autorepay_medium_id == account.medium_id:
        raise BusinessError(UNCHANGED, code="mode")
    return operation_start(
        user=user, kind=KIND_AUTOREPAY,
        payload={"card": card.pk, "mode": mode, "sub_account": account.pk},
        summary=[card_line, ("自动还款方式", AutoRepayMode(mode).label),
                 ("自动还款账户", account_label(account))],
        medium=account.medium,
        back_url=f"{reverse('creditcard:autorepay')}?card={card.pk}")


@operation_kind(KIND_AUTOREPAY, title="自动还款设置", requires_pin=True, requires_tool=False,
                allow_sms=True)
def autorepay_execute(*, operation: PendingOperation) -> dict:
    p = operation.payload
    customer = operation.user.customer
    card = card_lock(card_of(customer, p["card"]).pk)
    mode = p["mode"]
    before = {"mode": card.autorepay_mode, "medium": card.autorepay_medium_id}
    if mode == AutoRepayMode.NONE:
        card.autorepay_mode, card.autorepay_medium = AutoRepayMode.NONE, None
        action, message = CANCEL_ACTION, "已取消自动还款"
        lines = []
    else:
        account = own_account(customer, p["sub_account"], role=ROLE, debit_cards_only=True)
        card.autorepay_mode, card.autorepay_medium = mode, account.medium
        action = SET_ACTION
        message = (f"自动还款设置成功：每期到期还款日从{account_label(account)}"
                   f"自动扣款（{AutoRepayMode(mode).label}）")
        lines = [["自动还款账户", account_label(account)]]
    card.save(update_fields=["autorepay_mode", "autorepay_medium"])
    audit_record(action=action, actor=operation.user, customer_id=customer.pk,
                 object_ref=f"card:{card.pk}",
                 detail={"before": before,
                         "after": {"mode": card.autorepay_mode,
                                   "medium": card.autorepay_medium_id}})
    return {"message": message, "lines": lines}


# --- the due-date run ----------------------------------------------------------------------------


def autorepay_run(*, statement: Statement, on: date) -> AutoRepayRun | None:
    """自动还款 of ``statement`` on ``on`` (its due date), once: None when the card has no
    setting; the existing run when one was made. In the caller's transaction; the card locked
    first, then the debit card's ledger account (read under its lock, so the amount taken is
    there), then ``credit_post`` (which locks both ledger accounts)."""
    with transaction.atomic(savepoint=False):
        card = card_lock(statement.card_id)
        existing = AutoRepayRun.objects.filter(statement=statement).first()
        if existing is not None:
            return existing
        if card.autorepay_mode == AutoRepayMode.NONE or card.autorepay_medium_id is None:
            return None
        mode = card.autorepay_mode
        wanted = (statement_unpaid(statement) if mode == AutoRepayMode.FULL
                  else minimum_unpaid(statement))
        run = AutoRepayRun(statement=statement, mode=mode, medium_id=card.autorepay_medium_id,
                           wanted=wanted, paid=ZERO, run_on=on)
        account = autorepay_account(card)
        if wanted <= 0:
            run.status = AutoRepayStatus.NOT_NEEDED
        elif (account is None or account.medium.kind != MediumKind.DEBIT_CARD
              or account.medium.customer_id != card.customer_id or not account_usable(account)):
            run.status, run.note = AutoRepayStatus.FAILED, NOTE_ACCOUNT
        else:
            # Any other writer of this debit card's ledger account does not hold the card, and
            # any writer of the card's holds the card first: this lock cannot close a cycle.
            ledger = LedgerAccount.objects.select_for_update().get(pk=account.ledger_account_id)
            take = max(ZERO, min(wanted, ledger.balance - ledger.held))
            if take <= 0:
                run.status, run.note = AutoRepayStatus.FAILED, NOTE_SHORT
            else:
                _deduct(run=run, card=card, account=account, statement=statement, amount=take,
                        on=on)
        run.save(force_insert=True)
        failed = run.status in (AutoRepayStatus.FAILED, AutoRepayStatus.PARTIAL)
        audit_record(action="creditcard.autorepay_run", channel="system",
                     outcome=AuditOutcome.FAILURE if failed else AuditOutcome.SUCCESS,
                     customer_id=card.customer_id, object_ref=f"statement:{statement.pk}",
                     detail={"mode": mode, "wanted": str(run.wanted), "paid": str(run.paid),
                             "status": run.status})
        if failed:
            transaction.on_commit(partial(autorepay_sms_send, run_id=run.pk))
        return run


def _deduct(*, run: AutoRepayRun, card: Card, account: SubAccount, statement: Statement,
            amount: Decimal, on: date) -> None:
    result = credit_post(
        card=card, kind=CreditKind.AUTO_REPAYMENT, amount=amount,
        business_type=CardBusinessType.AUTO_REPAYMENT,
        debit_ledger_id=account.ledger_account_id, txn_date=on, posted_on=on,
        reference=f"autorepay:{statement.pk}", description="信用卡自动还款",
        from_medium=account.medium, memo=f"信用卡自动还款 {card.medium.masked_number}")
    run.credit, run.paid = result.credit, amount
    if amount < run.wanted:
        run.status, run.note = AutoRepayStatus.PARTIAL, NOTE_SHORT
    else:
        run.status = AutoRepayStatus.PAID
    card_receipts(entry_id=result.credit.entry_id, amount=amount, payer=account,
                  payee=card.sub_account, business=CardBusinessType.AUTO_REPAYMENT.label,
                  purpose=f"{statement.statement_date:%Y年%m月}账单自动还款",
                  posted_at=timezone.now(), channel=ReceiptChannel.BATCH)


def autorepay_shortfall_costs(run: AutoRepayRun) -> str:
    """What the shortfall of a failed or partial run will cost, as the rules count it: 违约金 (and
    interest) when the minimum still unpaid is above 容差; interest alone when a 全额 run leaves
    the statement short by more than 容差; "" when the shortfall is within 容差 (counted as
    paid: nothing to warn about)."""
    statement = run.statement
    tolerance = card_setting_on(statement.due_date).tolerance
    if minimum_unpaid(statement) > tolerance:
        return "利息和违约金"
    if run.mode == AutoRepayMode.FULL and statement_unpaid(statement) > tolerance:
        return "利息"
    return ""


def autorepay_sms_text(run: AutoRepayRun, costs: str | None = None) -> str:
    statement = run.statement
    card_number = statement.card.medium.number
    costs = autorepay_shortfall_costs(run) if costs is None else costs
    return (f"【{settings.BANK_NAME}】您尾号{card_number[-4:]}的信用卡"
            f"{statement.statement_date:%Y年%m月}账单自动还款应扣{run.wanted:,.2f}元，"
            f"实扣{run.paid:,.2f}元（{run.note}，扣款卡尾号{run.medium.number[-4:]}）。"
            f"请于{statement.due_date:%m月%d日}后尽快补足还款，以免产生{costs}。")


def autorepay_sms_send(*, run_id: int) -> bool:
    """After commit: text the 短信服务 subscriber of the debit card (else of the credit card)
    about a failed or partial deduction; True when sent."""
    run = (AutoRepayRun.objects.select_related("statement__card__medium", "medium")
           .filter(pk=run_id).first())
    if run is None or run.status not in (AutoRepayStatus.FAILED, AutoRepayStatus.PARTIAL):
        return False
    costs = autorepay_shortfall_costs(run)
    if not costs:   # short by no more than 容差: counted as paid, no warning
        return False
    card = run.statement.card
    debit = (SubAccount.objects.filter(medium_id=run.medium_id,
                                       kind=SubAccountKind.CURRENT_MAIN)
             .values_list("pk", flat=True).first())
    for sub_account_id in (debit, card.sub_account_id):
        if sub_account_id is not None and subscriber_sms_send(
                sub_account_id=sub_account_id, text=lambda: autorepay_sms_text(run, costs),
                purpose=PURPOSE_AUTOREPAY, reference=f"autorepay:{run.statement_id}"):
            return True
    return False


def statements_due(on: date):
    """Statements due on ``on`` whose card has 自动还款 and no run yet."""
    return (Statement.objects.filter(due_date=on, autorepay_run__isnull=True)
            .exclude(card__autorepay_mode=AutoRepayMode.NONE)
            .order_by("card_id", "statement_date"))
