"""Reads of 信用卡业务, scoped to the customer (another customer's card is a 404), and what a
statement still owes (one definition for the pages, repayment, 自动还款 and the statement run)."""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from accounts.models import Customer

from .models import Allocation, Card, CardCredit, CardItem, CardStatus, CreditKind, Statement
from .settings import card_setting_on

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Credits that are money the customer paid (a 转分期 conversion is not a payment).
PAYMENT_KINDS = (CreditKind.REPAYMENT, CreditKind.AUTO_REPAYMENT, CreditKind.REFUND)


def cards_of(customer: Customer, *, include_closed: bool = False) -> QuerySet[Card]:
    """The customer's cards whose medium is linked to e-banking, oldest first."""
    cards = Card.objects.filter(customer=customer, medium__link__customer=customer)
    if not include_closed:
        cards = cards.exclude(status=CardStatus.CLOSED)
    return cards.select_related("medium", "sub_account").order_by("id")


def card_get(customer: Customer, pk) -> Card:
    """The customer's card ``pk`` (linked, not closed); anything else is a 404."""
    try:
        return cards_of(customer).get(pk=int(pk))
    except (Card.DoesNotExist, TypeError, ValueError):
        raise Http404("没有这张信用卡") from None


def statement_get(customer: Customer, pk) -> Statement:
    try:
        return (Statement.objects.select_related("card__medium")
                .get(pk=int(pk), card__in=cards_of(customer, include_closed=True)))
    except (Statement.DoesNotExist, TypeError, ValueError):
        raise Http404("没有这期账单") from None


def last_statement(card: Card) -> Statement | None:
    return card.statements.order_by("-statement_date").first()


def unpaid_from(statement_date: date, owed: Iterable[tuple[date | None, Decimal]], *,
                paid_after: Decimal = ZERO, spare: Decimal = ZERO) -> Decimal:
    """The one rule of 本期应还金额 still owed, over rows the caller has already read: what the
    items billed on the statement of ``statement_date`` or before still owe (``owed``: pairs of
    an item's — or a group of items' — statement date and outstanding amount; unbilled items
    carry None), plus what was paid toward them after the day asked about (``paid_after``), less
    溢缴款 (``spare``); never below zero. ``statement_unpaid``, the 已出账单 list
    (``account.selectors.statements_unpaid``) and the statement run (``statements.run``) all
    come here, each reading its rows in its own way (one statement, a list, a chunk of cards)."""
    billed = sum((amount for day, amount in owed if day is not None and day <= statement_date),
                 ZERO)
    return max(ZERO, billed + paid_after - spare)


def statement_unpaid(statement: Statement, *, as_of: date | None = None) -> Decimal:
    """本期应还金额 still owed (``unpaid_from``): what items billed on this statement or before
    still owe, less 溢缴款. ``as_of``: as at the end of that day — the credits posted after it
    put back, 溢缴款 not counted (the due date + 容时 check of the statement run)."""
    billed = Q(statement__card_id=statement.card_id,
               statement__statement_date__lte=statement.statement_date)
    owed = (CardItem.objects.filter(billed).order_by()
            .values_list("statement__statement_date").annotate(s=Sum("outstanding")))
    if as_of is None:
        spare = (CardCredit.objects.filter(card_id=statement.card_id)
                 .aggregate(s=Sum("unapplied"))["s"] or ZERO)
        return unpaid_from(statement.statement_date, owed, spare=spare)
    paid_after = (Allocation.objects.filter(item__in=CardItem.objects.filter(billed),
                                            credit__posted_on__gt=as_of)
                  .aggregate(s=Sum("amount"))["s"] or ZERO)
    return unpaid_from(statement.statement_date, owed, paid_after=paid_after)


def statement_paid_since(statement: Statement, *, through: date | None = None) -> Decimal:
    """Paid toward this statement after its 账单日 (repayments, 自动还款, refunds; up to and
    including ``through`` when given)."""
    credits = CardCredit.objects.filter(card_id=statement.card_id, kind__in=PAYMENT_KINDS,
                                        posted_on__gt=statement.statement_date)
    if through is not None:
        credits = credits.filter(posted_on__lte=through)
    return (Allocation.objects.filter(
        credit__in=credits, item__statement__card_id=statement.card_id,
        item__statement__statement_date__lte=statement.statement_date)
        .aggregate(s=Sum("amount"))["s"] or ZERO)


def statement_converted_since(statement: Statement, *, through: date | None = None) -> Decimal:
    """What 转分期 conversions after the 账单日 took from this statement's items (a partial
    账单分期, a 灵活分期 of a billed purchase; up to and including ``through`` when given)."""
    credits = CardCredit.objects.filter(card_id=statement.card_id, kind=CreditKind.CONVERSION,
                                        posted_on__gt=statement.statement_date)
    if through is not None:
        credits = credits.filter(posted_on__lte=through)
    return (Allocation.objects.filter(
        credit__in=credits, item__statement__card_id=statement.card_id,
        item__statement__statement_date__lte=statement.statement_date)
        .aggregate(s=Sum("amount"))["s"] or ZERO)


def minimum_relief(statement: Statement, converted: Decimal) -> Decimal:
    """What converting ``converted`` of the statement's items takes off its minimum: the
    statement's purchase minimum rate (the setting of its 账单日) × it, half-up to the fen
    (the converted part is owed as instalments, no longer at 10%). One definition for the
    selector and the statement run."""
    if converted <= 0:
        return ZERO
    rate = card_setting_on(statement.statement_date).purchase_minimum_rate
    return (rate * converted).quantize(CENT, rounding=ROUND_HALF_UP)


def minimum_unpaid(statement: Statement, *, as_of: date | None = None) -> Decimal:
    """最低还款额 still to pay: the minimum less what was paid since the 账单日 and less the
    purchase minimum rate of what was turned into instalments since (``minimum_relief``), never
    below 0 nor more than the statement still owes."""
    paid = statement_paid_since(statement, through=as_of)
    relief = minimum_relief(statement, statement_converted_since(statement, through=as_of))
    return max(ZERO, min(statement.minimum_payment - paid - relief,
                         statement_unpaid(statement, as_of=as_of)))
