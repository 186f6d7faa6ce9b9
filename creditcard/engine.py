"""The card engine: every change of what a card owes (docs/creditcard.md, "The card ledger").

Every service here locks the :class:`Card` row first (``card_lock``), then posts through the
ledger (which locks its accounts in primary-key order): one fixed order for every card write,
the statement run's included. Each joins the caller's transaction (``atomic(savepoint=False)``)
so the caller's other writes commit or roll back with it.

* ``charge_post`` — a debit item (purchase, cash, fee, interest, 违约金, 分期手续费) through the
  ledger: the card's sub-account debited, a bank book credited;
* ``item_add`` — a debit item with no entry (an instalment's principal coming due: the ledger
  balance already holds it);
* ``credit_post`` — a repayment or refund through the ledger, then applied to what is owed in
  the repayment order; what is left is 溢缴款 (a refund of a purchase in an active 灵活分期 ends
  the plan first, its unbilled principal billed at once and paid by the refund first);
* ``conversion_add`` — an instalment conversion (no entry): the chosen items are paid by it.

The repayment order (DOMAIN-RULES §3): the oldest statement first; within a statement fees →
interest → cash → instalments due → purchases (``REPAYMENT_ORDER``), the oldest posting first;
unbilled items after every statement. 溢缴款 pays a new item the moment it is posted.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Sum

from ebank.core.errors import BusinessError
from ebank.ledger.models import LedgerAccount
from ebank.ledger.services import Leg, entry_post

from .models import (
    REPAYMENT_ORDER,
    Allocation,
    Card,
    CardCredit,
    CardItem,
    CardStatus,
    CreditKind,
    InstalmentKind,
    InstalmentPlan,
    InstalmentStatus,
    ItemKind,
    PointsSource,
)
from .points.book import points_earn
from .settings import card_setting_on

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal) -> Decimal:
    """Half-up to the fen (DOMAIN-RULES: rounded once, where posted)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class CardLimitExceeded(BusinessError):
    code = "card_limit_exceeded"
    default_message = "信用卡可用额度不足"


class CardCashLimitExceeded(CardLimitExceeded):
    code = "card_cash_limit_exceeded"
    default_message = "信用卡可用取现额度不足"


class CardUnavailable(BusinessError):
    code = "card_unavailable"
    default_message = "该信用卡状态不正常，不能办理此交易"


# --- reads under the card lock ------------------------------------------------------------------


def card_lock(card_id: int) -> Card:
    """The card row ``SELECT … FOR UPDATE`` (first in every card write's lock order)."""
    return Card.objects.select_for_update().select_related("sub_account").get(pk=card_id)


def card_balance(card: Card) -> Decimal:
    """What the card owes now (the ledger's balance; negative: 溢缴款)."""
    return LedgerAccount.objects.values_list("balance", flat=True).get(
        pk=card.sub_account.ledger_account_id)


def available_credit(card: Card) -> Decimal:
    """可用额度: the credit limit less what is owed (instalments not yet billed included)."""
    return card.credit_limit - card_balance(card)


def cash_outstanding(card: Card) -> Decimal:
    return (CardItem.objects.filter(card=card, kind=ItemKind.CASH)
            .aggregate(s=Sum("outstanding"))["s"] or ZERO)


def cash_available(card: Card) -> Decimal:
    """可用取现额度: the cash limit less cash not yet repaid, within the available credit."""
    return max(ZERO, min(available_credit(card), card.cash_limit - cash_outstanding(card)))


def overpayment(card: Card) -> Decimal:
    """溢缴款: credits no item has taken."""
    return (CardCredit.objects.filter(card=card, unapplied__gt=0)
            .aggregate(s=Sum("unapplied"))["s"] or ZERO)


# --- allocation ---------------------------------------------------------------------------------


def _order_key(item: CardItem, statement_dates: dict[int, date]):
    billed = statement_dates.get(item.statement_id)
    return (billed is None, billed or date.max, REPAYMENT_ORDER[item.kind], item.posted_on,
            item.pk)


def _apply(credit: CardCredit, items: Iterable[CardItem]) -> Decimal:
    """Apply ``credit.unapplied`` to ``items`` in the given order; returns what was applied."""
    applied = ZERO
    rows = []
    for item in items:
        if credit.unapplied <= 0:
            break
        take = min(item.outstanding, credit.unapplied)
        if take <= 0:
            continue
        item.outstanding -= take
        credit.unapplied -= take
        applied += take
        rows.append(Allocation(credit=credit, item=item, amount=take,
                               applied_on=max(credit.posted_on, item.posted_on)))
        CardItem.objects.filter(pk=item.pk).update(outstanding=F("outstanding") - take)
    if rows:
        Allocation.objects.bulk_create(rows)
        CardCredit.objects.filter(pk=credit.pk).update(unapplied=credit.unapplied)
    return applied


def outstanding_items(card: Card) -> list[CardItem]:
    """The card's unpaid items in the repayment order."""
    items = list(CardItem.objects.filter(card=card, outstanding__gt=0))
    statement_ids = {item.statement_id for item in items if item.statement_id}
    dates = dict(card.statements.filter(pk__in=statement_ids)
                 .values_list("pk", "statement_date")) if statement_ids else {}
    return sorted(items, key=lambda item: _order_key(item, dates))


def _apply_overpayment(card: Card, item: CardItem) -> None:
    """A new item is paid first from 溢缴款 (the oldest credit first)."""
    for credit in CardCredit.objects.filter(card=card, unapplied__gt=0).order_by("posted_on",
                                                                                  "pk"):
        if item.outstanding <= 0:
            return
        _apply(credit, [item])


# --- debit items --------------------------------------------------------------------------------


def _existing_item(card: Card, reference: str) -> CardItem | None:
    return CardItem.objects.filter(card=card, reference=reference).first()


def charge_post(*, card: Card, kind: str, amount: Decimal, business_type: str,
                credit_ledger_id: int, txn_date: date, posted_on: date, reference: str,
                description: str, merchant: str = "", mcc: str = "", check_limit: bool = False,
                interest_from: date | None = None, instalment: InstalmentPlan | None = None,
                period: int | None = None, memo: str = "") -> CardItem:
    """Post a debit item once per (card, ``reference``): the card's sub-account debited and
    ``credit_ledger_id`` credited by one ledger entry (idempotency key ``card:<id>:<reference>``).

    ``check_limit``: refuse (CardLimitExceeded, nothing written) beyond 可用额度 — purchases
    and cash, and a 取现 (``kind`` CASH) beyond 可用取现额度 too (CardCashLimitExceeded); fees, interest and 违约金 are charged whatever the limit (no over-limit fee,
    DOMAIN-RULES §3). A purchase earns its points (``points_per_yuan`` of the day's setting,
    whole points, rounded down). Returns the item (the first one on a replay).
    """
    amount = _positive(amount)
    with transaction.atomic(savepoint=False):
        card = card_lock(card.pk)
        existing = _existing_item(card, reference)
        if existing is not None:
            return existing
        if check_limit:
            if card.status != CardStatus.ACTIVE:
                raise CardUnavailable()
            if amount > available_credit(card):
                raise CardLimitExceeded()
            if kind == ItemKind.CASH and amount > cash_available(card):
                raise CardCashLimitExceeded()
        result = entry_post(
            idempotency_key=f"card:{card.pk}:{reference}", business_type=business_type,
            reference=reference, memo=memo or description,
            legs=[Leg.debit(card.sub_account.ledger_account_id, amount),
                  Leg.credit(credit_ledger_id, amount)])
        item = CardItem.objects.create(
            card=card, kind=kind, amount=amount, outstanding=amount, txn_date=txn_date,
            posted_on=posted_on, description=description[:80], merchant=merchant[:60], mcc=mcc,
            reference=reference, entry_id=result.entry_id, interest_from=interest_from,
            instalment=instalment, period=period)
        if kind == ItemKind.PURCHASE:
            setting = card_setting_on(posted_on)
            points = int((amount * setting.points_per_yuan).to_integral_value(ROUND_DOWN))
            if points > 0:
                points_earn(customer=card.customer, points=points,
                            source=PointsSource.CARD_PURCHASE, earned_on=posted_on,
                            reference=f"card:{card.pk}:{reference}",
                            description=f"信用卡消费 {merchant or description}"[:80], item=item,
                            valid_months=setting.points_valid_months)
                CardItem.objects.filter(pk=item.pk).update(points=points)
                item.points = points
        _apply_overpayment(card, item)
        return item


def item_add(*, card: Card, kind: str, amount: Decimal, txn_date: date, posted_on: date,
             reference: str, description: str, instalment: InstalmentPlan | None = None,
             period: int | None = None, interest_from: date | None = None) -> CardItem:
    """A debit item with no ledger entry (an instalment's principal coming due, already in the
    ledger balance since the conversion), once per (card, ``reference``). The caller holds the
    card lock (``card_lock``)."""
    amount = _positive(amount)
    existing = _existing_item(card, reference)
    if existing is not None:
        return existing
    item = CardItem.objects.create(
        card=card, kind=kind, amount=amount, outstanding=amount, txn_date=txn_date,
        posted_on=posted_on, description=description[:80], reference=reference,
        instalment=instalment, period=period, interest_from=interest_from)
    _apply_overpayment(card, item)
    return item


# --- credits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditResult:
    credit: CardCredit
    applied: Decimal       # taken by what was owed
    overpaid: Decimal      # left as 溢缴款
    replayed: bool


def credit_post(*, card: Card, kind: str, amount: Decimal, business_type: str,
                debit_ledger_id: int, txn_date: date, posted_on: date, reference: str,
                description: str, merchant: str = "", refund_of: CardItem | None = None,
                from_medium=None, memo: str = "") -> CreditResult:
    """Post a credit once per (card, ``reference``): ``debit_ledger_id`` debited (InsufficientFunds
    from the ledger when a debit card has not enough, nothing written) and the card's sub-account
    credited; then applied in the repayment order (a refund first to its own purchase, whose
    points go back: ``refund_points``). What is left stays as 溢缴款."""
    amount = _positive(amount)
    with transaction.atomic(savepoint=False):
        card = card_lock(card.pk)
        existing = CardCredit.objects.filter(card=card, reference=reference).first()
        if existing is not None:
            return CreditResult(existing, existing.amount - existing.unapplied,
                                existing.unapplied, True)
        if refund_of is not None and refund_of.card_id != card.pk:
            raise BusinessError("退货与原消费不是同一张卡")
        # A refund of a purchase in an active 灵活分期 ends the plan (as 提前终止): its unbilled
        # principal billed at once, no later fees; the refund pays that remainder first.
        ended = _flex_plan_end(card, refund_of, posted_on) if refund_of is not None else None
        result = entry_post(
            idempotency_key=f"card:{card.pk}:{reference}", business_type=business_type,
            reference=reference, memo=memo or description,
            legs=[Leg.debit(debit_ledger_id, amount),
                  Leg.credit(card.sub_account.ledger_account_id, amount)])
        credit = CardCredit.objects.create(
            card=card, kind=kind, amount=amount, unapplied=amount, txn_date=txn_date,
            posted_on=posted_on, description=description[:80], merchant=merchant[:60],
            reference=reference, entry_id=result.entry_id, refund_of=refund_of,
            from_medium=from_medium)
        applied = ZERO
        if refund_of is not None:
            refund_of = CardItem.objects.get(pk=refund_of.pk)
            CardItem.objects.filter(pk=refund_of.pk).update(refunded=F("refunded") + amount)
            applied += _apply(credit, [ended, refund_of] if ended is not None else [refund_of])
            from .points.refund import refund_points
            refund_points(item=refund_of, amount=amount, on=posted_on, reference=reference)
        applied += _apply(credit, outstanding_items(card))
        return CreditResult(credit, applied, credit.unapplied, False)


def _flex_plan_end(card: Card, purchase: CardItem, on: date) -> CardItem | None:
    """End the ACTIVE 灵活分期 of ``purchase`` (if any) like 提前终止: the unbilled principal as
    one 分期本金 item posted ``on`` (``item_add``: no entry, the ledger holds it), the plan
    TERMINATED with nothing unbilled and no future fees. Returns that item (None: no plan or
    nothing left unbilled). The caller holds the card lock."""
    plan = (InstalmentPlan.objects.select_for_update()
            .filter(card=card, item_id=purchase.pk, kind=InstalmentKind.FLEX,
                    status=InstalmentStatus.ACTIVE).first())
    if plan is None:
        return None
    remaining = plan.unbilled_principal
    item = None
    if remaining > 0:
        item = item_add(card=card, kind=ItemKind.INSTALMENT, amount=remaining, txn_date=on,
                        posted_on=on, reference=f"{plan.reference}-END",
                        description=f"{plan.get_kind_display()}退货终止 剩余本金",
                        instalment=plan)
    plan.status = InstalmentStatus.TERMINATED
    plan.unbilled_principal = ZERO
    plan.terminated_on = on
    plan.save(update_fields=["status", "unbilled_principal", "terminated_on"])
    return item


def conversion_add(*, card: Card, amount: Decimal, items: list[CardItem], posted_on: date,
                   reference: str, description: str) -> CardCredit:
    """An instalment conversion (no ledger entry): ``amount`` pays ``items`` in their order and
    nothing else. The caller holds the card lock and has checked the items owe ``amount``."""
    amount = _positive(amount)
    credit = CardCredit.objects.create(
        card=card, kind=CreditKind.CONVERSION, amount=amount, unapplied=amount,
        txn_date=posted_on, posted_on=posted_on, description=description[:80],
        reference=reference)
    applied = _apply(credit, items)
    if applied != amount:
        raise BusinessError("分期金额超过可分期金额")
    return credit


# --- the invariant ------------------------------------------------------------------------------


def card_verify(card: Card) -> tuple[Decimal, Decimal]:
    """(ledger balance, what the items say): equal for a sound card."""
    owed = (CardItem.objects.filter(card=card).aggregate(s=Sum("outstanding"))["s"] or ZERO)
    plans = (InstalmentPlan.objects.filter(card=card, status=InstalmentStatus.ACTIVE)
             .aggregate(s=Sum("unbilled_principal"))["s"] or ZERO)
    unapplied = (CardCredit.objects.filter(card=card).aggregate(s=Sum("unapplied"))["s"] or ZERO)
    return card_balance(card), owed + plans - unapplied


def cards_unsound() -> list[int]:
    """Every card whose ledger balance and items disagree (``manage.py verify_cards``)."""
    return [card.pk for card in Card.objects.select_related("sub_account")
            if (lambda pair: pair[0] != pair[1])(card_verify(card))]


def _positive(amount) -> Decimal:
    amount = Decimal(amount)
    if amount != amount.quantize(CENT) or amount <= 0:
        raise BusinessError("金额须为大于零、最多两位小数的数字")
    return amount


__all__ = [
    "CENT", "ZERO", "CardCashLimitExceeded", "CardLimitExceeded", "CardUnavailable", "CreditResult",
    "available_credit", "card_balance", "card_lock", "card_verify", "cards_unsound", "cash_available",
    "cash_outstanding", "charge_post", "conversion_add", "credit_post", "item_add", "money",
    "outstanding_items", "overpayment",
]
