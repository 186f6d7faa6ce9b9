"""What the 账单分期管理 tests share: the demo rates, a linked card with purchases, a statement
made as the statement run makes one (its items billed on it), and starting an application."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Max, Sum

from accounts.models import LinkedMedium
from creditcard.instal import services
from creditcard.instal.demo import instal_rates_seed
from creditcard.models import CardItem, InterestMethod, ItemKind, Statement
from creditcard.selectors import last_statement

from .conftest import card_for, charge

STATEMENT_DATE = date(2026, 2, 5)
DUE_DATE = date(2026, 2, 25)
# 10:00 in Shanghai on 10 Feb 2026: after the 2月 statement, before its due date.
APPLY_AT = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)


def card_linked(customer, **kwargs):
    """A card as conftest's, linked to the customer's e-banking (the pages list linked cards)."""
    card = card_for(customer, **kwargs)
    position = (LinkedMedium.objects.filter(customer=customer)
                .aggregate(m=Max("position"))["m"] or 0) + 1
    LinkedMedium.objects.get_or_create(medium=card.medium,
                                       defaults={"customer": customer, "position": position})
    return card


def statement_make(card, statement_date=STATEMENT_DATE, *, due_days=20) -> Statement:
    """A statement of every unbilled item posted before ``statement_date`` (the run's work, which
    another area writes; enough here: the items billed and the totals)."""
    items = CardItem.objects.filter(card=card, statement__isnull=True,
                                    posted_on__lt=statement_date)
    total = items.aggregate(s=Sum("outstanding"))["s"] or Decimal("0.00")
    purchases = (items.filter(kind=ItemKind.PURCHASE).aggregate(s=Sum("outstanding"))["s"]
                 or Decimal("0.00"))
    statement = Statement.objects.create(
        card=card, statement_date=statement_date,
        period_start=statement_date - timedelta(days=31),
        due_date=statement_date + timedelta(days=due_days), previous_balance=Decimal("0.00"),
        new_debits=total, new_credits=Decimal("0.00"), balance=total,
        minimum_payment=(total / 10).quantize(Decimal("0.01")), purchases=purchases,
        credit_limit=card.credit_limit, interest_method=InterestMethod.FULL_BALANCE)
    items.update(statement=statement)
    card.last_statement_on = statement_date
    card.save(update_fields=["last_statement_on"])
    return statement


def billed_card(customer, amounts=("8000.00", "4000.00")):
    """A card with purchases on 6 and 20 Jan 2026, billed on the 5 Feb statement."""
    card = card_linked(customer)
    days = [date(2026, 1, 6), date(2026, 1, 20), date(2026, 1, 25)]
    for day, amount in zip(days, amounts, strict=False):
        charge(card, amount, day)
    statement_make(card)
    return card


def bill_start(user, card, amount="12000.00", periods=12):
    return services.bill_instal_start(user=user, card=card, statement=last_statement(card),
                                      principal=Decimal(amount), periods=periods)


@pytest.fixture
def rates(db):
    instal_rates_seed()


@pytest.fixture
def at_apply():
    with time_machine.travel(APPLY_AT, tick=False) as traveller:
        yield traveller
