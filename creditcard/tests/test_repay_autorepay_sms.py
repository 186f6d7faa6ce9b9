"""The 自动还款 warning SMS says "interest and 违约金" only when the shortfall costs that under the
rules: a shortfall within 容差 (10 yuan) counts as paid, so no warning is sent; a 全额 run short
of the statement but not of the minimum warns of interest only."""

from datetime import date
from decimal import Decimal as D

import pytest

from creditcard.models import AutoRepayMode, AutoRepayRun, AutoRepayStatus, ItemKind
from creditcard.repay.nightly import card_autorepay_step
from security.models import SmsMessage, SmsSubscription

from .repay_helpers import drain, item, linked_card, main, statement_build

pytestmark = pytest.mark.django_db
DUE = date(2026, 2, 25)


def li_card_short_by(world, mode, leave):
    """李娜's card, a February statement of 1,020.00 (minimum 120.00), 自动还款 ``mode`` from her
    借记卡 holding ``leave``, and her 短信服务 subscription."""
    card = linked_card(world.li_customer)
    p = item(card, ItemKind.PURCHASE, "1000.00", date(2026, 1, 20))
    f = item(card, ItemKind.CASH_FEE, "20.00", date(2026, 1, 21))
    statement = statement_build(card, date(2026, 2, 5), [p, f], minimum="120.00")
    card.autorepay_mode, card.autorepay_medium = mode, world.li_card
    card.save(update_fields=["autorepay_mode", "autorepay_medium"])
    SmsSubscription.objects.create(user=world.li, sub_account=main(world.li_card),
                                   threshold=D("1000.00"), phone=world.li_customer.phone)
    drain(main(world.li_card), leave=leave)
    return statement


def texts(world) -> list[str]:
    return list(SmsMessage.objects.filter(phone=world.li_customer.phone, text__contains="自动还款")
                .values_list("text", flat=True))


@pytest.mark.parametrize(("mode", "leave"), [(AutoRepayMode.FULL, "1010.00"),
                                             (AutoRepayMode.MINIMUM, "110.00")])
def test_tolerance_a_shortfall_of_10_counts_as_paid_and_sends_no_warning(
        world, mode, leave, django_capture_on_commit_callbacks):
    statement = li_card_short_by(world, mode, leave)
    with django_capture_on_commit_callbacks(execute=True):
        card_autorepay_step(DUE)
    run = AutoRepayRun.objects.get(statement=statement)
    assert run.status == AutoRepayStatus.PARTIAL and run.wanted - run.paid == D("10.00")
    assert texts(world) == []


def test_tolerance_a_minimum_short_by_10_01_warns_of_interest_and_late_fee(
        world, django_capture_on_commit_callbacks):
    statement = li_card_short_by(world, AutoRepayMode.MINIMUM, "109.99")
    with django_capture_on_commit_callbacks(execute=True):
        card_autorepay_step(DUE)
    assert AutoRepayRun.objects.get(statement=statement).paid == D("109.99")
    [text] = texts(world)
    assert "以免产生利息和违约金" in text


def test_a_full_run_short_of_the_statement_but_not_of_the_minimum_warns_of_interest_only(
        world, django_capture_on_commit_callbacks):
    li_card_short_by(world, AutoRepayMode.FULL, "500.00")
    with django_capture_on_commit_callbacks(execute=True):
        card_autorepay_step(DUE)
    [text] = texts(world)
    assert "以免产生利息。" in text and "违约金" not in text
