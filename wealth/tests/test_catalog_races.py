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
