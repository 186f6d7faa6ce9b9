"""网银交易积分 (the nightly ebank_points_earn, DOMAIN-RULES §3 Points: "earned by … e-banking
activity (setting: points per 1,000 of transfers)"): per customer floor(the day's outgoing
transfers / 1,000) × the setting, once per customer and date, from the ledger."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.db.models import Sum

from accounts.services import funds_move
from creditcard.models import CardSetting, PointsLot, PointsSource
from creditcard.points import book
from creditcard.points.nightly import (
    TRANSFER_OUT_TYPES,
    TRANSFER_RETURN_TYPE,
    ebank_points_earn_step,
    ebank_transfer_totals,
)
from ebank.core.clock import SHANGHAI
from ebank.ledger.business_types import business_type_label

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 15)


def move(world, source, target, amount, business_type, key, at=datetime(2026, 6, 15, 10, 0),
         reference=None):
    with time_machine.travel(at.replace(tzinfo=SHANGHAI), tick=False):
        funds_move(debit_ledger_id=world.main(source).ledger_account_id,
                   credit_ledger_id=world.main(target).ledger_account_id, amount=D(amount),
                   idempotency_key=key, business_type=business_type,
                   reference=reference or key)


def test_the_spelled_codes_are_the_transfers_registered_types():
    labels = [business_type_label(code) for code in (*TRANSFER_OUT_TYPES, TRANSFER_RETURN_TYPE)]
    assert labels == ["行内转账", "跨行转账", "跨行退汇"]


def test_a_days_transfers_earn_a_point_per_full_thousand_per_customer(world):
    move(world, world.zhang_card, world.li_card, "1500.00", "intra_transfer", "K1")
    move(world, world.zhang_passbook, world.wang_card, "1600.00", "intra_transfer", "K2")
    move(world, world.li_card, world.zhang_card, "999.99", "intra_transfer", "K3")
    # Between one's own accounts earns nothing; the day before or after is another day's.
    move(world, world.zhang_card, world.zhang_passbook, "5000.00", "own_transfer", "K4")
    move(world, world.zhang_card, world.li_card, "4000.00", "intra_transfer", "K5",
         at=datetime(2026, 6, 14, 23, 59))
    move(world, world.zhang_card, world.li_card, "4000.00", "intra_transfer", "K6",
         at=datetime(2026, 6, 16, 0, 0))
    assert ebank_transfer_totals(DAY) == {world.zhang_customer.pk: D("3100.00")}
    with time_machine.travel(datetime(2026, 6, 16, 1, 0, tzinfo=SHANGHAI), tick=False):
        assert ebank_points_earn_step(DAY) == 1
        assert ebank_points_earn_step(DAY) == 0  # again: the lot exists, nothing twice
    lot = PointsLot.objects.get(source=PointsSource.EBANK)
    assert (lot.customer, lot.points, lot.earned_on, lot.expires_on) == (
        world.zhang_customer, 3, DAY, date(2028, 6, 30))
    assert lot.reference == f"ebank:{world.zhang_customer.pk}:20260615"
    assert book.points_balance(world.li_customer) == 0
    assert book.points_verify(world.zhang_customer)


def test_the_setting_multiplies_and_a_same_day_return_counts_back(world):
    CardSetting.objects.create(effective_from=date(2026, 1, 1), points_per_thousand_transfers=5)
    move(world, world.zhang_card, world.li_card, "2500.00", "inter_transfer", "I1")
    move(world, world.li_card, world.zhang_card, "600.00", "inter_transfer_return", "I2",
         reference="I1")   # a 退汇 carries its transfer's reference
    assert ebank_transfer_totals(DAY) == {world.zhang_customer.pk: D("1900.00")}
    ebank_points_earn_step(DAY)
    assert PointsLot.objects.aggregate(s=Sum("points"))["s"] == 5  # floor(1,900/1,000) × 5


def test_the_totals_are_one_query_however_many_customers(world, django_assert_num_queries):
    for i, (source, target) in enumerate([(world.zhang_card, world.li_card),
                                          (world.li_card, world.wang_card),
                                          (world.wang_card, world.zhang_card)]):
        move(world, source, target, "1000.00", "intra_transfer", f"Q{i}")
    with django_assert_num_queries(1):
        totals = ebank_transfer_totals(DAY)
    assert len(totals) == 3
