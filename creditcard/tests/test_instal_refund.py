"""A refund of a purchase in an active 灵活分期 ends the plan as 提前终止 does (DOMAIN-RULES §3):
its unbilled principal billed at once (分期本金, no entry), the plan 已提前终止, no later fees;
the refund pays that remainder first, then the engine's usual order. End to end: the acquirer's
purchase → 灵活分期 → the statement → the acquirer's refund (``card_refund``) → the next
statement."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
import time_machine

from creditcard.acquiring.services import card_authorise, card_refund
from creditcard.engine import card_balance, card_verify, overpayment
from creditcard.instal import services
from creditcard.models import (
    Allocation,
    CardCredit,
    CardItem,
    InstalmentPlan,
    InstalmentStatus,
    ItemKind,
    Statement,
)
from creditcard.statements.run import statement_run
from tests.customer_world import confirm

from .instal_support import card_linked, rates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rates")]


def at(day: date):
    return time_machine.travel(datetime.combine(day, time(2, 0), UTC), tick=False)  # 10:00 CST


def run(day: date):
    with time_machine.travel(datetime.combine(day + timedelta(1), time(0, 30), UTC), tick=False):
        statement_run(day)


def sound(card):
    ledger, items = card_verify(card)
    assert ledger == items, (ledger, items)


def test_a_refund_of_a_purchase_in_flexible_instalments_ends_the_plan_and_pays_its_rest(world):
    card = card_linked(world.zhang_customer)
    with at(date(2026, 1, 10)):
        assert card_authorise(card_number=card.medium.number, amount=D("3600.00"),
                              merchant="家电商城", mcc="5722", txn_date=date(2026, 1, 10),
                              reference="ACQ-P1").approved
    purchase = CardItem.objects.get(card=card, kind=ItemKind.PURCHASE)
    with at(date(2026, 1, 12)):
        confirm(services.flex_instal_start(user=world.zhang, card=card, item=purchase,
                                           periods=3), user=world.zhang)
    plan = InstalmentPlan.objects.get(item=purchase)
    assert (plan.period_principal, plan.period_fee) == (D("1200.00"), D("27.00"))
    run(date(2026, 2, 5))                                    # period 1: 1,200 + 27
    plan.refresh_from_db()
    assert plan.unbilled_principal == D("2400.00")
    sound(card)

    with at(date(2026, 2, 10)):
        answer = card_refund(card_number=card.medium.number, amount=D("3600.00"),
                             original_reference="ACQ-P1", reference="ACQ-R1")
    assert answer.approved, answer
    plan.refresh_from_db()
    assert (plan.status, plan.unbilled_principal, plan.terminated_on) == (
        InstalmentStatus.TERMINATED, D("0.00"), date(2026, 2, 10))
    rest = CardItem.objects.get(card=card, kind=ItemKind.INSTALMENT, statement__isnull=True)
    assert (rest.amount, rest.outstanding, rest.posted_on) == (D("2400.00"), D("0.00"),
                                                                date(2026, 2, 10))
    refund = CardCredit.objects.get(card=card, reference="ACQ-R1")
    first = Allocation.objects.filter(credit=refund).order_by("pk").first()
    assert (first.item_id, first.amount) == (rest.pk, D("2400.00"))   # the remainder first
    # Then the usual order: the February statement's 27 fee and 1,173 of its 1,200 principal.
    assert card_balance(card) == D("27.00") and overpayment(card) == D("0.00")
    sound(card)

    run(date(2026, 3, 5))                                    # no more periods, no more fees
    march = Statement.objects.get(card=card, statement_date=date(2026, 3, 5))
    assert march.instalments == D("2400.00")                  # the remainder, billed once
    assert not CardItem.objects.filter(card=card, kind=ItemKind.INSTALMENT_FEE,
                                       posted_on=date(2026, 3, 5)).exists()
    assert CardItem.objects.filter(card=card, kind=ItemKind.INSTALMENT_FEE).count() == 1
    sound(card)
