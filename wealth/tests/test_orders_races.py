"""Two 赎回 of one holding at once (two sessions, PostgreSQL, real threads): the checks of the
second see what the first froze, so what is left never falls below 最低持有份额."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db import transaction

from tests.concurrency.helpers import run_concurrently
from wealth import placing
from wealth.book import share_account_for
from wealth.models import Order, OrderKind
from wealth.placing import OrderRefused, order_place

from .conftest import MONDAY, shanghai
from .settle_support import shares_give

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_redemptions_at_once_never_leave_less_than_the_minimum_holding(world, shelf,
                                                                          monkeypatch):
    product = shelf.open_r2
    product.min_hold_shares = Decimal("100")
    product.save(update_fields=["min_hold_shares"])
    shares_give(product, world.zhang_customer, "1000")
    payer = world.main(world.zhang_card)
    both_checked = threading.Barrier(2)
    real_freeze = placing.share_freeze

    def freeze_after_both_checked(**kwargs):
        # without a lock before the checks, both threads pass them and meet here
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=3)
        return real_freeze(**kwargs)

    monkeypatch.setattr(placing, "share_freeze", freeze_after_both_checked)

    def redeem(i):
        with transaction.atomic():
            return order_place(customer=world.zhang_customer, payer=payer, product=product,
                               kind=OrderKind.REDEEM, shares=Decimal(("450", "500")[i]),
                               at=shanghai(MONDAY, 10))

    results = run_concurrently(redeem, 2)
    refused = [r for r in results if isinstance(r, OrderRefused)]
    assert len(refused) == 1 and "最低持有份额" in refused[0].message, results
    account = share_account_for(product=product, customer=world.zhang_customer)
    assert account.shares - account.frozen >= Decimal("100")
    assert Order.objects.filter(kind=OrderKind.REDEEM).count() == 1
