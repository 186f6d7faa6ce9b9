"""理财交易撤单 (WLT-CANCEL) and 交易明细查询 (WLT-HISTORY): the 撤单 before and after the cut-off
(and inside a private product's 冷静期), the X-CONFIRM with the 数字证书, the pages as 张伟, the
query conditions and owner scoping."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import HoldStatus
from security.models import PendingOperation
from tests.customer_world import confirm
from wealth.book import share_account_for
from wealth.models import OrderKind, OrderStatus
from wealth.settle.cancel import (
    ALREADY_CANCELLED,
    ALREADY_CONFIRMED,
    CANCELLED_MONEY,
    CANCELLED_SHARES,
    KIND_CANCEL,
    TOO_LATE,
    order_cancel_start,
)

from .conftest import MONDAY, assess, nav_publish, shanghai
from .settle_support import available, night, place, shares_give

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + timedelta(days=1)
QUERY_BUDGET = 10  # whatever the number of rows (7 for 交易明细查询 today)


@pytest.fixture
def zhang(world, shelf):
    assess(world.zhang_customer, "C3")
    return world


@pytest.fixture
def client(zhang):
    client = Client()
    client.force_login(zhang.zhang)
    return client


def _cancel(world, order, at):
    with time_machine.travel(at, tick=False):
        operation = order_cancel_start(user=world.zhang, order=order)
        return confirm(operation, user=world.zhang)


def test_cancel_before_the_cut_off_releases_the_hold(zhang, shelf):
    payer = zhang.main(zhang.zhang_card)
    before = available(payer)
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="5000.00",
                  at=shanghai(MONDAY, 10))
    assert available(payer) == before - D("5000.00")
    operation = _cancel(zhang, order, shanghai(MONDAY, 14, 59))
    assert operation.status == "executed" and operation.result["message"] == CANCELLED_MONEY
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.closed_at == shanghai(MONDAY, 14, 59)
    assert order.hold.status == HoldStatus.RELEASED
    assert available(payer) == before
    assert AuditEvent.objects.filter(action="wealth.order_cancel",
                                     object_ref=f"wealth_order:{order.number}").exists()
    nav_publish(shelf.open_r2, MONDAY, "1.0000")
    night(MONDAY)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED      # the night leaves it alone


def test_cancel_after_the_cut_off_is_refused(zhang, shelf):
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="5000.00",
                  at=shanghai(MONDAY, 10))
    with time_machine.travel(shanghai(MONDAY, 15), tick=False), \
            pytest.raises(BusinessError, match=TOO_LATE):
        order_cancel_start(user=zhang.zhang, order=order)
    # Started in time, confirmed after 15:00: the executor checks again and refuses.
    with time_machine.travel(shanghai(MONDAY, 14, 58), tick=False):
        operation = order_cancel_start(user=zhang.zhang, order=order)
    with time_machine.travel(shanghai(MONDAY, 15, 0, ), tick=False), \
            pytest.raises(BusinessError, match=TOO_LATE):
        confirm(operation, user=zhang.zhang)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.hold.status == HoldStatus.ACTIVE


def test_a_private_order_may_be_cancelled_inside_its_cooling_off_after_15_00(zhang, shelf):
    order = place(zhang, shelf.private, OrderKind.PURCHASE, amount="1000.00",
                  at=shanghai(MONDAY, 10))
    operation = _cancel(zhang, order, shanghai(MONDAY, 20))
    assert operation.status == "executed"
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_cancel_of_a_redemption_unfreezes_the_shares(zhang, shelf):
    shares_give(shelf.open_r2, zhang.zhang_customer, "1000")
    order = place(zhang, shelf.open_r2, OrderKind.REDEEM, shares="400", at=shanghai(MONDAY, 10))
    client = Client()
    client.force_login(zhang.zhang)
    with time_machine.travel(shanghai(MONDAY, 11), tick=False):
        detail = client.get(reverse("wealth:order", args=[order.number])).content.decode()
        assert "400.0000份" in detail and reverse("wealth:cancel", args=[order.number]) in detail
        operation = order_cancel_start(user=zhang.zhang, order=order)
        page = client.get(reverse("security:confirm", args=[operation.public_id]))
        assert page.status_code == 200 and "400.0000份" in page.content.decode()
        confirm(operation, user=zhang.zhang)
    operation.refresh_from_db()
    assert operation.result["message"] == CANCELLED_SHARES
    mine = share_account_for(product=shelf.open_r2, customer=zhang.zhang_customer)
    assert (mine.shares, mine.frozen) == (D("1000.0000"), D("0.0000"))


def test_a_cancelled_or_confirmed_order_cannot_be_cancelled(zhang, shelf):
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="1000.00",
                  at=shanghai(MONDAY, 10))
    _cancel(zhang, order, shanghai(MONDAY, 11))
    order.refresh_from_db()
    with time_machine.travel(shanghai(MONDAY, 11), tick=False), \
            pytest.raises(BusinessError, match=ALREADY_CANCELLED):
        order_cancel_start(user=zhang.zhang, order=order)
    confirmed = place(zhang, shelf.private, OrderKind.PURCHASE, amount="1000.00",
                      at=shanghai(MONDAY, 10))
    nav_publish(shelf.private, MONDAY, "1.0000")
    night(TUESDAY)
    confirmed.refresh_from_db()
    assert confirmed.status == OrderStatus.CONFIRMED
    with time_machine.travel(shanghai(TUESDAY, 1), tick=False), \
            pytest.raises(BusinessError, match=ALREADY_CONFIRMED):
        order_cancel_start(user=zhang.zhang, order=confirmed)


def test_the_cancel_pages_as_zhang_wei(zhang, shelf, client):
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="5000.00",
                  at=shanghai(MONDAY, 10))
    late = place(zhang, shelf.open_r3, OrderKind.PURCHASE, amount="2000.00",
                 at=shanghai(MONDAY - timedelta(days=3), 10))   # Friday's: past its cut-off
    with time_machine.travel(shanghai(MONDAY, 11), tick=False):
        page = client.get(reverse("wealth:cancel_list")).content.decode()
        assert order.number in page and late.number not in page
        assert reverse("wealth:cancel", args=[order.number]) in page
        page = client.get(reverse("wealth:cancel_list"),
                          {"date_from": "2026-06-08", "date_to": "2026-06-08",
                           "product": shelf.open_r3.pk}).content.decode()
        assert order.number not in page
        page = client.get(reverse("wealth:cancel_list"),
                          {"date_from": "2026-06-09", "date_to": "2026-06-08"}).content.decode()
        assert "起始日期不能晚于终止日期" in page and 'value="2026-06-09"' in page
        detail = client.get(reverse("wealth:cancel", args=[order.number])).content.decode()
        assert order.number in detail and "¥5,000.00" in detail and "确认" in detail
        refused = client.get(reverse("wealth:cancel", args=[late.number])).content.decode()
        assert TOO_LATE in refused
        response = client.post(reverse("wealth:cancel", args=[order.number]))
        assert response.status_code == 302
        operation = PendingOperation.objects.get(kind=KIND_CANCEL)
        assert response["Location"] == reverse("security:confirm", args=[operation.public_id])
        assert operation.payload["order"] == order.number
        assert operation.payload["amount"] == "5000.00"
        confirm(operation, user=zhang.zhang)
        result = client.get(reverse("security:confirm_result",
                                    args=[operation.public_id])).content.decode()
        assert CANCELLED_MONEY in result


def test_li_na_without_a_tool_is_refused_at_the_start(zhang, shelf):
    assess(zhang.li_customer, "C3")
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="1000.00",
                  at=shanghai(MONDAY, 10), customer=zhang.li_customer, medium=zhang.li_card)
    with time_machine.travel(shanghai(MONDAY, 11), tick=False), \
            pytest.raises(BusinessError, match="USBKey或数字令牌"):
        order_cancel_start(user=zhang.li, order=order)


def test_another_customers_order_is_404(zhang, shelf):
    assess(zhang.li_customer, "C3")
    order = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="1000.00",
                  at=shanghai(MONDAY, 10), customer=zhang.li_customer, medium=zhang.li_card)
    client = Client()
    client.force_login(zhang.zhang)
    with time_machine.travel(shanghai(MONDAY, 11), tick=False):
        for name in ("wealth:cancel", "wealth:order"):
            assert client.get(reverse(name, args=[order.number])).status_code == 404
        assert client.post(reverse("wealth:cancel", args=[order.number])).status_code == 404
        assert order.number not in client.get(reverse("wealth:history")).content.decode()
    assert not PendingOperation.objects.filter(kind=KIND_CANCEL).exists()


def test_history_lists_the_customers_orders_with_their_confirmation(zhang, shelf, client):
    confirmed = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="10000.00",
                      at=shanghai(MONDAY, 14, 59))
    pending = place(zhang, shelf.open_r3, OrderKind.PURCHASE, amount="2000.00",
                    at=shanghai(MONDAY, 15, 30))
    nav_publish(shelf.open_r2, MONDAY, "1.0234")
    night(MONDAY)
    with time_machine.travel(shanghai(TUESDAY, 9), tick=False):
        page = client.get(reverse("wealth:history")).content.decode()
        assert confirmed.number in page and pending.number in page
        assert "1.0234" in page and "9,722.7379份" in page and "¥49.75" in page
        assert "已确认" in page and "待确认" in page
        page = client.get(reverse("wealth:history"), {"status": "pending"}).content.decode()
        assert pending.number in page and confirmed.number not in page
        page = client.get(reverse("wealth:history"),
                          {"product": shelf.open_r2.pk, "kind": "purchase"}).content.decode()
        assert confirmed.number in page and pending.number not in page
        page = client.get(reverse("wealth:history"),
                          {"date_from": "2025-01-01", "date_to": "2026-06-09"}).content.decode()
        assert "查询区间最长为一年" in page and confirmed.number not in page
        detail = client.get(reverse("wealth:order", args=[confirmed.number])).content.decode()
        assert "净申购金额" in detail and "¥9,950.25" in detail and "2026-06-09" in detail


def test_history_is_paginated_within_a_query_budget(zhang, shelf, client,
                                                   django_assert_max_num_queries):
    for minute in range(21):
        place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="1000.00",
              at=shanghai(MONDAY, 9, minute))
    with time_machine.travel(shanghai(MONDAY, 12), tick=False):
        with django_assert_max_num_queries(QUERY_BUDGET):
            first = client.get(reverse("wealth:history")).content.decode()
        with django_assert_max_num_queries(QUERY_BUDGET):
            listed = client.get(reverse("wealth:cancel_list")).content.decode()
        assert listed.count('">撤单</a>') == 21
        assert "第 1 / 2 页，共 21 条" in first
        second = client.get(reverse("wealth:history"), {"page": 2}).content.decode()
        assert "第 2 / 2 页" in second


def test_the_history_date_range_defaults_to_30_days(zhang, shelf, client):
    old = place(zhang, shelf.open_r2, OrderKind.PURCHASE, amount="1000.00",
                at=shanghai(date(2026, 5, 8), 10))
    with time_machine.travel(shanghai(MONDAY, 12), tick=False):
        page = client.get(reverse("wealth:history")).content.decode()
        assert old.number not in page and 'value="2026-05-10"' in page
        page = client.get(reverse("wealth:history"), {"date_from": "2026-05-01"}).content.decode()
        assert old.number in page
