"""The issuer side of card activity (docs/creditcard.md, "The card and the acquirer"): what the
acquirer's purchases and refunds do to a card. Registered with the acquirer
(``ebank.acquirer.issuer``) from ``CreditcardConfig.ready()``.

* ``card_authorise`` — a purchase: approved and posted as a 消费 item through the engine
  (``charge_post``: the card's sub-account debited, 银联清算往来 credited, points earned), or
  declined with the reason (the card or its medium not 正常 — 挂失, 冻结, 销卡 — or beyond the
  可用额度); a declined purchase writes nothing.
* ``card_refund`` — a refund of one of the card's purchases by the acquirer's reference of it
  (``credit_post`` kind 退货: 银联清算往来 debited, the card credited, the purchase's points taken
  back); never more than the purchase less what was refunded before. A refund is accepted on a
  frozen or lost card: it only lowers what the customer owes.

Both are idempotent per acquirer reference (the engine's per-card reference): the same reference
again answers as the first time and posts nothing — only for the same transaction: another
amount (or a refund of another purchase) under a used reference is declined 收单流水号重复. A
purchase dated after the card's 有效期 (the end of its MM/YY month) is declined.
"""

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from accounts.models import Medium, MediumStatus
from ebank.acquirer.issuer import IssuerAnswer
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from ebank.ledger.bank_books import bank_book_id

from ..engine import card_lock, charge_post, credit_post
from ..models import (
    Card,
    CardBook,
    CardBusinessType,
    CardCredit,
    CardItem,
    CardStatus,
    CreditKind,
    ItemKind,
)

CENT = Decimal("0.01")
NO_SUCH_CARD = "无效卡号"
# A purchase and a refund share the engine's per-card reference space (and its ledger key).
DUPLICATE_REFERENCE = "收单流水号重复"


def _declined(reason: str) -> IssuerAnswer:
    return IssuerAnswer(approved=False, reason=reason)


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise BusinessError("交易金额无效") from exc
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise BusinessError("交易金额无效")
    return amount


def _card_id(card_number: str) -> int | None:
    number = "".join((card_number or "").split())
    return Card.objects.filter(medium__number=number).values_list("pk", flat=True).first()


def card_unusable_reason(card: Card) -> str:
    """Why the card may not buy (its medium 挂失/冻结/销户, or the card 冻结/销卡); "" if it may."""
    medium_status = Medium.objects.values_list("status", flat=True).get(
        pk=card.medium_id)
    if medium_status != MediumStatus.NORMAL:
        return f"该卡已{MediumStatus(medium_status).label}，交易被拒绝"
    if card.status != CardStatus.ACTIVE:
        return f"该卡已{CardStatus(card.status).label}，交易被拒绝"
    return ""


def card_valid_through(card: Card) -> date:
    """The card's last valid day: the end of the month of its 有效期 (MM/YY)."""
    month, year = (int(part) for part in card.expires.split("/"))
    year += 2000
    return date(year, month, calendar.monthrange(year, month)[1])


def _card_and_reference(card_number: str, reference: str
                        ) -> tuple[int | None, str, IssuerAnswer | None]:
    """The card's id and the acquirer's reference, trimmed, or the answer that declines them."""
    card_id = _card_id(card_number)
    if card_id is None:
        return None, "", _declined(NO_SUCH_CARD)
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        return card_id, reference, _declined("收单流水号无效")
    return card_id, reference, None


def card_authorise(*, card_number: str, amount, merchant: str, mcc: str, txn_date: date,
                   reference: str) -> IssuerAnswer:
    """Authorise and post a purchase (see the module's docstring)."""
    card_id, reference, refusal = _card_and_reference(card_number, reference)
    if refusal is not None:
        return refusal
    try:
        amount = _amount(amount)
        with transaction.atomic():
            card = card_lock(card_id)
            existing = CardItem.objects.filter(card=card, reference=reference).first()
            if existing is not None:
                if existing.kind != ItemKind.PURCHASE or existing.amount != amount:
                    return _declined(DUPLICATE_REFERENCE)   # the same reference, another txn
                return IssuerAnswer(approved=True, issuer_reference=f"item:{existing.pk}",
                                    replayed=True)
            if CardCredit.objects.filter(card=card, reference=reference).exists():
                return _declined(DUPLICATE_REFERENCE)   # the ledger key is the card's reference
            reason = card_unusable_reason(card)
            if reason:
                return _declined(reason)
            if txn_date > business_day() or txn_date < card.issued_on:
                return _declined("交易日期无效")
            if txn_date > card_valid_through(card):
                return _declined("该卡已过有效期，交易被拒绝")
            item = charge_post(
                card=card, kind=ItemKind.PURCHASE, amount=amount,
                business_type=CardBusinessType.PURCHASE,
                credit_ledger_id=bank_book_id(CardBook.ACQUIRER), txn_date=txn_date,
                posted_on=business_day(), reference=reference,
                description=f"消费 {merchant}".strip(), merchant=merchant, mcc=mcc,
                check_limit=True)
    except BusinessError as exc:
        return _declined(exc.message)
    return IssuerAnswer(approved=True, issuer_reference=f"item:{item.pk}")


def card_refund(*, card_number: str, amount, original_reference: str,
                reference: str) -> IssuerAnswer:
    """Post a refund of the card's purchase ``original_reference`` (see the module's docstring)."""
    card_id, reference, refusal = _card_and_reference(card_number, reference)
    if refusal is not None:
        return refusal
    try:
        amount = _amount(amount)
        with transaction.atomic():
            card = card_lock(card_id)
            existing = CardCredit.objects.filter(card=card, reference=reference).select_related(
                "refund_of").first()
            if existing is not None:
                if (existing.kind != CreditKind.REFUND or existing.amount != amount
                        or existing.refund_of is None or existing.refund_of.reference
                        != (original_reference or "").strip()):
                    return _declined(DUPLICATE_REFERENCE)   # the same reference, another txn
                return IssuerAnswer(approved=True, issuer_reference=f"credit:{existing.pk}",
                                    replayed=True)
            if CardItem.objects.filter(card=card, reference=reference).exists():
                return _declined(DUPLICATE_REFERENCE)
            original = CardItem.objects.filter(card=card, kind=ItemKind.PURCHASE,
                                               reference=(original_reference or "").strip()
                                               ).first()
            if original is None:
                return _declined("原交易不存在")
            refundable = original.amount - original.refunded
            if amount > refundable:
                return _declined(f"退货金额超过原交易可退金额（可退{format_cny(refundable)}）")
            result = credit_post(
                card=card, kind=CreditKind.REFUND, amount=amount,
                business_type=CardBusinessType.REFUND,
                debit_ledger_id=bank_book_id(CardBook.ACQUIRER), txn_date=business_day(),
                posted_on=business_day(), reference=reference,
                description=f"退货 {original.merchant or original.description}",
                merchant=original.merchant, refund_of=original)
    except BusinessError as exc:
        return _declined(exc.message)
    return IssuerAnswer(approved=True, issuer_reference=f"credit:{result.credit.pk}")
