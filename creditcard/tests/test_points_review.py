"""Review findings on 积分管理: the e-banking points count only the transfers of the business
date (a 跨行退汇 today of yesterday's transfer does not cancel today's transfers)."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
import time_machine

from accounts.services import funds_move
from creditcard.points.nightly import ebank_transfer_totals
from ebank.core.clock import SHANGHAI

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 15)


def post(world, source, target, amount, business_type, key, reference, at):
    with time_machine.travel(at.replace(tzinfo=SHANGHAI), tick=False):
        funds_move(debit_ledger_id=world.main(source).ledger_account_id,
                   credit_ledger_id=world.main(target).ledger_account_id, amount=D(amount),
                   idempotency_key=key, business_type=business_type, reference=reference)


def test_a_return_today_of_yesterdays_transfer_does_not_take_todays_points(world):
    post(world, world.zhang_card, world.li_card, "3000.00", "inter_transfer", "Y1", "TR-Y1",
         datetime(2026, 6, 14, 15, 0))
    post(world, world.li_card, world.zhang_card, "3000.00", "inter_transfer_return", "Y1-R",
         "TR-Y1", datetime(2026, 6, 15, 9, 0))
    post(world, world.zhang_card, world.li_card, "1500.00", "intra_transfer", "T1", "TR-T1",
         datetime(2026, 6, 15, 10, 0))
    # and a same-day return still counts back
    post(world, world.zhang_card, world.wang_card, "2000.00", "inter_transfer", "T2", "TR-T2",
         datetime(2026, 6, 15, 11, 0))
    post(world, world.wang_card, world.zhang_card, "2000.00", "inter_transfer_return", "T2-R",
         "TR-T2", datetime(2026, 6, 15, 16, 0))
    assert ebank_transfer_totals(DAY) == {world.zhang_customer.pk: D("1500.00")}


def test_head_office_changes_to_the_gift_catalogue_are_audited(client, world):
    from django.urls import reverse

    from creditcard.models import Gift
    from ebank.core.models import AuditEvent
    from security.tests.test_counter_fixtures import otp_login

    from .test_points_admin import staff

    user = staff(world, "ho_audit", "view_gift", "add_gift", "change_gift")
    otp_login(client, user)
    client.post(reverse("admin:creditcard_gift_add"),
                {"code": "GF8", "name": "保温杯", "points": "1200", "stock": "10",
                 "description": "", "active": "on"})
    gift = Gift.objects.get(code="GF8")
    client.post(reverse("admin:creditcard_gift_change", args=[gift.pk]),
                {"name": "保温杯", "points": "900", "stock": "10", "description": "",
                 "active": "on"})
    assert Gift.objects.get(pk=gift.pk).points == 900
    events = AuditEvent.objects.filter(object_ref=f"creditcard.gift:{gift.pk}").order_by("pk")
    assert [(e.action, e.actor_id) for e in events] == [("admin_add", user.pk),
                                                          ("admin_change", user.pk)]


def test_a_cancelled_redemption_does_not_give_back_points_of_a_purchase_refunded_meanwhile(card):
    """Purchase 1,000 (1,000 points, its own lot) → all redeemed → the purchase refunded in
    full (its points were spent: nothing to take) → the redemption 撤销: the purchase's points
    must not come back, the refund's shortfall is taken then."""
    from datetime import UTC, datetime

    from creditcard.acquiring.services import card_authorise, card_refund
    from creditcard.models import PointsLot, Redemption
    from creditcard.points import book, services

    from .points_support import gift, redeem

    with time_machine.travel(datetime(2026, 1, 10, 4, 0, tzinfo=UTC), tick=False):
        assert card_authorise(card_number=card.medium.number, amount=D("1000.00"),
                              merchant="电器城", mcc="5732", txn_date=date(2026, 1, 10),
                              reference="ACQ-RD-1").approved
        redeem(_user_of(card.customer), gift(points=1000, stock=3))
        assert book.points_balance(card.customer) == 0
        assert card_refund(card_number=card.medium.number, amount=D("1000.00"),
                           original_reference="ACQ-RD-1", reference="ACQ-RD-R1").approved
        assert book.points_balance(card.customer) == 0
        _, given, _ = services.redemption_cancel(staff=None, redemption=Redemption.objects.get(),
                                                 reason="礼品缺货")
    assert given == 0
    assert book.points_balance(card.customer) == 0 and book.points_verify(card.customer)
    assert PointsLot.objects.get(item__reference="ACQ-RD-1").remaining == 0


def _user_of(customer):
    from security.models import User

    return User.objects.get(customer=customer)
