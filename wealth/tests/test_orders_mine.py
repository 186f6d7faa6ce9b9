"""我的理财产品 (WLT-MINE): holdings with 参考市值, 持仓成本 (average cost) and 持有收益, the
orders 待确认, and 赎回 through X-CONFIRM; another customer's or an unheld product → 404."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse

from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.models import OperationStatus, PendingOperation
from tests.customer_world import confirm
from wealth.models import Order, OrderKind, OrderStatus, ShareAccount
from wealth.orders import services
from wealth.orders.selectors import cost_basis, holdings_of
from wealth.placing import order_place

from .conftest import MONDAY, assess, nav_publish, shanghai
from .orders_support import BUY, REDEEM, confirmed_order, hold_shares

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_monday():
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        yield


@pytest.fixture
def zhang_holds(world, shelf):
    """张伟: 14,000 shares of LC2001 bought twice, 7,000 redeemed, 净值 1.1000 on Monday-1."""
    customer, medium = world.zhang_customer, world.zhang_passbook
    at = shanghai(MONDAY - timedelta(days=20), 10)
    confirmed_order(customer=customer, medium=medium, product=shelf.open_r2, kind=BUY, at=at,
                    amount="10000.00", confirmed_amount="10000.00", confirmed_shares="10000")
    confirmed_order(customer=customer, medium=medium, product=shelf.open_r2, kind=BUY,
                    at=at + timedelta(days=1), amount="5000.00", confirmed_amount="5000.00",
                    confirmed_shares="4000", nav="1.2500")
    confirmed_order(customer=customer, medium=medium, product=shelf.open_r2, kind=REDEEM,
                    at=at + timedelta(days=2), shares="7000", confirmed_shares="7000",
                    confirmed_amount="8400.00", nav="1.2000")
    hold_shares(shelf.open_r2, customer, "7000")
    nav_publish(shelf.open_r2, MONDAY - timedelta(days=3), "1.1000")
    return shelf.open_r2


def _confirmed(kind, amount, shares):
    """The fields cost_basis reads of a confirmed order."""
    return SimpleNamespace(kind=kind, confirmed_amount=amount and Decimal(amount),
                           confirmed_shares=Decimal(shares), amount=None, shares=None)


def test_cost_basis_average_cost():
    # 10,000 for 10,000 shares, 5,000 for 4,000: 15,000 for 14,000; 7,000 redeemed → 7,500.
    assert cost_basis([_confirmed(BUY, "10000", "10000"), _confirmed(BUY, "5000", "4000"),
                       _confirmed(REDEEM, None, "7000")]) == Decimal("7500.00")
    # 1,000 for 3 shares, one redeemed: 666.666… → 666.67 (half-up at the end).
    assert cost_basis([_confirmed(BUY, "1000", "3"), _confirmed(REDEEM, None, "1")]) == Decimal("666.67")
    assert cost_basis([_confirmed(BUY, "1000", "3"), _confirmed(REDEEM, None, "3")]) == Decimal("0.00")


def test_mine_shows_holdings_cost_profit_and_pending(client, world, shelf, zhang_holds,
                                                     at_monday, django_assert_max_num_queries):
    assess(world.zhang_customer, "C3")
    order_place(customer=world.zhang_customer, payer=world.main(world.zhang_card),
                product=shelf.closed, kind=OrderKind.SUBSCRIBE, amount=Decimal("10000.00"))
    holding = {h.product.code: h for h in holdings_of(world.zhang_customer)}
    lc = holding["LC2001"]
    assert (lc.shares, lc.market_value, lc.cost, lc.profit) == (
        Decimal("7000.0000"), Decimal("7700.00"), Decimal("7500.00"), Decimal("200.00"))
    assert holding["LC2101"].pending and holding["LC2101"].shares == 0
    client.force_login(world.zhang)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("wealth:mine")).content.decode()
    for text in ("¥7,700.00", "¥7,500.00", "¥200.00", "1.1000（2026-06-05）", "待确认",
                 reverse("wealth:redeem", kwargs={"pk": zhang_holds.pk}),
                 reverse("wealth:buy", kwargs={"pk": zhang_holds.pk})):
        assert text in body
    assert "XJL001" not in body
    client.force_login(world.li)
    assert "您尚未持有理财产品" in client.get(reverse("wealth:mine")).content.decode()


def test_zhang_redeems_everything_to_the_card_he_bought_with(client, world, zhang_holds,
                                                            at_monday):
    client.force_login(world.zhang)
    url = reverse("wealth:redeem", kwargs={"pk": zhang_holds.pk})
    page = client.get(url).content.decode()
    passbook = world.main(world.zhang_passbook)
    assert f'value="{passbook.pk}" selected' in page
    # 7,000 × 1.1000 = 7,700.00, 赎回费 0.2% = 15.40 → about 7,684.60.
    assert "¥7,700.00" in page and "¥15.40" in page and "¥7,684.60" in page
    response = client.post(url, {"redeem_all": "on", "shares": "", "payee": str(passbook.pk)})
    operation = PendingOperation.objects.get(kind=services.KIND_REDEEM)
    assert response.url == reverse("security:confirm", args=[operation.public_id])
    shown = client.get(response.url).content.decode()
    assert "7,000.0000份" in shown and "¥7,684.60" in shown and 'name="pin"' not in shown
    done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED
    result = client.get(reverse("security:confirm_result", args=[operation.public_id]))
    assert "赎回已受理，待确认" in result.content.decode()
    order = Order.objects.get(operation=operation)
    assert (order.kind, order.status, order.shares, order.medium_id) == (
        OrderKind.REDEEM, OrderStatus.PENDING, Decimal("7000.0000"), world.zhang_passbook.pk)
    account = ShareAccount.objects.get(product=zhang_holds, customer=world.zhang_customer)
    assert account.frozen == Decimal("7000.0000")
    lines = dict(map(tuple, done.result["lines"]))
    assert lines["份额"] == "7,000.0000份" and lines["预计确认日"] == "2026-06-09"


@pytest.mark.parametrize(("typed", "message"), [
    ("", "请输入赎回份额"), ("1e30", "请输入正确的份额"), ("1.00005", "份额最多四位小数"),
    ("abc", "请输入正确的份额"), ("7000.0001", "超过可用份额"), ("50", "最低赎回份额")])
def test_bad_shares_are_said_in_chinese_and_kept(client, world, zhang_holds, at_monday, typed,
                                                 message):
    client.force_login(world.zhang)
    response = client.post(reverse("wealth:redeem", kwargs={"pk": zhang_holds.pk}),
                           {"shares": typed, "payee": str(world.main(world.zhang_card).pk)})
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    if typed:
        assert f'value="{typed}"' in body
    assert not PendingOperation.objects.exists()


def test_redeem_of_a_product_not_held_is_404(client, world, shelf, zhang_holds, at_monday):
    client.force_login(world.li)
    url = reverse("wealth:redeem", kwargs={"pk": zhang_holds.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"redeem_all": "on",
                             "payee": str(world.main(world.li_card).pk)}).status_code == 404
    client.force_login(world.zhang)
    assert client.get(reverse("wealth:redeem", kwargs={"pk": shelf.open_r3.pk})
                      ).status_code == 404
    assert not PendingOperation.objects.exists()


def test_li_without_a_tool_cannot_start_a_redemption(client, world, shelf, at_monday):
    hold_shares(shelf.open_r2, world.li_customer, "2000")
    client.force_login(world.li)
    url = reverse("wealth:redeem", kwargs={"pk": shelf.open_r2.pk})
    assert TOOL_REQUIRED_MESSAGE in client.get(url).content.decode()
    response = client.post(url, {"redeem_all": "on", "payee": str(world.main(world.li_card).pk)})
    assert response.status_code == 200 and not PendingOperation.objects.exists()
    assert ShareAccount.objects.get(customer=world.li_customer).frozen == 0


def test_cost_after_redeeming_everything_while_a_purchase_was_pending(world, shelf):
    """Monday's 10,000.00 bought 9,722.7379 shares. On Tuesday 张伟 申购s 5,000.00 at 10:00 and
    at 10:30 赎回s every share he holds (the 申购 still 待确认): the same night confirms both.
    The 赎回 took only Monday's shares, so what is left costs exactly Tuesday's 5,000.00 —
    not 5,000.00 less a part taken pro rata over shares the 赎回 never touched."""
    from .settle_support import night, place

    product, tuesday = shelf.open_r2, MONDAY + timedelta(days=1)
    assess(world.zhang_customer, "C3")
    nav_publish(product, MONDAY, "1.0234")
    place(world, product, OrderKind.PURCHASE, amount="10000.00", at=shanghai(MONDAY, 10))
    assert night(MONDAY)
    held = ShareAccount.objects.get(product=product, customer=world.zhang_customer).shares
    assert held == Decimal("9722.7379")
    place(world, product, OrderKind.PURCHASE, amount="5000.00", at=shanghai(tuesday, 10))
    place(world, product, OrderKind.REDEEM, shares=str(held), at=shanghai(tuesday, 10, 30))
    nav_publish(product, tuesday, "1.0300")
    assert night(tuesday)
    assert set(Order.objects.filter(customer=world.zhang_customer)
               .values_list("status", flat=True)) == {OrderStatus.CONFIRMED}
    [holding] = holdings_of(world.zhang_customer)
    assert holding.shares == Decimal("4830.2136")   # 4,975.12 / 1.0300
    assert holding.cost == Decimal("5000.00")
