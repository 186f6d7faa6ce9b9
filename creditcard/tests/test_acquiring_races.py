"""Races of the acquirer's messages on PostgreSQL with real threads: two purchases that each fit
the available credit but not together — one is approved, one declined; the same reference sent
twice at once posts once; two refunds of one purchase at once never refund more than it."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
import time_machine

from creditcard.acquiring.services import card_authorise, card_refund
from creditcard.engine import card_balance, card_verify
from creditcard.models import CardCredit, CardItem
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import world_build

from .conftest import card_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOON = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def card(settings, tmp_path):
    world = world_build(settings, tmp_path)
    card = card_for(world.zhang_customer)
    with time_machine.travel(NOON, tick=True):
        yield card


def authorise(card, amount, reference):
    return card_authorise(card_number=card.medium.number, amount=D(amount), merchant="家电城",
                          mcc="5722", txn_date=NOON.date(), reference=reference)


def test_two_purchases_beyond_the_limit_together_one_is_declined(card):
    answers = run_concurrently(lambda i: authorise(card, "30000.00", f"ACQ-RACE-{i}"), 2)
    assert sorted(a.approved for a in answers) == [False, True], answers
    assert [a.reason for a in answers if not a.approved] == ["信用卡可用额度不足"]
    assert CardItem.objects.count() == 1 and card_balance(card) == D("30000.00")


def test_the_same_reference_at_once_posts_once(card):
    answers = run_concurrently(lambda i: authorise(card, "500.00", "ACQ-RACE-SAME"), 2)
    assert all(a.approved for a in answers), answers
    assert CardItem.objects.count() == 1 and card_balance(card) == D("500.00")


def test_two_refunds_at_once_never_refund_more_than_the_purchase(card):
    assert authorise(card, "1000.00", "ACQ-RACE-BUY").approved
    answers = run_concurrently(lambda i: card_refund(
        card_number=card.medium.number, amount=D("600.00"), original_reference="ACQ-RACE-BUY",
        reference=f"ACQ-RACE-RF{i}"), 2)
    assert sorted(a.approved for a in answers) == [False, True], answers
    assert CardCredit.objects.count() == 1 and card_balance(card) == D("400.00")
    assert card_verify(card)[0] == card_verify(card)[1]
