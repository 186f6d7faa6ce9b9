"""The card engine: items, credits, the repayment order, 溢缴款 and the ledger invariant."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import transaction

from creditcard.engine import (
    CardCashLimitExceeded,
    CardLimitExceeded,
    available_credit,
    card_balance,
    card_verify,
    cash_available,
    overpayment,
)
from creditcard.models import CardItem, ItemKind, PointsLot
from creditcard.points.book import points_balance, points_expiry

from .conftest import charge, repay

pytestmark = pytest.mark.django_db


def test_a_purchase_owes_the_amount_and_earns_a_point_a_yuan(card):
    item = charge(card, "1234.56", date(2026, 1, 6))
    assert card_balance(card) == D("1234.56")
    assert available_credit(card) == D("48765.44")
    assert item.points == 1234 and points_balance(card.customer) == 1234
    lot = PointsLot.objects.get(item=item)
    assert lot.expires_on == date(2028, 1, 31)
    assert card_verify(card)[0] == card_verify(card)[1]


def test_a_replayed_purchase_posts_once(card):
    first = charge(card, "100.00", date(2026, 1, 6), reference="ACQ1")
    again = charge(card, "100.00", date(2026, 1, 6), reference="ACQ1")
    assert first.pk == again.pk and card_balance(card) == D("100.00")


def test_beyond_the_available_credit_is_refused_and_nothing_written(card):
    charge(card, "49000.00", date(2026, 1, 6))
    with pytest.raises(CardLimitExceeded), transaction.atomic():
        charge(card, "1000.01", date(2026, 1, 7))
    assert CardItem.objects.filter(card=card).count() == 1
    assert card_balance(card) == D("49000.00")


def test_cash_available_is_the_cash_limit_less_cash_owed(card):
    charge(card, "10000.00", date(2026, 1, 6), kind=ItemKind.CASH)
    assert cash_available(card) == D("15000.00")


def test_the_engine_refuses_cash_beyond_the_cash_limit_on_every_path(card):
    """The cash limit is the engine's (charge_post kind CASH), not only the 取现 page's."""
    charge(card, "10000.00", date(2026, 1, 6), kind=ItemKind.CASH)
    with pytest.raises(CardCashLimitExceeded), transaction.atomic():
        charge(card, "15000.01", date(2026, 1, 7), kind=ItemKind.CASH)
    charge(card, "15000.00", date(2026, 1, 7), kind=ItemKind.CASH)
    assert cash_available(card) == D("0.00")
    assert CardItem.objects.filter(card=card, kind=ItemKind.CASH).count() == 2


def test_repayment_order_fees_interest_cash_then_purchases_and_overpayment(card):
    purchase = charge(card, "300.00", date(2026, 1, 6))
    cash = charge(card, "200.00", date(2026, 1, 7), kind=ItemKind.CASH)
    result = repay(card, "250.00", date(2026, 1, 8))
    purchase.refresh_from_db()
    cash.refresh_from_db()
    assert (cash.outstanding, purchase.outstanding) == (D("0.00"), D("250.00"))
    result = repay(card, "300.00", date(2026, 1, 9))
    assert result.overpaid == D("50.00") and overpayment(card) == D("50.00")
    assert card_balance(card) == D("-50.00")
    later = charge(card, "80.00", date(2026, 1, 10))
    later.refresh_from_db()
    assert later.outstanding == D("30.00") and overpayment(card) == D("0.00")
    balance, items = card_verify(card)
    assert balance == items == D("30.00")


def test_points_expire_at_the_end_of_the_24th_month():
    assert points_expiry(date(2026, 1, 6)) == date(2028, 1, 31)
    assert points_expiry(date(2026, 12, 31)) == date(2028, 12, 31)
    assert points_expiry(date(2026, 2, 15)) == date(2028, 2, 29)
