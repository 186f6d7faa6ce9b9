"""薪加利实时转出 from two sessions at once (PostgreSQL, real threads): the day's cap is taken
under the usage row's lock, so the total never passes 10,000.00 and the books stay sound."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine

from ebank.core.errors import BusinessError
from ebank.limits.models import DailyLimitUsage, LimitChannel
from security.models import OperationStatus
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import balance, confirm
from wealth.book import share_book_check
from wealth.models import Order, OrderKind
from wealth.xjl import services

from .conftest import MONDAY, assess, shanghai
from .xjl_support import shares_of, transfer_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _start(world, product, amount):
    return services.xjl_out_start(user=world.zhang, product_id=product.pk, mode="instant",
                                  sub_account_id=world.main(world.zhang_card).pk, amount=amount)


def test_two_sessions_at_once_never_pass_the_daily_cap(world, shelf):
    assess(world.zhang_customer, "C1")
    with time_machine.travel(shanghai(MONDAY - timedelta(days=3), 10), tick=False):
        transfer_in(world, shelf.xjl, "30000.00")
    before = balance(world.zhang_card)
    with time_machine.travel(shanghai(MONDAY, 10), tick=True):
        # Both start within the quota (a read-only check); both confirm at the same moment.
        operations = [_start(world, shelf.xjl, "6000.00") for _ in range(2)]
        results = run_concurrently(lambda i: confirm(operations[i], user=world.zhang), 2)
    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert done[0].status == OperationStatus.EXECUTED
    assert "10,000.00" in refused[0].message
    assert Order.objects.filter(kind=OrderKind.XJL_OUT_INSTANT).count() == 1
    usage = DailyLimitUsage.objects.get(customer_id=world.zhang_customer.pk, day=MONDAY,
                                        channel=LimitChannel.XJL_REDEEM)
    assert usage.used == D("6000.00")
    assert balance(world.zhang_card) == before + D("6000.00")
    assert shares_of(shelf.xjl, world.zhang_customer) == D("24000.0000")
    assert share_book_check() == []


def test_four_sessions_of_2600_stop_at_the_cap(world, shelf):
    assess(world.zhang_customer, "C1")
    with time_machine.travel(shanghai(MONDAY - timedelta(days=3), 10), tick=False):
        transfer_in(world, shelf.xjl, "30000.00")
    with time_machine.travel(shanghai(MONDAY, 10), tick=True):
        operations = [_start(world, shelf.xjl, "2600.00") for _ in range(4)]
        results = run_concurrently(lambda i: confirm(operations[i], user=world.zhang), 4)
    done = [r for r in results if not isinstance(r, BaseException)]
    assert len(done) == 3, results   # 3 × 2,600 = 7,800; a fourth would make 10,400
    total = sum(o.confirmed_amount for o in Order.objects.filter(kind=OrderKind.XJL_OUT_INSTANT))
    assert total == D("7800.00") <= D("10000.00")
    assert share_book_check() == []
