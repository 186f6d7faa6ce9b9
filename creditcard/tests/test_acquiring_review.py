"""Review findings on the issuer side: a replayed acquirer reference must carry the same
transaction (not a different amount or purchase), an expired card buys nothing, and partial
refunds summing to the purchase take all its points back."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine

from creditcard.acquiring.services import card_authorise, card_refund
from creditcard.engine import card_balance, card_verify
from creditcard.models import CardCredit, CardItem
from creditcard.points.book import points_balance, points_verify

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 10)
NOON = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)


def authorise(card, amount, reference, *, on=DAY):
    return card_authorise(card_number=card.medium.number, amount=D(amount), merchant="书店",
                          mcc="5942", txn_date=on, reference=reference)


def refund(card, amount, original, reference):
    return card_refund(card_number=card.medium.number, amount=D(amount),
                       original_reference=original, reference=reference)


def test_a_replayed_purchase_reference_with_another_amount_is_declined(card):
    with time_machine.travel(NOON, tick=False):
        assert authorise(card, "300.00", "ACQ-R-1").approved
        again = authorise(card, "3000.00", "ACQ-R-1")
    assert not again.approved and again.reason == "收单流水号重复"
    assert CardItem.objects.count() == 1 and card_balance(card) == D("300.00")


def test_a_replayed_refund_reference_with_another_amount_or_purchase_is_declined(card):
    with time_machine.travel(NOON, tick=False):
        assert authorise(card, "100.00", "ACQ-P-1").approved
        assert authorise(card, "200.00", "ACQ-P-2").approved
        assert refund(card, "40.00", "ACQ-P-1", "ACQ-RF-1").approved
        other_amount = refund(card, "60.00", "ACQ-P-1", "ACQ-RF-1")
        other_purchase = refund(card, "40.00", "ACQ-P-2", "ACQ-RF-1")
        same = refund(card, "40.00", "ACQ-P-1", "ACQ-RF-1")
    assert not other_amount.approved and other_amount.reason == "收单流水号重复"
    assert not other_purchase.approved and other_purchase.reason == "收单流水号重复"
    assert same.approved and same.replayed
    assert CardCredit.objects.count() == 1 and card_balance(card) == D("260.00")


def test_a_purchase_after_the_cards_expiry_month_is_declined(card):
    # issued 2026-01-02, valid through 01/31: the last day is 2031-01-31
    assert card.expires == "01/31"
    with time_machine.travel(datetime(2031, 2, 1, 4, 0, tzinfo=UTC), tick=False):
        late = authorise(card, "10.00", "ACQ-EXP-1", on=date(2031, 2, 1))
        last_day = authorise(card, "10.00", "ACQ-EXP-2", on=date(2031, 1, 31))
    assert not late.approved and late.reason == "该卡已过有效期，交易被拒绝"
    assert last_day.approved
    assert CardItem.objects.count() == 1


def test_partial_refunds_summing_to_the_purchase_take_all_its_points_back(card):
    with time_machine.travel(NOON, tick=False):
        assert authorise(card, "100.00", "ACQ-PT-1").approved
        assert points_balance(card.customer) == 100
        assert refund(card, "50.50", "ACQ-PT-1", "ACQ-PT-R1").approved
        assert refund(card, "49.50", "ACQ-PT-1", "ACQ-PT-R2").approved
    assert card_balance(card) == D("0.00") and card_verify(card)[0] == card_verify(card)[1]
    assert points_balance(card.customer) == 0 and points_verify(card.customer)


def test_the_simulator_refuses_a_reference_it_cannot_keep_before_the_issuer_posts(card):
    from ebank.acquirer.adapter import acquirer_adapter
    from ebank.acquirer.models import AcquirerTxn
    from ebank.core.errors import BusinessError

    long_reference = "ACQ" + "9" * 37     # 40 characters: the acquirer keeps 32
    with time_machine.travel(NOON, tick=False), pytest.raises(BusinessError) as refused:
        acquirer_adapter().purchase(card_number=card.medium.number, amount=D("10.00"),
                                    merchant="书店", mcc="5942", reference=long_reference)
    assert refused.value.message == "收单流水号最多32位"
    assert not CardItem.objects.exists() and not AcquirerTxn.objects.exists()
    assert card_balance(card) == D("0.00")
