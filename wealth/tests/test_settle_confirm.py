"""理财交易确认 (the nightly step ``wealth_orders_confirm``): T+1 at the trade date's 净值 on each
side of 15:00 and across 端午节, waiting for a missing 净值, 认购 at the 成立日, the fee
convention (价外 for 认购/申购, on the gross for 赎回) with worked figures, the 冷静期, reruns."""

from datetime import date, timedelta
from decimal import Decimal as D
from io import StringIO

import pytest

from accounts.models import Receipt, ReceiptDirection
from ebank.duework.nightly import registered_steps
from ebank.ledger.models import Entry, HoldStatus
from ebank.ledger.selectors import ledger_violations
from ebank.ledger.services import hold_release
from wealth.book import share_account_for, share_book_check
from wealth.models import Order, OrderKind, OrderStatus, ShareEntry
from wealth.settle.figures import buy_figures, redeem_figures
from wealth.settle.services import HOLD_GONE, orders_confirm

from .conftest import DRAGON_BOAT, MONDAY, assess, nav_publish, shanghai
from .settle_support import available, fee_income, ledger_balance, night, place, shares_give

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)


@pytest.fixture
def zhang(world, shelf):
    assess(world.zhang_customer, "C3")
    return world


def _books_sound():
    assert share_book_check() == []
    assert ledger_violations() == []


def test_the_step_is_registered_in_its_order():
    steps = [(s.order, s.name, s.label) for s in registered_steps()
             if s.qualname.startswith("wealth.settle.")]
    assert steps == [(400, "wealth_orders_confirm", "理财交易确认")]


def test_worked_example_purchase_10000_at_half_a_percent_and_nav_1_0234():
    # 价外: 净申购金额 = 10,000.00 / 1.005 = 9,950.2487… → 9,950.25; 费用 = 49.75;
    # 份额 = 9,950.25 / 1.0234 = 9,722.73793… → 9,722.7379 (1.0234 × 9,722.7379 = 9,950.2499).
    figures = buy_figures(amount=D("10000.00"), fee_rate=D("0.5"), nav=D("1.0234"))
    assert (figures.net, figures.fee, figures.shares) == (D("9950.25"), D("49.75"),
                                                          D("9722.7379"))
    # 赎回 1,000 份 at 1.0234 and 0.2 %: 1,023.40; 费用 2.0468 → 2.05; 到账 1,021.35.
    redeemed = redeem_figures(shares=D("1000.0000"), fee_rate=D("0.2"), nav=D("1.0234"))
    assert (redeemed.amount, redeemed.fee, redeemed.net) == (D("1023.40"), D("2.05"),
                                                             D("1021.35"))


def test_purchase_before_15_00_is_confirmed_t_plus_1_at_that_days_nav(zhang, shelf):
    payer = zhang.main(zhang.zhang_card)
    before, book_before, fees_before = (available(payer),
                                        ledger_balance(shelf.open_r2.ledger_account_id),
                                        fee_income())
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="10000.00",
                  at=shanghai(MONDAY, 14, 59))
    nav_publish(shelf.open_r2, MONDAY, "1.0234")
    assert night(MONDAY) is True
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert (order.nav, order.confirmed_shares, order.confirmed_amount, order.fee) == (
        D("1.0234"), D("9722.7379"), D("10000.00"), D("49.75"))
    assert order.confirmed_on == TUESDAY and order.entry_id is not None
    assert order.closed_at == shanghai(TUESDAY, 0, 10)
    order.hold.refresh_from_db()
    assert order.hold.status == HoldStatus.CAPTURED
    assert available(payer) == before - D("10000.00")
    assert ledger_balance(shelf.open_r2.ledger_account_id) == book_before + D("9950.25")
    assert fee_income() == fees_before + D("49.75")
    mine = share_account_for(product=shelf.open_r2, customer=zhang.zhang_customer)
    assert (mine.shares, mine.frozen) == (D("9722.7379"), D("0"))
    receipt = Receipt.objects.get(entry_id=order.entry_id)
    assert (receipt.direction, receipt.amount) == (ReceiptDirection.DEBIT, D("10000.00"))
    assert receipt.sub_account_id == payer.pk and "LC2001" in receipt.purpose
    _books_sound()


def test_purchase_at_15_00_trades_the_next_day_at_its_nav(zhang, shelf):
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="1000.00",
                  at=shanghai(MONDAY, 15))
    assert order.trade_date == TUESDAY
    nav_publish(shelf.open_r2, MONDAY, "1.0234")
    night(MONDAY)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    nav_publish(shelf.open_r2, TUESDAY, "1.0100")
    night(TUESDAY)
    order.refresh_from_db()
    # 1,000.00 / 1.005 = 995.0248… → 995.02, fee 4.98; 995.02 / 1.0100 = 985.1683 份.
    assert (order.status, order.nav, order.fee, order.confirmed_shares, order.confirmed_on) == (
        OrderStatus.CONFIRMED, D("1.0100"), D("4.98"), D("985.1683"), WEDNESDAY)


def test_across_dragon_boat_an_order_after_15_00_on_the_eve_waits_for_monday(zhang, shelf,
                                                                             dragon_boat):
    eve = DRAGON_BOAT - timedelta(days=1)          # Thursday 2026-06-18
    after_holiday = date(2026, 6, 22)              # Monday
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="2000.00",
                  at=shanghai(eve, 15, 30))
    assert order.trade_date == after_holiday
    nav_publish(shelf.open_r2, eve, "1.0500")
    for day in (eve, DRAGON_BOAT, date(2026, 6, 20), date(2026, 6, 21)):
        night(day)
        order.refresh_from_db()
        assert order.status == OrderStatus.PENDING, day
    nav_publish(shelf.open_r2, after_holiday, "1.0600")
    night(after_holiday)
    order.refresh_from_db()
    # 2,000.00 / 1.005 = 1,990.0497… → 1,990.05, fee 9.95; 1,990.05 / 1.06 = 1,877.4057 份.
    assert (order.nav, order.fee, order.confirmed_shares, order.confirmed_on) == (
        D("1.0600"), D("9.95"), D("1877.4057"), date(2026, 6, 23))


def test_a_missing_nav_keeps_the_order_waiting_and_a_later_night_confirms_it(zhang, shelf):
    order = place(zhang, shelf.open_r3, OrderKind.PURCHASE, amount="3000.00",
                  at=shanghai(MONDAY, 10))
    assert night(MONDAY) is True
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.hold.status == HoldStatus.ACTIVE
    nav_publish(shelf.open_r3, MONDAY, "0.9876")   # published late, on Tuesday
    night(TUESDAY)
    order.refresh_from_db()
    # No fee on LC3001: 3,000.00 / 0.9876 = 3,037.6671… → 3,037.6671 份.
    assert (order.status, order.nav, order.fee, order.confirmed_shares) == (
        OrderStatus.CONFIRMED, D("0.9876"), D("0.00"), D("3037.6671"))
    assert order.confirmed_on == WEDNESDAY
    assert not Entry.objects.get(pk=order.entry_id).postings.filter(
        amount=0).exists()  # no zero fee leg


def test_subscription_is_confirmed_for_the_start_date_at_1_0000(zhang, shelf):
    payer = zhang.main(zhang.zhang_card)
    before = available(payer)
    order = place(zhang, shelf.closed, OrderKind.SUBSCRIBE, amount="11000.00",
                  at=shanghai(MONDAY, 11))
    for day in (date(2026, 6, 12), date(2026, 6, 13)):   # 成立日 06-15 not yet D + 1
        night(day)
        order.refresh_from_db()
        assert order.status == OrderStatus.PENDING
    night(date(2026, 6, 14))                              # D + 1 = 成立日
    order.refresh_from_db()
    assert (order.status, order.nav, order.confirmed_shares, order.fee, order.confirmed_on) == (
        OrderStatus.CONFIRMED, D("1.0000"), D("11000.0000"), D("0.00"), date(2026, 6, 15))
    assert available(payer) == before - D("11000.00")
    assert share_account_for(product=shelf.closed,
                             customer=zhang.zhang_customer).shares == D("11000.0000")
    _books_sound()


def test_redemption_pays_the_net_amount_and_takes_the_frozen_shares(zhang, shelf):
    shares_give(shelf.open_r2, zhang.zhang_customer, "1000")
    payer = zhang.main(zhang.zhang_card)
    before, fees_before = available(payer), fee_income()
    order = place(zhang, shelf.open_r2, OrderKind.REDEEM, shares="1000",
                  at=shanghai(MONDAY, 10))
    nav_publish(shelf.open_r2, MONDAY, "1.0234")
    night(MONDAY)
    order.refresh_from_db()
    assert (order.status, order.confirmed_amount, order.fee, order.confirmed_shares) == (
        OrderStatus.CONFIRMED, D("1023.40"), D("2.05"), D("1000.0000"))
    assert available(payer) == before + D("1021.35")
    assert fee_income() == fees_before + D("2.05")
    mine = share_account_for(product=shelf.open_r2, customer=zhang.zhang_customer)
    assert (mine.shares, mine.frozen) == (D("0"), D("0"))
    receipt = Receipt.objects.get(entry_id=order.entry_id)
    assert (receipt.direction, receipt.amount) == (ReceiptDirection.CREDIT, D("1021.35"))
    _books_sound()


def test_a_private_order_inside_its_cooling_off_is_not_confirmed_that_night(zhang, shelf):
    order = place(zhang, shelf.private, OrderKind.PURCHASE, amount="1000.00",
                  at=shanghai(MONDAY, 10))
    assert order.cancel_until == shanghai(TUESDAY, 10)
    nav_publish(shelf.private, MONDAY, "1.0200")
    night(MONDAY)                                   # Tuesday 00:10: still in its 冷静期
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    night(TUESDAY)
    order.refresh_from_db()
    assert (order.status, order.nav, order.confirmed_shares) == (
        OrderStatus.CONFIRMED, D("1.0200"), D("980.3922"))


def test_a_rerun_confirms_nothing_twice(zhang, shelf):
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="5000.00",
                  at=shanghai(MONDAY, 9))
    shares_give(shelf.open_r2, zhang.zhang_customer, "500", key="r")
    redeem = place(zhang, shelf.open_r2, OrderKind.REDEEM, shares="500",
                   at=shanghai(MONDAY, 9, 30))
    nav_publish(shelf.open_r2, MONDAY, "1.0000")
    assert night(MONDAY) is True
    counts = (Entry.objects.count(), ShareEntry.objects.count(), Receipt.objects.count())
    assert night(MONDAY) is False                   # the step is DONE for the date
    assert orders_confirm(business_date=MONDAY) == 0
    night(TUESDAY)                                  # and the next night finds nothing to do
    assert (Entry.objects.count(), ShareEntry.objects.count(), Receipt.objects.count()) == counts
    assert Order.objects.filter(pk__in=[order.pk, redeem.pk],
                                status=OrderStatus.CONFIRMED).count() == 2
    _books_sound()


def test_an_order_whose_hold_is_gone_fails_and_nothing_moves(zhang, shelf):
    payer = zhang.main(zhang.zhang_card)
    before, entries = available(payer), Entry.objects.count()
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="1000.00",
                  at=shanghai(MONDAY, 9))
    hold_release(hold=order.hold)
    nav_publish(shelf.open_r2, MONDAY, "1.0000")
    assert night(MONDAY) is True
    order.refresh_from_db()
    assert (order.status, order.failure_reason) == (OrderStatus.FAILED, HOLD_GONE)
    assert available(payer) == before and Entry.objects.count() == entries
    _books_sound()


def test_xjl_orders_are_not_confirmed_here(zhang, shelf):
    order = Order.objects.create(
        number="LC20260608XJLTEST00001", customer=zhang.zhang_customer, medium=zhang.zhang_card,
        product=shelf.xjl, kind=OrderKind.XJL_OUT, amount=D("100.00"),
        placed_at=shanghai(MONDAY, 9), trade_date=MONDAY)
    nav_publish(shelf.xjl, MONDAY, "1.0000")
    night(MONDAY)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_rerun_of_the_whole_batch_confirms_nothing_twice(zhang, shelf):
    import time_machine
    from django.core.management import call_command

    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="5000.00",
                  at=shanghai(MONDAY, 9))
    nav_publish(shelf.open_r2, MONDAY, "1.0000")
    with time_machine.travel(shanghai(TUESDAY, 0, 10), tick=False):
        call_command("run_nightly_batch", "--date", MONDAY.isoformat(), stdout=StringIO())
        counts = (Entry.objects.count(), ShareEntry.objects.count(), Receipt.objects.count())
        out = StringIO()
        call_command("run_nightly_batch", "--date", MONDAY.isoformat(), stdout=out)
    assert "wealth_orders_confirm: already done" in out.getvalue()
    assert (Entry.objects.count(), ShareEntry.objects.count(), Receipt.objects.count()) == counts
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and order.fee == D("24.88")
