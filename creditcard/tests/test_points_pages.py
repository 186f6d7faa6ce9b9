"""积分查询 (balance, expiring by next month end, moves of a range, paged), 积分兑换查询 (the last
6 months) and 历史兑换查询 (7–24 months back, the window said on the page): boundaries and
wrong ranges said in Chinese with the dates kept."""

from datetime import date

import pytest
from django.urls import reverse

from creditcard.models import Redemption
from creditcard.points.selectors import history_window, recent_window
from tests.customer_world import LOGIN_PASSWORD

from .points_support import TODAY, at_now, earn, gift

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


def made(world, the_gift, on: date, number: str):
    return Redemption.objects.create(
        number=number, customer=world.zhang_customer, gift=the_gift, quantity=1, points=100,
        recipient="张伟", phone="13955110001", address="合肥市蜀山区长江西路100号",
        postcode="230000", redeemed_on=on)


def test_the_windows_meet_without_a_gap():
    assert recent_window(date(2026, 12, 5)) == (date(2026, 6, 6), date(2026, 12, 5))
    assert history_window(date(2026, 12, 5)) == (date(2024, 12, 6), date(2026, 6, 5))
    assert recent_window(date(2026, 8, 31)) == (date(2026, 3, 1), date(2026, 8, 31))
    assert history_window(date(2026, 8, 31)) == (date(2024, 9, 1), date(2026, 2, 28))


def test_points_page_shows_the_balance_what_expires_and_the_moves(world, zhang):
    customer = world.zhang_customer
    earn(customer, 400, on=date(2024, 6, 20), ref="EXP-JUN")  # last day 2026-06-30
    earn(customer, 300, on=date(2024, 7, 20), ref="EXP-JUL")  # last day 2026-07-31
    earn(customer, 200, on=date(2024, 8, 20), ref="EXP-AUG")  # after next month end
    earn(customer, 100, on=date(2026, 6, 1), ref="NEW")
    with at_now():
        page = zhang.get(reverse("creditcard:points"))
    assert page.status_code == 200
    assert (page.context["balance"], page.context["expiring"]) == (1000, 700)
    assert page.context["expiring_by"] == date(2026, 7, 31)
    # The default range is the last three months: only the June lot's move.
    assert [m.points for m in page.context["page"].object_list] == [100]
    with at_now():
        wide = zhang.get(reverse("creditcard:points"),
                         {"date_from": "2024-06-01", "date_to": "2026-06-15"})
    assert wide.context["page"].paginator.count == 4


def test_points_page_pages_20_a_page(world, zhang):
    for day in range(1, 26):
        earn(world.zhang_customer, day, on=date(2026, 5, day), ref=f"D{day}")
    with at_now():
        first = zhang.get(reverse("creditcard:points"))
        second = zhang.get(reverse("creditcard:points"), {"page": 2})
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 5


def test_a_wrong_range_is_said_and_the_dates_kept(world, zhang):
    with at_now():
        page = zhang.get(reverse("creditcard:points"),
                         {"date_from": "2026-06-10", "date_to": "2026-06-01"})
        body = page.content.decode()
        assert "起始日期不能晚于终止日期" in body and 'value="2026-06-10"' in body
        bad = zhang.get(reverse("creditcard:points"), {"date_from": "2026-13-01"})
    assert "请输入正确的起始日期" in bad.content.decode()


def test_recent_redemptions_are_the_last_six_months(world, zhang):
    the_gift = gift()
    start, end = recent_window(TODAY)  # 2025-12-16 … 2026-06-15
    made(world, the_gift, start, "JDIN")
    made(world, the_gift, start.replace(day=15), "JDOUT")
    with at_now():
        page = zhang.get(reverse("creditcard:redemptions"))
        body = page.content.decode()
        assert "JDIN" in body and "JDOUT" not in body
        early = zhang.get(reverse("creditcard:redemptions"), {"date_from": "2025-12-15"})
    assert "查询日期须在2025-12-16至2026-06-15之间（近6个月）" in early.content.decode()


def test_history_is_7_to_24_months_back_and_says_its_window(world, zhang):
    the_gift = gift()
    start, end = history_window(TODAY)
    assert (start, end) == (date(2024, 6, 16), date(2025, 12, 15))
    for on, number in ((date(2024, 6, 15), "JD24OUT"), (start, "JD24IN"), (end, "JD7IN"),
                       (date(2025, 12, 16), "JDRECENT")):
        made(world, the_gift, on, number)
    with at_now():
        page = zhang.get(reverse("creditcard:redemptions_history"))
        body = page.content.decode()
        assert "近7-24个月" in body and "2024-06-16 至 2025-12-15" in body
        assert "JD24IN" in body and "JD7IN" in body
        assert "JD24OUT" not in body and "JDRECENT" not in body
        late = zhang.get(reverse("creditcard:redemptions_history"),
                         {"date_from": "2025-01-01", "date_to": "2025-12-16"})
    assert "查询日期须在2024-06-16至2025-12-15之间（近7-24个月）" in late.content.decode()


def test_another_customers_redemptions_are_not_listed(world, client):
    made(world, gift(), TODAY, "JDZHANG")
    client.login(username=world.li.username, password=LOGIN_PASSWORD)
    with at_now():
        page = client.get(reverse("creditcard:redemptions"))
        points = client.get(reverse("creditcard:points"))
    assert "JDZHANG" not in page.content.decode()
    assert points.context["balance"] == 0


def test_the_pages_queries_do_not_grow_with_the_rows(world, zhang):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    the_gift = gift()

    def counted(url):
        with at_now(), CaptureQueriesContext(connection) as queries:
            assert zhang.get(reverse(url)).status_code == 200
        return len(queries)

    earn(world.zhang_customer, 1, on=date(2026, 6, 1), ref="ONE")
    made(world, the_gift, TODAY, "JDONE")
    counted("creditcard:points")  # the first request of the session reads a little more
    one = counted("creditcard:points"), counted("creditcard:redemptions")
    for day in range(2, 26):
        earn(world.zhang_customer, day, on=date(2026, 5, day), ref=f"D{day}")
        made(world, the_gift, date(2026, 5, day), f"JD{day:02d}")
    assert (counted("creditcard:points"), counted("creditcard:redemptions")) == one
