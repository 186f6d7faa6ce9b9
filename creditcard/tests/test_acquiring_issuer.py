"""The card's activity from the acquirer (docs/creditcard.md, "The card and the acquirer"):
purchases authorised and posted through the engine, or declined with a reason and nothing
written; refunds by the purchase's reference, never beyond what was bought, points back; each
acquirer reference posted once."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine

from accounts.models import MediumStatus
from creditcard.acquiring.services import card_authorise, card_refund
from creditcard.engine import available_credit, card_balance, card_verify
from creditcard.models import (
    CardBook,
    CardBusinessType,
    CardCredit,
    CardItem,
    CardStatus,
    CreditKind,
    ItemKind,
    PointsLot,
)
from creditcard.points.book import points_balance, points_verify
from ebank.acquirer.adapter import acquirer_adapter
from ebank.acquirer.models import AcquirerTxn, AcquirerTxnStatus
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import Entry, LedgerAccount

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 10)
NOON = datetime(2026, 1, 10, 4, 0, tzinfo=UTC)   # 12:00 in Shanghai


@pytest.fixture
def on_day():
    with time_machine.travel(NOON, tick=False):
        yield


def buy(card, amount, merchant="华联超市", mcc="5411", **kwargs):
    return acquirer_adapter().purchase(card_number=card.medium.number, amount=D(amount),
                                       merchant=merchant, mcc=mcc, **kwargs)


def refund(card, amount, original, **kwargs):
    return acquirer_adapter().refund(card_number=card.medium.number, amount=D(amount),
                                     original_reference=original, **kwargs)


def acquirer_book() -> D:
    return LedgerAccount.objects.get(pk=bank_book_id(CardBook.ACQUIRER)).balance


def test_an_approved_purchase_is_an_item_through_the_engine_with_its_points(card, on_day):
    outcome = buy(card, "1234.56", merchant="华联超市", mcc="5411", txn_date=date(2026, 1, 9))
    assert outcome.approved and outcome.reason == ""
    item = CardItem.objects.get(card=card)
    assert (item.kind, item.amount, item.outstanding, item.merchant, item.mcc, item.reference,
            item.txn_date, item.posted_on) == (
        ItemKind.PURCHASE, D("1234.56"), D("1234.56"), "华联超市", "5411", outcome.reference,
        date(2026, 1, 9), DAY)
    entry = Entry.objects.get(pk=item.entry_id)
    assert entry.business_type == CardBusinessType.PURCHASE
    assert card_balance(card) == D("1234.56") and acquirer_book() == D("1234.56")
    assert item.points == 1234 and points_balance(card.customer) == 1234
    assert AcquirerTxn.objects.get().issuer_reference == f"item:{item.pk}"
    assert card_verify(card)[0] == card_verify(card)[1]


def test_over_the_limit_is_declined_with_the_reason_and_nothing_written(card, on_day):
    buy(card, "49000.00")
    outcome = buy(card, "1000.01", merchant="金店")
    assert not outcome.approved and outcome.reason == "信用卡可用额度不足"
    assert CardItem.objects.filter(card=card).count() == 1
    assert Entry.objects.filter(business_type=CardBusinessType.PURCHASE).count() == 1
    assert available_credit(card) == D("1000.00") and points_balance(card.customer) == 49000
    assert AcquirerTxn.objects.filter(status=AcquirerTxnStatus.DECLINED).get().reason == \
        "信用卡可用额度不足"
    assert buy(card, "1000.00").approved   # exactly the available credit still buys


@pytest.mark.parametrize(("medium_status", "card_status", "reason"), [
    (MediumStatus.ORAL_LOSS, CardStatus.ACTIVE, "该卡已口头挂失，交易被拒绝"),
    (MediumStatus.WRITTEN_LOSS, CardStatus.ACTIVE, "该卡已书面挂失，交易被拒绝"),
    (MediumStatus.FROZEN, CardStatus.ACTIVE, "该卡已冻结，交易被拒绝"),
    (MediumStatus.NORMAL, CardStatus.FROZEN, "该卡已冻结，交易被拒绝"),
    (MediumStatus.NORMAL, CardStatus.CLOSED, "该卡已销卡，交易被拒绝"),
])
def test_a_lost_frozen_or_closed_card_is_declined(card, on_day, medium_status, card_status,
                                                  reason):
    type(card.medium).objects.filter(pk=card.medium_id).update(status=medium_status)
    type(card).objects.filter(pk=card.pk).update(status=card_status)
    answer = card_authorise(card_number=card.medium.number, amount=D("10.00"), merchant="便利店",
                            mcc="5499", txn_date=DAY, reference="ACQ-LOST-1")
    assert not answer.approved and answer.reason == reason
    assert not CardItem.objects.exists() and not Entry.objects.filter(
        business_type=CardBusinessType.PURCHASE).exists()


def test_an_unknown_card_a_future_date_and_a_bad_amount_are_declined(card, on_day):
    assert card_authorise(card_number="6259180000000000", amount=D("1"), merchant="店", mcc="",
                          txn_date=DAY, reference="R1").reason == "无效卡号"
    assert card_authorise(card_number=card.medium.number, amount=D("1"), merchant="店", mcc="",
                          txn_date=date(2026, 1, 11), reference="R2").reason == "交易日期无效"
    assert card_authorise(card_number=card.medium.number, amount=D("-1"), merchant="店", mcc="",
                          txn_date=DAY, reference="R3").reason == "交易金额无效"
    assert not CardItem.objects.exists()


def test_the_same_acquirer_reference_posts_once(card, on_day):
    first = card_authorise(card_number=card.medium.number, amount=D("300.00"), merchant="书店",
                           mcc="5942", txn_date=DAY, reference="ACQ-SAME-1")
    again = card_authorise(card_number=card.medium.number, amount=D("300.00"), merchant="书店",
                           mcc="5942", txn_date=DAY, reference="ACQ-SAME-1")
    assert first.approved and again.approved and again.replayed
    assert first.issuer_reference == again.issuer_reference
    assert CardItem.objects.count() == 1 and card_balance(card) == D("300.00")
    assert points_balance(card.customer) == 300
    # and through the simulator: one acquirer row, one item
    outcome = buy(card, "20.00", reference="ACQ-SAME-2")
    replay = buy(card, "20.00", reference="ACQ-SAME-2")
    assert replay.replayed and replay.reference == outcome.reference
    assert CardItem.objects.count() == 2 and AcquirerTxn.objects.count() == 1


def test_a_refund_credits_the_card_against_its_purchase_and_takes_the_points_back(card, on_day):
    bought = buy(card, "1000.00", merchant="服装店")
    returned = refund(card, "300.00", bought.reference)
    assert returned.approved and returned.merchant == "服装店"
    item = CardItem.objects.get(reference=bought.reference)
    credit = CardCredit.objects.get(reference=returned.reference)
    assert (credit.kind, credit.amount, credit.refund_of_id, credit.unapplied) == (
        CreditKind.REFUND, D("300.00"), item.pk, D("0.00"))
    assert Entry.objects.get(pk=credit.entry_id).business_type == CardBusinessType.REFUND
    assert (item.refunded, item.outstanding) == (D("300.00"), D("700.00"))
    assert card_balance(card) == D("700.00") and acquirer_book() == D("700.00")
    assert points_balance(card.customer) == 700 and points_verify(card.customer)
    assert PointsLot.objects.get(item=item).remaining == 700
    assert card_verify(card)[0] == card_verify(card)[1]


def test_a_refund_more_than_purchased_is_refused(card, on_day):
    bought = buy(card, "1000.00", merchant="服装店")
    assert refund(card, "600.00", bought.reference).approved
    outcome = refund(card, "400.01", bought.reference)
    assert not outcome.approved
    assert outcome.reason == "退货金额超过原交易可退金额（可退¥400.00）"
    assert CardCredit.objects.count() == 1 and card_balance(card) == D("400.00")
    assert refund(card, "400.00", bought.reference).approved   # the rest still refunds
    assert card_balance(card) == D("0.00") and points_balance(card.customer) == 0


def test_a_refund_of_an_unknown_purchase_or_replayed_reference(card, on_day):
    bought = buy(card, "100.00")
    assert card_refund(card_number=card.medium.number, amount=D("1.00"),
                       original_reference="NOPE", reference="RF1").reason == "原交易不存在"
    first = card_refund(card_number=card.medium.number, amount=D("40.00"),
                        original_reference=bought.reference, reference="RF2")
    again = card_refund(card_number=card.medium.number, amount=D("40.00"),
                        original_reference=bought.reference, reference="RF2")
    assert first.approved and again.replayed and CardCredit.objects.count() == 1
    assert card_balance(card) == D("60.00")


def test_a_refund_on_a_frozen_card_is_accepted(card, on_day):
    bought = buy(card, "100.00")
    type(card).objects.filter(pk=card.pk).update(status=CardStatus.FROZEN)
    assert refund(card, "100.00", bought.reference).approved
    assert card_balance(card) == D("0.00")


def test_a_refund_after_repayment_is_overpayment(card, on_day):
    from .conftest import repay

    bought = buy(card, "500.00")
    repay(card, "500.00", DAY)
    refund(card, "200.00", bought.reference)
    assert card_balance(card) == D("-200.00")
    assert CardCredit.objects.get(kind=CreditKind.REFUND).unapplied == D("200.00")
    assert card_verify(card)[0] == card_verify(card)[1]


def test_a_refund_reusing_a_purchase_reference_is_declined_not_mistaken_for_a_replay(card,
                                                                                     on_day):
    bought = buy(card, "100.00", reference="ACQ-SHARED")
    answer = card_refund(card_number=card.medium.number, amount=D("10.00"),
                         original_reference=bought.reference, reference="ACQ-SHARED")
    assert not answer.approved and answer.reason == "收单流水号重复"
    assert card_refund(card_number=card.medium.number, amount=D("10.00"),
                       original_reference=bought.reference, reference="ACQ-RF-OK").approved
    again = card_authorise(card_number=card.medium.number, amount=D("5.00"), merchant="店",
                           mcc="", txn_date=DAY, reference="ACQ-RF-OK")
    assert not again.approved and again.reason == "收单流水号重复"
    assert card_balance(card) == D("90.00") and card_verify(card)[0] == card_verify(card)[1]
