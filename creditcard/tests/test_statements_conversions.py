"""转分期 and the minimum payment (DOMAIN-RULES §3): a conversion takes off this period's 10%
base only when it converted this statement's own purchases; a 账单分期 of a statement lowers the
minimum still owed on it by the purchase minimum rate × what was converted (half-up), and the
repay page, 自动还款 and the statement run's 违约金 check all agree."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse

from creditcard.engine import card_lock, card_verify, conversion_add, money
from creditcard.models import (
    AutoRepayMode,
    AutoRepayStatus,
    Card,
    CardItem,
    InstalmentKind,
    InstalmentPlan,
    ItemKind,
    Statement,
)
from creditcard.repay.autorepay import autorepay_run
from creditcard.repay.repayment import RepayChoice, repay_amount, repay_figures
from creditcard.selectors import minimum_unpaid
from creditcard.statements.run import statement_run

from .conftest import charge, repay
from .repay_helpers import linked_card

pytestmark = pytest.mark.django_db
FEB, MAR = date(2026, 2, 5), date(2026, 3, 5)
SPLIT_ON = date(2026, 2, 10)


@pytest.fixture(autouse=True)
def _cards_stay_sound(db):
    yield
    for card in Card.objects.select_related("sub_account"):
        balance, items = card_verify(card)
        assert balance == items, f"card {card.pk}: ledger {balance} ≠ items {items}"


def run(day: date) -> int:
    with time_machine.travel(datetime.combine(day + timedelta(1), time(0, 30), UTC), tick=False):
        return statement_run(day)


def statement(card, day: date) -> Statement:
    return Statement.objects.get(card=card, statement_date=day)


def plan_add(card, amount, periods, rate, *, on, kind, items, statement=None, item=None):
    """A 账单分期 / 灵活分期 as the instalment executor makes it: the plan and its conversion."""
    principal = D(amount)
    with transaction.atomic():
        card = card_lock(card.pk)
        conversion_add(card=card, amount=principal, items=items, posted_on=on,
                       reference=f"conv-{kind}-{on:%Y%m%d}", description="转分期")
        return InstalmentPlan.objects.create(
            card=card, kind=kind, statement=statement, item=item, principal=principal,
            periods=periods, fee_rate=D(rate), period_principal=money(principal / periods),
            period_fee=money(principal * D(rate)), apr=D("13.03"), applied_on=on,
            unbilled_principal=principal, reference=f"P{kind}{on:%Y%m%d}")


def bill_split(card, amount, *, on=SPLIT_ON):
    feb = statement(card, FEB)
    purchases = list(CardItem.objects.filter(statement=feb, kind=ItemKind.PURCHASE,
                                             outstanding__gt=0).order_by("posted_on", "pk"))
    return plan_add(card, amount, 12, "0.006", on=on, kind=InstalmentKind.BILL,
                    items=purchases, statement=feb)


@pytest.fixture
def feb_card(world):
    """12,000 of purchases billed on the 5 Feb statement (minimum 1,200.00)."""
    card = linked_card(world.zhang_customer)
    charge(card, "12000.00", date(2026, 1, 10))
    run(FEB)
    assert statement(card, FEB).minimum_payment == D("1200.00")
    return card


# --- 1. the next statement's 10% base -----------------------------------------------------------


def test_a_bill_instalment_of_february_does_not_lower_marchs_purchase_minimum(feb_card):
    bill_split(feb_card, "12000.00")                       # the whole of February's purchases
    charge(feb_card, "3000.00", date(2026, 2, 15))         # March's purchases
    run(MAR)
    march = statement(feb_card, MAR)
    assert march.instalments == D("1072.00")
    # 10% of March's own 3,000 + the first period; the 12,000 conversion was February's.
    assert march.minimum_payment == D("300.00") + D("1072.00")


def test_a_flexible_instalment_of_a_purchase_of_the_period_comes_off_its_base(card):
    charge(card, "2000.00", date(2026, 1, 10))
    flexed = charge(card, "1000.00", date(2026, 1, 12))
    plan_add(card, "1000.00", 3, "0.0088", on=date(2026, 1, 12), kind=InstalmentKind.FLEX,
             items=[flexed], item=flexed)
    run(FEB)
    s = statement(card, FEB)
    assert s.purchases == D("3000.00") and s.instalments == D("333.33") + D("8.80")
    assert s.minimum_payment == D("200.00") + D("342.13")   # 10% of 3,000 − 1,000


# --- 2. the minimum still owed after a partial 账单分期 --------------------------------------------


def test_minimum_unpaid_drops_by_10_percent_of_the_part_converted_half_up(feb_card):
    bill_split(feb_card, "6000.05")
    feb = statement(feb_card, FEB)
    assert minimum_unpaid(feb) == D("1200.00") - D("600.01")        # 600.005 → 600.01
    assert minimum_unpaid(feb, as_of=SPLIT_ON - timedelta(1)) == D("1200.00")


def test_minimum_unpaid_after_a_split_never_goes_below_zero(feb_card):
    repay(feb_card, "1000.00", date(2026, 2, 8))
    bill_split(feb_card, "5000.00")
    assert minimum_unpaid(statement(feb_card, FEB)) == D("0.00")


def test_the_repay_page_asks_the_minimum_less_the_part_converted(world, feb_card):
    bill_split(feb_card, "6000.00")
    client = Client()
    client.force_login(world.zhang)
    with time_machine.travel(datetime(2026, 2, 10, 2, 0, tzinfo=UTC), tick=False):
        body = client.get(f"{reverse('creditcard:repay')}?card={feb_card.pk}").content.decode()
        assert repay_figures(feb_card).minimum == D("600.00")
        assert repay_amount(feb_card, choice=RepayChoice.MINIMUM, typed="") == D("600.00")
    assert "¥600.00" in body and "¥1,200.00" not in body


def test_minimum_autorepay_after_a_split_takes_the_reduced_minimum(world, feb_card):
    bill_split(feb_card, "6000.00")
    feb_card.autorepay_mode, feb_card.autorepay_medium = AutoRepayMode.MINIMUM, world.zhang_card
    feb_card.save(update_fields=["autorepay_mode", "autorepay_medium"])
    feb = statement(feb_card, FEB)
    with time_machine.travel(datetime(2026, 2, 25, 1, 0, tzinfo=UTC), tick=False):
        run_ = autorepay_run(statement=feb, on=feb.due_date)
    assert (run_.status, run_.wanted, run_.paid) == (AutoRepayStatus.PAID, D("600.00"),
                                                      D("600.00"))


def test_the_statement_run_charges_no_late_fee_when_the_reduced_minimum_was_paid(feb_card):
    bill_split(feb_card, "6000.00")
    repay(feb_card, "600.00", date(2026, 2, 20))
    run(MAR)
    assert not CardItem.objects.filter(card=feb_card, kind=ItemKind.LATE_FEE).exists()
    march = statement(feb_card, MAR)
    assert march.previous_minimum_unpaid == D("0.00") == minimum_unpaid(statement(feb_card, FEB),
                                                                         as_of=MAR)
