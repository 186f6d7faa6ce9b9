"""A 净值 correction racing the nightly confirmation that prices with it (PostgreSQL, real
threads): the confirmation locks the 净值 rows it uses and head office's correction locks the
row before asking whether it was used, so the correction either lands first and is the price
used, or waits and is refused as history — never a confirmed order at a 净值 that was changed
afterwards."""

import threading
import time
from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.db import transaction

from tests.concurrency.helpers import run_concurrently
from wealth.catalog.services import NavRefused, nav_save
from wealth.models import Nav, OrderKind, OrderStatus
from wealth.settle import services
from wealth.settle.services import orders_confirm

from .conftest import MONDAY, assess, nav_publish, shanghai
from .settle_support import place

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NIGHT = shanghai(MONDAY + timedelta(days=1), 0, 10)


@pytest.mark.parametrize("first", ["night", "correction"])
def test_a_nav_correction_racing_the_confirmation_never_both_pass(world, shelf, monkeypatch,
                                                                   first):
    assess(world.zhang_customer, "C3")
    nav_publish(shelf.open_r2, MONDAY, "1.0234")
    order = place(world, shelf.open_r2, OrderKind.PURCHASE, amount="10000.00",
                  at=shanghai(MONDAY, 10))
    started = threading.Event()

    def slow(real):
        def wrapper(*args, **kwargs):
            result = real(*args, **kwargs)
            started.set()
            time.sleep(0.5)   # still inside the transaction that holds its locks
            return result
        return wrapper

    if first == "night":
        monkeypatch.setattr(services, "_ledger_lock", slow(services._ledger_lock))
    else:
        from wealth.catalog import services as catalog_services
        monkeypatch.setattr(catalog_services, "nav_differs", slow(catalog_services.nav_differs))

    def night():
        with transaction.atomic():
            return orders_confirm(business_date=MONDAY, now=NIGHT)

    def correct():
        return nav_save(staff=None, product=shelf.open_r2, day=MONDAY, nav=D("1.0300"))

    second = 1 if first == "night" else 0

    def side(i):
        if i == second:
            assert started.wait(30)
        return night() if i == 0 else correct()

    with time_machine.travel(NIGHT, tick=True):
        confirmed, corrected = run_concurrently(side, 2)
    order.refresh_from_db()
    stored = Nav.objects.get(product=shelf.open_r2, date=MONDAY).nav
    assert order.status == OrderStatus.CONFIRMED and confirmed == 1
    if first == "night":
        assert isinstance(corrected, NavRefused), corrected
        assert stored == order.nav == D("1.0234")
    else:
        assert isinstance(corrected, Nav), corrected
        assert stored == order.nav == D("1.0300")


def test_a_correction_of_the_income_per_10k_racing_the_income_run_never_both_pass(
        world, shelf, monkeypatch):
    """The income run holds the 薪加利 净值 rows it pays from: head office's change of that day's
    万份收益 waits and is refused, so the income paid is the 万份收益 on record."""
    from wealth.models import Income
    from wealth.xjl import income

    from .conftest import FRIDAY_BEFORE
    from .xjl_support import transfer_in

    saturday = FRIDAY_BEFORE + timedelta(days=1)
    assess(world.zhang_customer, "C1")
    with time_machine.travel(shanghai(FRIDAY_BEFORE, 10), tick=False):
        transfer_in(world, shelf.xjl, "12345.67")
    nav_publish(shelf.xjl, saturday, income_per_10k="0.4521", seven_day_yield="1.6500")
    started = threading.Event()
    real = income.income_pay_day

    def slow(*args, **kwargs):
        result = real(*args, **kwargs)
        started.set()
        time.sleep(0.5)
        return result

    monkeypatch.setattr(income, "income_pay_day", slow)

    def side(i):
        if i == 0:
            with transaction.atomic():
                return income.income_distribute(saturday)
        assert started.wait(30)
        return nav_save(staff=None, product=shelf.xjl, day=saturday, nav=D("1.0000"),
                        income_per_10k=D("0.9000"), seven_day_yield=D("1.6500"))

    with time_machine.travel(shanghai(saturday + timedelta(days=1), 0, 30), tick=True):
        paid, corrected = run_concurrently(side, 2)
    assert paid == 1 and isinstance(corrected, NavRefused), corrected
    row = Nav.objects.get(product=shelf.xjl, date=saturday)
    assert row.income_per_10k == Income.objects.get().income_per_10k == D("0.4521")
