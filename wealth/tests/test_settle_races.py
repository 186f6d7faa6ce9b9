"""Races of 撤单 on PostgreSQL with real threads: a 撤单 racing the nightly confirmation of the
same order (both past their clock checks: the customer's 14:00, the batch's 00:10) — exactly one
wins under the Order lock, the hold captured xor released, the shares and the books sound; and
two 撤单 of one order at once — one cancels, the other is refused, the hold released once."""

import threading
import time
from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.db import transaction

from ebank.core.errors import BusinessError
from ebank.ledger.models import Entry, Hold, HoldStatus
from ebank.ledger.selectors import ledger_violations
from security.models import PendingOperation
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import confirm
from wealth.book import share_account_for, share_book_check
from wealth.models import Order, OrderKind, OrderStatus, ShareEntry
from wealth.settle.cancel import ALREADY_CANCELLED, ALREADY_CONFIRMED, order_cancel_start
from wealth.settle.services import orders_confirm

from .conftest import MONDAY, assess, nav_publish, shanghai
from .settle_support import available, place, shares_give

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NIGHT = shanghai(MONDAY + timedelta(days=1), 0, 10)
ROUNDS = 3


@pytest.fixture
def zhang(world, shelf):
    assess(world.zhang_customer, "C3")
    nav_publish(shelf.open_r2, MONDAY, "1.0234")
    return world


def _night():
    with transaction.atomic():
        return orders_confirm(business_date=MONDAY, now=NIGHT)


def _race(world, order):
    """The customer's 确认 of the 撤单 at 14:00 and the batch (its clock 00:10) at once."""
    with time_machine.travel(shanghai(MONDAY, 14), tick=True):
        operation = order_cancel_start(user=world.zhang, order=order)
        results = run_concurrently(
            lambda i: confirm(operation, user=world.zhang) if i == 0 else _night(), 2)
    order.refresh_from_db()
    return results, operation


def _books_sound():
    assert share_book_check() == []
    assert ledger_violations() == []


def test_cancel_racing_the_confirmation_of_a_purchase_one_wins(zhang, shelf):
    payer = zhang.main(zhang.zhang_card)
    for round_ in range(ROUNDS):
        before = available(payer)
        order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="10000.00",
                      at=shanghai(MONDAY, 10, round_))
        (cancelled, confirmed_count), _operation = _race(zhang, order)
        _one_won(order, cancelled, confirmed_count, payer, before)


def _one_won(order, cancelled, confirmed_count, payer, before):
    hold = Hold.objects.get(pk=order.hold_id)
    # Money and shares moved together or not at all: never shares without the money taken.
    moved = order.status == OrderStatus.CONFIRMED
    assert ShareEntry.objects.filter(reference=order.number).exists() == moved
    assert Entry.objects.filter(reference=order.number).exists() == moved
    if order.status == OrderStatus.CANCELLED:
        assert isinstance(cancelled, PendingOperation) and confirmed_count == 0
        assert hold.status == HoldStatus.RELEASED and available(payer) == before
    else:
        assert order.status == OrderStatus.CONFIRMED, order.status
        assert isinstance(cancelled, BusinessError), cancelled
        assert cancelled.message == ALREADY_CONFIRMED and confirmed_count == 1
        assert hold.status == HoldStatus.CAPTURED
        assert available(payer) == before - D("10000.00")
        assert order.confirmed_shares == D("9722.7379")
    _books_sound()


@pytest.mark.parametrize("first", ["cancel", "night"])
def test_the_one_holding_the_order_lock_wins_and_the_other_waits(zhang, shelf, monkeypatch,
                                                                 first):
    """Each side made to hold the Order lock a while when it has it: the other side starts only
    then, waits on the lock, and finds the order 已撤单 (the night confirms nothing) or 已确认
    (the 撤单 is refused)."""
    from wealth.settle import cancel, services

    locked = threading.Event()

    def holding(real):
        def wrapper(*args, **kwargs):
            result = real(*args, **kwargs)
            locked.set()
            time.sleep(0.5)   # still inside the transaction that holds the Order lock
            return result
        return wrapper

    if first == "cancel":
        monkeypatch.setattr(cancel, "hold_release", holding(cancel.hold_release))
    else:
        monkeypatch.setattr(services, "_ledger_lock", holding(services._ledger_lock))
    payer = zhang.main(zhang.zhang_card)
    before = available(payer)
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="10000.00",
                  at=shanghai(MONDAY, 10))
    with time_machine.travel(shanghai(MONDAY, 14), tick=True):
        operation = order_cancel_start(user=zhang.zhang, order=order)
        second = 1 if first == "cancel" else 0

        def side(i):
            if i == second:
                assert locked.wait(30)
            return confirm(operation, user=zhang.zhang) if i == 0 else _night()

        cancelled, confirmed_count = run_concurrently(side, 2)
    order.refresh_from_db()
    assert order.status == (OrderStatus.CANCELLED if first == "cancel"
                            else OrderStatus.CONFIRMED)
    _one_won(order, cancelled, confirmed_count, payer, before)


def test_cancel_racing_the_confirmation_of_a_redemption_one_wins(zhang, shelf):
    shares_give(shelf.open_r2, zhang.zhang_customer, "3000")
    payer = zhang.main(zhang.zhang_card)
    for round_ in range(ROUNDS):
        before = available(payer)
        mine = share_account_for(product=shelf.open_r2, customer=zhang.zhang_customer)
        held = mine.shares
        order = place(zhang, shelf.open_r2, OrderKind.REDEEM, shares="1000",
                      at=shanghai(MONDAY, 10, round_))
        (cancelled, _count), _operation = _race(zhang, order)
        mine.refresh_from_db()
        assert mine.frozen == D("0")
        if order.status == OrderStatus.CANCELLED:
            assert mine.shares == held and available(payer) == before
        else:
            assert order.status == OrderStatus.CONFIRMED and isinstance(cancelled, BusinessError)
            assert mine.shares == held - D("1000") and available(payer) == before + D("1021.35")
        _books_sound()


def test_two_cancels_of_one_order_at_once_cancel_it_once(zhang, shelf):
    payer = zhang.main(zhang.zhang_card)
    before = available(payer)
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="5000.00",
                  at=shanghai(MONDAY, 10))
    with time_machine.travel(shanghai(MONDAY, 14), tick=True):
        operations = [order_cancel_start(user=zhang.zhang, order=order) for _ in range(2)]
        results = run_concurrently(lambda i: confirm(operations[i], user=zhang.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and refused[0].message == ALREADY_CANCELLED, results
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Order.objects.get(pk=order.pk).hold.status == HoldStatus.RELEASED
    assert available(payer) == before
    _books_sound()
