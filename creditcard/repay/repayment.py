"""信用卡还款 (CC-REPAY): from one of the customer's own 活期 accounts to one of their cards.

1. **Start** (:func:`repay_start`, the page's 提交): the card, the 转出账号 (a linked 活期主账户:
   借记卡, 活期存折, 活期一本通), the amount — 全额还款 (what the last statement still owes,
   ``selectors.statement_unpaid``), 最低还款额 (``selectors.minimum_unpaid``) or 其他金额 (any
   amount: more than is owed stays on the card as 溢缴款) — and the balance; then X-CONFIRM
   with the paying account's 交易密码.
2. **Execute** (:func:`repay_execute`, the confirmation's transaction): the card and the account
   again, ``engine.credit_post`` (the account debited, the card credited and applied in the
   repayment order; idempotency from the operation), the two 电子回单. An own card's repayment
   counts toward no limit (as 关联账户互转). 余额不足 refuses with nothing written.

The amount is fixed at 提交: the confirmation shows it and the executor posts exactly that — a
全额/最低 one only while the card still owes at least that much (else refused, nothing written).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.payers import account_label, receipt_url
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError, InsufficientFunds
from ebank.core.money import as_money, format_cny, parse_amount_named
from security.confirm.registry import operation_kind
from security.confirm.services import operation_start
from security.models import PendingOperation, User
from security.tools.alerts import sms_balance_alerts_send

from ..engine import ZERO, card_balance, card_lock, credit_post, overpayment
from ..models import Allocation, Card, CardBusinessType, CreditKind, Statement
from ..selectors import last_statement, minimum_unpaid, statement_unpaid
from .common import card_of, card_receipts, own_account

KIND_REPAY = "creditcard.repay"
ROLE = "转出账户"
INSUFFICIENT = "转出账户余额不足"
FULL_PAID = "本期账单已还清，无需全额还款"
MINIMUM_PAID = "本期最低还款额已还清"
NO_STATEMENT = "该信用卡尚无已出账单，请选择“其他金额”"
AMOUNT_CHANGED = "应还金额已变化，请重新发起还款"


class RepayChoice:
    FULL = "full"
    MINIMUM = "minimum"
    OTHER = "other"
    CHOICES = [(FULL, "全额还款"), (MINIMUM, "最低还款额"), (OTHER, "其他金额")]


@dataclass(frozen=True)
class RepayFigures:
    """What the page shows of a card before a repayment."""

    statement: Statement | None
    full: Decimal        # 全额还款: what the last statement still owes
    minimum: Decimal     # 最低还款额 still to pay
    owed: Decimal        # 当前欠款 (the whole balance, unbilled included; never below zero)
    overpaid: Decimal    # 溢缴款


def repay_figures(card: Card, *, as_of: date | None = None) -> RepayFigures:
    statement = last_statement(card)
    full = statement_unpaid(statement) if statement else ZERO
    minimum = minimum_unpaid(statement) if statement else ZERO
    balance = card_balance(card)
    return RepayFigures(statement=statement, full=full, minimum=minimum,
                        owed=max(ZERO, balance), overpaid=overpayment(card))


def repay_amount(card: Card, *, choice: str, typed) -> Decimal:
    """The amount of a 还款方式 (BusinessError with code "amount" / "choice")."""
    if choice == RepayChoice.OTHER:
        return parse_amount_named(typed, label="还款金额")
    if choice not in (RepayChoice.FULL, RepayChoice.MINIMUM):
        raise BusinessError("请选择还款方式", code="choice")
    figures = repay_figures(card)
    if figures.statement is None:
        raise BusinessError(NO_STATEMENT, code="choice")
    if choice == RepayChoice.FULL:
        if figures.full <= 0:
            raise BusinessError(FULL_PAID, code="choice")
        return figures.full
    if figures.minimum <= 0:
        raise BusinessError(MINIMUM_PAID, code="choice")
    return figures.minimum


def _still_owed(card: Card, *, choice: str, amount: Decimal) -> None:
    figures = repay_figures(card)
    owed = figures.full if choice == RepayChoice.FULL else figures.minimum
    if owed <= 0:
        raise BusinessError(FULL_PAID if choice == RepayChoice.FULL else MINIMUM_PAID,
                            code="choice")
    if owed < amount:
        raise BusinessError(AMOUNT_CHANGED, code="choice")


def repay_split_lines(credit, *, applied: Decimal) -> list[list[str]]:
    """How a repayment went: to billed items (还入账单) and to items not billed yet."""
    billed = (Allocation.objects.filter(credit=credit, item__statement__isnull=False)
              .aggregate(s=Sum("amount"))["s"] or ZERO)
    lines = [["还入账单", format_cny(billed)]]
    if applied - billed > 0:
        lines.append(["冲还未出账单交易", format_cny(applied - billed)])
    return lines


@transaction.atomic(durable=True)
def repay_start(*, user: User, card_id, sub_account_id, choice: str, amount=None
                ) -> PendingOperation:
    """提交: check the card, the account, the amount and the balance; start the confirmation
    (nothing is written when refused)."""
    customer = user.customer
    card = card_of(customer, card_id)
    account = own_account(customer, sub_account_id, role=ROLE)
    value = repay_amount(card, choice=choice, typed=amount)
    ledger = account.ledger_account
    available = ledger.balance - ledger.held
    if available < value:
        raise BusinessError(f"{INSUFFICIENT}（可用余额{format_cny(available)}）",
                            code="insufficient_funds")
    summary = [("还款信用卡", f"{card.product} {card.medium.masked_number}"),
               ("转出账号", account_label(account)),
               ("还款方式", dict(RepayChoice.CHOICES)[choice])]
    return operation_start(
        user=user, kind=KIND_REPAY,
        payload={"card": card.pk, "sub_account": account.pk, "choice": choice,
                 "amount": f"{value:.2f}"},
        summary=summary, medium=account.medium,
        back_url=f"{reverse('creditcard:repay')}?card={card.pk}")


@operation_kind(KIND_REPAY, title="信用卡还款", requires_pin=True, requires_tool=False,
                allow_sms=True)
def repay_execute(*, operation: PendingOperation) -> dict:
    """Post the repayment once (``credit_post`` under the operation's key) with its receipts."""
    p = operation.payload
    customer = operation.user.customer
    card = card_of(customer, p["card"])
    account = own_account(customer, p["sub_account"], role=ROLE)
    amount = as_money(p["amount"])
    if p["choice"] != RepayChoice.OTHER:
        # 全额/最低 is "what is owed", fixed at 提交: under the card's lock (first, as every card
        # write), refuse when a repayment since (another tab, 自动还款) has left less owed than
        # that, so the same statement is not paid twice and nothing turns into 溢缴款 unasked.
        card = card_lock(card.pk)
        _still_owed(card, choice=p["choice"], amount=amount)
    day = business_day()
    try:
        result = credit_post(
            card=card, kind=CreditKind.REPAYMENT, amount=amount,
            business_type=CardBusinessType.REPAYMENT,
            debit_ledger_id=account.ledger_account_id, txn_date=day, posted_on=day,
            reference=operation.idempotency_key, description="信用卡还款",
            from_medium=account.medium, memo=f"信用卡还款 {card.medium.masked_number}")
    except InsufficientFunds:
        raise BusinessError(INSUFFICIENT, code="insufficient_funds") from None
    credit = result.credit
    payer_receipt = card_receipts(
        entry_id=credit.entry_id, amount=amount, payer=account, payee=card.sub_account,
        business=CardBusinessType.REPAYMENT.label, purpose="信用卡还款",
        posted_at=timezone.now())
    transaction.on_commit(partial(sms_balance_alerts_send, entry_id=credit.entry_id))
    audit_record(action="creditcard.repay", actor=operation.user, customer_id=customer.pk,
                 object_ref=f"card:{card.pk}",
                 detail={"amount": str(amount), "applied": str(result.applied),
                         "overpaid": str(result.overpaid), "entry": credit.entry_id})
    return {
        "message": f"还款成功：{format_cny(amount)}已存入信用卡",
        "receipt_url": receipt_url(payer_receipt),
        "lines": [*repay_split_lines(credit, applied=result.applied),
                  ["溢缴款", format_cny(result.overpaid)],
                  ["当前欠款", format_cny(max(ZERO, card_balance(card)))]],
    }
