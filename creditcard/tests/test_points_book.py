"""The points book (DOMAIN-RULES §3 Points): lots spent soonest-expiring first, the expiry at the
end of the 24th month (the nightly 积分到期), a refund taking its points back, a 撤销 giving
points back to their own lots. After every scenario the balance is Σ lots remaining."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.db import transaction

from creditcard.models import PointsLot, PointsMove, PointsMoveKind, PointsSource
from creditcard.points import book
from creditcard.points.nightly import card_points_expire_step
from creditcard.points.refund import refund_points
from ebank.duework.nightly import registered_steps

from .conftest import charge

pytestmark = pytest.mark.django_db


def earn(customer, points, on, ref):
    return book.points_earn(customer=customer, points=points, source=PointsSource.EBANK,
                            earned_on=on, reference=ref, description=f"测试积分{ref}")


def test_the_points_steps_are_registered_in_their_order():
    steps = [(s.order, s.name, s.label) for s in registered_steps()
             if s.qualname.startswith("creditcard.points.")]
    assert steps == [(320, "card_points_expire", "积分到期"),
                     (330, "ebank_points_earn", "网银交易积分")]


def test_spending_takes_the_soonest_expiring_lot_first(world):
    customer = world.zhang_customer
    late = earn(customer, 500, date(2026, 3, 10), "L")  # expires 2028-03-31
    early = earn(customer, 300, date(2026, 1, 10), "E")  # expires 2028-01-31
    middle = earn(customer, 200, date(2026, 2, 10), "M")  # expires 2028-02-29
    with transaction.atomic():
        taken = book.points_spend(customer=customer, points=600, on=date(2026, 6, 1),
                                  reference="spend-1", description="积分兑换")
    assert taken == {str(early.pk): 300, str(middle.pk): 200, str(late.pk): 100}
    remaining = {lot.reference: lot.remaining for lot in PointsLot.objects.all()}
    assert remaining == {"E": 0, "M": 0, "L": 400}
    assert book.points_balance(customer) == 400 and book.points_verify(customer)
    move = PointsMove.objects.get(reference="spend-1")
    assert (move.kind, move.points) == (PointsMoveKind.REDEEM, -600)


def test_spending_more_than_the_valid_lots_hold_is_refused_and_nothing_written(world):
    customer = world.zhang_customer
    earn(customer, 100, date(2024, 1, 10), "OLD")  # last valid day 2026-01-31
    earn(customer, 200, date(2026, 1, 10), "NEW")
    with pytest.raises(book.PointsShort) as short, transaction.atomic():
        # 2026-02-01: the old lot is past its expiry even before the nightly run empties it.
        book.points_spend(customer=customer, points=250, on=date(2026, 2, 1),
                          reference="spend-2", description="积分兑换")
    assert short.value.available == 200
    assert not PointsMove.objects.filter(reference="spend-2").exists()
    assert book.points_balance(customer) == 300 and book.points_verify(customer)


def test_points_earned_15_jan_2026_last_until_31_jan_2028_and_expire_that_night(world):
    customer = world.zhang_customer
    lot = earn(customer, 800, date(2026, 1, 15), "JAN")
    assert lot.expires_on == date(2028, 1, 31)
    with time_machine.travel(date(2028, 1, 31), tick=False):
        assert card_points_expire_step(date(2028, 1, 30)) == 0  # the day before: still valid
        assert book.points_balance(customer) == 800
        assert card_points_expire_step(date(2028, 1, 31)) == 1  # the 24th month's last day
    lot.refresh_from_db()
    assert lot.remaining == 0 and book.points_balance(customer) == 0
    move = PointsMove.objects.get(kind=PointsMoveKind.EXPIRE)
    assert move.points == -800 and move.moved_on == date(2028, 1, 31)
    assert card_points_expire_step(date(2028, 1, 31)) == 0  # rerun: nothing left to expire
    assert card_points_expire_step(date(2028, 2, 1)) == 0
    assert book.points_verify(customer)


def test_only_what_is_left_of_a_partly_spent_lot_expires(world):
    customer = world.zhang_customer
    earn(customer, 1000, date(2026, 1, 15), "PART")
    with transaction.atomic():
        book.points_spend(customer=customer, points=700, on=date(2026, 5, 1),
                          reference="spend-3", description="积分兑换")
    assert card_points_expire_step(date(2028, 1, 31)) == 1
    assert PointsMove.objects.get(kind=PointsMoveKind.EXPIRE).points == -300
    assert book.points_balance(customer) == 0 and book.points_verify(customer)


def test_a_refund_takes_its_purchase_points_back(card):
    item = charge(card, "1000.00", date(2026, 1, 6))
    assert book.points_balance(card.customer) == 1000
    with transaction.atomic():
        taken = refund_points(item=item, amount=D("400.00"), on=date(2026, 1, 10),
                              reference="RF1")
    assert taken == 400 and book.points_balance(card.customer) == 600
    # The same refund again takes nothing more.
    with transaction.atomic():
        assert refund_points(item=item, amount=D("400.00"), on=date(2026, 1, 10),
                             reference="RF1") == 0
    assert book.points_verify(card.customer)


def test_a_refund_after_the_points_were_spent_never_goes_below_zero(card):
    item = charge(card, "1000.00", date(2026, 1, 6))
    with transaction.atomic():
        book.points_spend(customer=card.customer, points=900, on=date(2026, 1, 8),
                          reference="spend-4", description="积分兑换")
    with transaction.atomic():
        taken = refund_points(item=item, amount=D("1000.00"), on=date(2026, 1, 10),
                              reference="RF2")
    assert taken == 100
    assert book.points_balance(card.customer) == 0 and book.points_verify(card.customer)
    move = PointsMove.objects.get(kind=PointsMoveKind.REVERSE)
    assert "900分已使用，未扣减" in move.description


def test_giving_back_returns_points_to_their_own_lots_and_lets_expired_ones_lapse(world):
    customer = world.zhang_customer
    old = earn(customer, 300, date(2024, 6, 10), "OLD")  # last valid day 2026-06-30
    new = earn(customer, 500, date(2026, 1, 10), "NEW")
    with transaction.atomic():
        taken = book.points_spend(customer=customer, points=600, on=date(2026, 6, 20),
                                  reference="spend-5", description="积分兑换")
    assert taken == {str(old.pk): 300, str(new.pk): 300}
    card_points_expire_step(date(2026, 6, 30))  # nothing left in the old lot to expire
    with transaction.atomic():
        given, lapsed = book.points_give_back(customer=customer, taken=taken,
                                              on=date(2026, 7, 2), reference="back-5",
                                              description="兑换撤销退回")
    assert (given, lapsed) == (300, 300)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.remaining, new.remaining) == (0, 500)
    assert new.expires_on == date(2028, 1, 31)  # the validity is the lot's own, not extended
    assert book.points_balance(customer) == 500 and book.points_verify(customer)
    assert "300分已过有效期" in PointsMove.objects.get(reference="back-5").description


def test_months_arithmetic_keeps_the_last_day_of_a_short_month():
    assert book.add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)
    assert book.add_months(date(2026, 12, 5), -24) == date(2024, 12, 5)
    assert book.month_end(date(2028, 2, 3)) == date(2028, 2, 29)
