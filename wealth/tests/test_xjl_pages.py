"""The pages of 薪加利 for 张伟 (a USBKey) and 李娜 (no tool): what they show, refusals on the same
page with what was typed kept, and each customer seeing only their own."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from security.models import PendingOperation
from wealth.models import Order

from .conftest import FRIDAY_BEFORE, MONDAY, assess, nav_publish, shanghai
from .xjl_support import transfer_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_monday():
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        yield


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_buy_page_lists_the_product_with_its_yield(world, shelf, at_monday):
    page = _client(world.zhang).get(reverse("wealth:xjl_buy")).content.decode()
    assert "薪加利" in page and "1.6500%" in page and "0.4521" in page and "2026-06-05" in page
    assert reverse("wealth:xjl_in", kwargs={"pk": shelf.xjl.pk}) in page
    assert reverse("wealth:xjl_product", kwargs={"pk": shelf.xjl.pk}) in page
    detail = _client(world.zhang).get(reverse("wealth:xjl_product", kwargs={"pk": shelf.xjl.pk}))
    assert "0.4521" in detail.content.decode()


def test_transfer_in_page_starts_the_confirmation(world, shelf, at_monday):
    assess(world.zhang_customer, "C1")
    url = reverse("wealth:xjl_in", kwargs={"pk": shelf.xjl.pk})
    response = _client(world.zhang).post(url, {"account": world.main(world.zhang_card).pk,
                                               "amount": "1,000.00"})
    assert response.status_code == 302
    operation = PendingOperation.objects.get(kind="wealth.xjl_in")
    assert response["Location"].endswith(f"{operation.public_id}/")


def test_refusals_on_the_same_page_with_the_amount_kept(world, shelf, at_monday):
    url = reverse("wealth:xjl_in", kwargs={"pk": shelf.xjl.pk})
    client = _client(world.zhang)
    page = client.post(url, {"account": world.main(world.zhang_card).pk,
                             "amount": "1000.00"}).content.decode()
    assert "请先完成风险测评" in page and 'value="1000.00"' in page
    assess(world.zhang_customer, "C1")
    page = client.post(url, {"account": world.main(world.zhang_card).pk,
                             "amount": "99999999.00"}).content.decode()
    assert "转出账户余额不足" in page and 'value="99999999.00"' in page
    page = client.post(url, {"account": "", "amount": "abc"}).content.decode()
    assert "请选择转出账户" in page
    assert not PendingOperation.objects.exists()


def test_lina_without_a_tool_is_refused_to_start(world, shelf, at_monday):
    assess(world.li_customer, "C3")
    url = reverse("wealth:xjl_in", kwargs={"pk": shelf.xjl.pk})
    response = _client(world.li).post(url, {"account": world.main(world.li_card).pk,
                                            "amount": "100.00"})
    assert response.status_code == 200
    assert "USBKey" in response.content.decode() or "数字令牌" in response.content.decode()
    assert not PendingOperation.objects.exists()


@pytest.fixture
def zhang_holds(world, shelf):
    assess(world.zhang_customer, "C1")
    with time_machine.travel(shanghai(FRIDAY_BEFORE, 10), tick=False):
        transfer_in(world, shelf.xjl, "20000.00")
    nav_publish(shelf.xjl, MONDAY - timedelta(days=2), income_per_10k="1.0000",
                seven_day_yield="1.7000")
    nav_publish(shelf.xjl, MONDAY - timedelta(days=1), income_per_10k="1.0000",
                seven_day_yield="1.7100")
    from wealth.xjl.income import income_distribute
    with time_machine.travel(shanghai(MONDAY, 0, 30), tick=False):
        income_distribute(MONDAY - timedelta(days=1))
    return shelf.xjl


def test_mine_shows_shares_income_and_the_quota(world, zhang_holds, at_monday):
    page = _client(world.zhang).get(reverse("wealth:xjl_mine")).content.decode()
    # 20,000.00 + 2.00 (Saturday) + 2.00 (Sunday: 20,002.00 × 1.0000 / 10,000 = 2.0002 → 2.00)
    assert "20,004.00" in page and "4.00" in page and "1.7100%" in page
    assert "今日实时转出剩余额度：¥10,000.00" in page
    assert reverse("wealth:xjl_out", kwargs={"pk": zhang_holds.pk}) in page
    income = _client(world.zhang).get(reverse("wealth:xjl_income")).content.decode()
    assert "2026-06-07" in income and "20,002.00" in income
    history = _client(world.zhang).get(reverse("wealth:xjl_history")).content.decode()
    assert "薪加利转入" in history and "收益" in history
    only_in = _client(world.zhang).get(reverse("wealth:xjl_history"), {"kind": "income"})
    assert "薪加利转入" not in only_in.content.decode()


def test_instant_out_over_the_quota_is_said_on_the_page(world, zhang_holds, at_monday):
    url = reverse("wealth:xjl_out", kwargs={"pk": zhang_holds.pk})
    page = _client(world.zhang).post(url, {"mode": "instant", "amount": "10000.01",
                                           "account": world.main(world.zhang_card).pk})
    text = page.content.decode()
    assert page.status_code == 200 and "10,000.00" in text and 'value="10000.01"' in text
    response = _client(world.zhang).post(url, {"mode": "normal", "amount": "15000.00",
                                               "account": world.main(world.zhang_card).pk})
    assert response.status_code == 302


def test_each_customer_sees_only_their_own(world, zhang_holds, at_monday):
    assess(world.li_customer, "C1")
    lina = _client(world.li)
    assert lina.get(reverse("wealth:xjl_out", kwargs={"pk": zhang_holds.pk})).status_code == 404
    mine = lina.get(reverse("wealth:xjl_mine")).content.decode()
    assert "20,004.00" not in mine
    assert "20,002.00" not in lina.get(reverse("wealth:xjl_income")).content.decode()
    assert "薪加利转入" not in lina.get(reverse("wealth:xjl_history")).content.decode()
    assert Order.objects.filter(customer=world.li_customer).count() == 0


def test_bad_dates_are_said_on_the_page(world, shelf, at_monday):
    page = _client(world.zhang).get(reverse("wealth:xjl_history"),
                                    {"date_from": "2026-06-08", "date_to": "2026-06-01"})
    assert page.status_code == 200 and "起始日期不能晚于终止日期" in page.content.decode()


def test_history_says_when_a_normal_redemption_arrives(world, zhang_holds, at_monday):
    from .xjl_support import transfer_out

    transfer_out(world, zhang_holds, "500.00", mode="normal")
    history = _client(world.zhang).get(reverse("wealth:xjl_history")).content.decode()
    assert "待到账（预计2026-06-09）" in history
