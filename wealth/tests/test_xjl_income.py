"""薪加利's daily income (the nightly step ``xjl_income``): base × 万份收益 / 10,000 rounded
half-up to the fen once; none for the day of 转入 or of 转出; dates paid in order with
catch-up when a 万份收益 comes late; a rerun posts nothing twice. Figures computed by hand."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine

from ebank.duework.nightly import nightly_batch_run, registered_steps
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from wealth.book import share_book_check
from wealth.models import Income
from wealth.xjl.income import income_distribute, income_of

from .conftest import FRIDAY_BEFORE, MONDAY, assess, nav_publish, shanghai
from .xjl_support import shares_of, transfer_in, transfer_out

pytestmark = pytest.mark.django_db

SATURDAY, SUNDAY = FRIDAY_BEFORE + timedelta(days=1), FRIDAY_BEFORE + timedelta(days=2)


def run(day: date) -> int:
    """The step for business date ``day``, run at 00:30 the next morning."""
    with time_machine.travel(shanghai(day + timedelta(days=1), 0, 30), tick=False):
        return income_distribute(day)


def test_the_step_is_registered():
    steps = [(s.order, s.name, s.label) for s in registered_steps()
             if s.qualname.startswith("wealth.xjl.")]
    assert steps == [(420, "xjl_income", "薪加利收益分配")]


def test_rounding_once_half_up_to_the_fen():
    # 12,345.67 × 0.4521 / 10,000 = 0.558147… → 0.56
    assert income_of(D("12345.67"), D("0.4521")) == D("0.56")
    # 10,000.00 × 0.4525 / 10,000 = 0.4525 → 0.45; 11,111.11 × 0.4500 / 10,000 = 0.499999… → 0.50
    assert income_of(D("10000.00"), D("0.4525")) == D("0.45")
    assert income_of(D("11111.11"), D("0.4500")) == D("0.50")
    assert income_of(D("100.00"), D("0.4499")) == D("0.00")


def test_bought_on_friday_earns_from_saturday(world, shelf):
    assess(world.zhang_customer, "C1")
    with time_machine.travel(shanghai(FRIDAY_BEFORE, 10), tick=False):
        transfer_in(world, shelf.xjl, "12345.67")
    # Friday's 万份收益 0.4521 is published (shelf): the day of 转入 earns nothing.
    assert run(FRIDAY_BEFORE) == 0
    nav_publish(shelf.xjl, SATURDAY, income_per_10k="0.4521", seven_day_yield="1.6500")
    assert run(SATURDAY) == 1
    income = Income.objects.get(customer=world.zhang_customer, date=SATURDAY)
    assert (income.shares_base, income.amount) == (D("12345.6700"), D("0.56"))
    # Sunday: 12,346.23 × 0.4498 / 10,000 = 0.555333… → 0.56 (the income compounds).
    nav_publish(shelf.xjl, SUNDAY, income_per_10k="0.4498", seven_day_yield="1.6400")
    assert run(SUNDAY) == 1
    assert Income.objects.get(date=SUNDAY).shares_base == D("12346.2300")
    assert shares_of(shelf.xjl, world.zhang_customer) == D("12346.7900")
    # The fund's income came in: 0.56 + 0.56 from 薪加利基金收益划入 to the product's cash book.
    earnings = LedgerAccount.objects.get(pk=bank_book_id("BANK:XJL_EARNINGS"))
    assert earnings.balance == D("1.12")
    # A rerun of any date posts nothing.
    assert run(SATURDAY) == 0 and run(SUNDAY) == 0
    assert Income.objects.count() == 2
    assert share_book_check() == []


@pytest.fixture
def holding(world, shelf):
    """张伟 holds 30,000.00 bought on Friday; 万份收益 1.0000 every day from Saturday."""
    assess(world.zhang_customer, "C1")
    with time_machine.travel(shanghai(FRIDAY_BEFORE, 10), tick=False):
        transfer_in(world, shelf.xjl, "30000.00")
    for back in range(1, 5):
        nav_publish(shelf.xjl, FRIDAY_BEFORE + timedelta(days=back), income_per_10k="1.0000")
    run(SATURDAY)   # 30,000.00 → 3.00
    run(SUNDAY)     # 30,003.00 → 3.0003 → 3.00
    return shelf.xjl


@pytest.mark.parametrize("mode", ["instant", "normal"])
def test_no_income_on_the_day_of_redemption(world, holding, mode):
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        transfer_out(world, holding, "10000.00", mode=mode)
    run(MONDAY)
    # 30,006.00 − 10,000.00 = 20,006.00 × 1.0000 / 10,000 = 2.0006 → 2.00 (not 3.00).
    income = Income.objects.get(date=MONDAY)
    assert (income.shares_base, income.amount) == (D("20006.0000"), D("2.00"))


def test_a_transfer_in_after_midnight_does_not_count_for_the_day_before(world, holding):
    with time_machine.travel(shanghai(MONDAY + timedelta(days=1), 0, 5), tick=False):
        transfer_in(world, holding, "50000.00")
    run(MONDAY)
    assert Income.objects.get(date=MONDAY).shares_base == D("30006.0000")


def test_a_late_income_holds_back_the_later_dates_then_all_are_paid_in_order(world, shelf):
    assess(world.zhang_customer, "C1")
    with time_machine.travel(shanghai(FRIDAY_BEFORE, 10), tick=False):
        transfer_in(world, shelf.xjl, "30000.00")
    nav_publish(shelf.xjl, SUNDAY, income_per_10k="1.0000")
    assert run(SATURDAY) == 0 and run(SUNDAY) == 0   # Saturday's 万份收益 is missing
    assert not Income.objects.exists()
    nav_publish(shelf.xjl, SATURDAY, income_per_10k="1.0000")
    nav_publish(shelf.xjl, MONDAY, income_per_10k="1.0000")
    assert run(MONDAY) == 3
    rows = list(Income.objects.order_by("date").values_list("date", "shares_base", "amount"))
    assert rows == [(SATURDAY, D("30000.0000"), D("3.00")),
                    (SUNDAY, D("30003.0000"), D("3.00")),
                    (MONDAY, D("30006.0000"), D("3.00"))]
    assert share_book_check() == []


def test_the_nightly_batch_runs_the_step_once(world, holding):
    with time_machine.travel(shanghai(MONDAY + timedelta(days=1), 0, 30), tick=False):
        steps = [s for s in registered_steps() if s.name == "xjl_income"]
        nightly_batch_run(business_date=MONDAY, steps=steps)
        nightly_batch_run(business_date=MONDAY, steps=steps)
    assert Income.objects.filter(date=MONDAY).count() == 1


def test_a_date_not_yet_over_is_not_paid(world, holding):
    """Run for Monday while Monday is still going on (a batch started by hand in the day): the
    base is not final — a 转出 that afternoon must still earn nothing — so Monday is left for the
    run after midnight."""
    with time_machine.travel(shanghai(MONDAY, 11), tick=False):
        assert income_distribute(MONDAY) == 0
    with time_machine.travel(shanghai(MONDAY, 14), tick=False):
        transfer_out(world, holding, "30006.00", mode="normal")
    assert run(MONDAY) == 0   # all redeemed on Monday: 转出当日无收益
    assert not Income.objects.filter(date=MONDAY).exists()
    assert share_book_check() == []


def test_a_transfer_in_and_out_on_the_same_day(world, holding):
    """Monday: 20,000.00 in and 25,000.00 out (实时 10,000 + 普通 15,000). Held at the start:
    30,006.00; redeemed 25,000.00 earn nothing, bought 20,000.00 earn from Tuesday: base
    5,006.00 → 0.5006 → 0.50; Tuesday's base is what is held: 25,006.50."""
    with time_machine.travel(shanghai(MONDAY, 9), tick=False):
        transfer_in(world, holding, "20000.00")
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        transfer_out(world, holding, "10000.00", mode="instant")
        transfer_out(world, holding, "15000.00", mode="normal")
    run(MONDAY)
    income = Income.objects.get(date=MONDAY)
    assert (income.shares_base, income.amount) == (D("5006.0000"), D("0.50"))
    run(MONDAY + timedelta(days=1))
    assert Income.objects.get(date=MONDAY + timedelta(days=1)).shares_base == D("25006.5000")
    assert share_book_check() == []


def _cash_book(product) -> D:
    return LedgerAccount.objects.get(pk=product.ledger_account_id).balance


def _owed(product) -> D:
    """Σ customer shares at 1.0000 + the shares of 普通转出 not yet paid."""
    from django.db.models import Sum

    from wealth.models import Order, OrderKind, OrderStatus, ShareAccount
    held = ShareAccount.objects.filter(product=product, customer__isnull=False).aggregate(
        s=Sum("shares"))["s"] or D(0)
    unpaid = Order.objects.filter(product=product, kind=OrderKind.XJL_OUT,
                                  status=OrderStatus.CONFIRMED).aggregate(
        s=Sum("confirmed_amount"))["s"] or D(0)
    return held + unpaid


def test_the_cash_book_always_equals_what_is_owed(world, holding):
    """The product's cash book = Σ customer shares + 普通转出 not yet paid, at every step."""
    from ebank.duework.services import dispatch_due

    assert _cash_book(holding) == _owed(holding) == D("30006.00")
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        transfer_out(world, holding, "1000.00", mode="instant")
        transfer_out(world, holding, "2000.00", mode="normal")
        transfer_in(world, holding, "500.00")
    assert _cash_book(holding) == _owed(holding) == D("29506.00")
    run(MONDAY)   # base 27,006.00 → 2.70
    assert _cash_book(holding) == _owed(holding) == D("29508.70")
    with time_machine.travel(shanghai(MONDAY + timedelta(days=1), 0, 5), tick=False):
        dispatch_due()
    assert _cash_book(holding) == _owed(holding) == D("27508.70")
    assert share_book_check() == []
