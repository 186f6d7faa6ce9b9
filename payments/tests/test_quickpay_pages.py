"""协议管理's pages: 支付记录 by a date range (default the last month, at most one year) with
paging, and the statement budgets of 协议管理 and 支付记录 however many rows there are."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from ebank.core.clock import SHANGHAI
from payments.models import QuickPayAgreement
from payments.quickpay import services
from tests.customer_world import LOGIN_PASSWORD, world_build

from .quickpay_support import NOW, merchant_register, sign

TODAY = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)
# The middleware's floor (the session with the user and customer) is left out: see
# accounts/tests/test_query_budget.py. Each page's own reads are pinned exactly.
FLOOR_TABLES = ('"security_usersession"', '"security_user"')
FLOOR_MAX = 1
# 协议管理: the linked accounts to choose from, the agreements with their accounts.
LIST_OWN = 2
# 支付记录: the agreement with its account, 今日已支付, the page's count and its rows.
DEBITS_OWN = 4


@pytest.fixture
def world(db, settings, tmp_path):
    bank = world_build(settings, tmp_path)
    merchant_register()
    return bank


@pytest.fixture
def agreement(world):
    with time_machine.travel(NOW, tick=False):
        return sign(world.zhang_card)


@pytest.fixture
def zhang(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


def pay_on(agreement, days_ago: int, order_no: str, amount: str = "1.00"):
    with time_machine.travel(TODAY - timedelta(days=days_ago), tick=False):
        return services.quickpay_debit(agreement.number, agreement.merchant_code, order_no,
                                       Decimal(amount))


def debits_page(client, agreement, **params):
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("payments:quickpay_debits", args=[agreement.pk]), params)


def test_by_default_the_last_month_is_shown(world, agreement, zhang):
    pay_on(agreement, 0, "TODAY")
    pay_on(agreement, 29, "MONTH-EDGE")
    pay_on(agreement, 30, "TOO-OLD")
    body = debits_page(zhang, agreement).content.decode()
    assert "TODAY" in body and "MONTH-EDGE" in body and "TOO-OLD" not in body
    assert "2026-05-12 至 2026-06-10" in body
    assert 'value="2026-05-12"' in body and 'value="2026-06-10"' in body


def test_a_chosen_range_shows_its_debits_only(world, agreement, zhang):
    pay_on(agreement, 0, "TODAY")
    pay_on(agreement, 100, "OLD")
    body = debits_page(zhang, agreement, date_from="2026-02-01",
                       date_to="2026-03-31").content.decode()
    assert "OLD" in body and "TODAY" not in body
    body = debits_page(zhang, agreement, date_from="2026-05-01", date_to="").content.decode()
    assert "TODAY" in body and "OLD" not in body  # an empty 终止日期 is today


@pytest.mark.parametrize("params, message", [
    ({"date_from": "2026-06-10", "date_to": "2026-06-01"}, "起始日期不能晚于终止日期"),
    ({"date_from": "2025-06-09", "date_to": "2026-06-10"}, "查询区间最长为一年"),
    ({"date_from": "2026-13-01", "date_to": "2026-06-10"}, "请输入正确的起始日期"),
])
def test_a_wrong_range_is_said_on_the_page_with_the_dates_kept(world, agreement, zhang, params,
                                                               message):
    pay_on(agreement, 0, "TODAY")
    page = debits_page(zhang, agreement, **params)
    body = page.content.decode()
    assert page.status_code == 200 and message in body and "TODAY" not in body
    assert f'value="{params["date_from"]}"' in body


def test_a_full_year_is_allowed(world, agreement, zhang):
    pay_on(agreement, 365, "A-YEAR-AGO")
    body = debits_page(zhang, agreement, date_from="2025-06-10",
                       date_to="2026-06-10").content.decode()
    assert "A-YEAR-AGO" in body and "查询区间最长为一年" not in body


def test_the_debits_are_paged_twenty_a_page_keeping_the_dates(world, agreement, zhang):
    for n in range(21):
        pay_on(agreement, 1, f"P{n:02d}")
    first = debits_page(zhang, agreement, date_from="2026-06-01", date_to="2026-06-10")
    body = first.content.decode()
    assert body.count("<td class=\"mono\">P") == 20
    assert "第 1 / 2 页，共 21 条" in body
    assert "?date_from=2026-06-01&amp;date_to=2026-06-10&amp;page=2" in body
    second = debits_page(zhang, agreement, date_from="2026-06-01", date_to="2026-06-10",
                         page="2").content.decode()
    assert second.count("<td class=\"mono\">P") == 1 and "P00" in second  # the oldest last


# --- statement budgets ----------------------------------------------------------------------

def _own(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries
            if not any(table in query["sql"] for table in FLOOR_TABLES)]


def _budget(client, url, own, django_assert_max_num_queries):
    with time_machine.travel(TODAY, tick=False):
        client.get(url)  # the session and caches warm
        with django_assert_max_num_queries(FLOOR_MAX + own) as captured:
            response = client.get(url)
    assert response.status_code == 200
    assert len(_own(captured)) == own, _own(captured)
    return response


@pytest.mark.parametrize("debits", [1, 25])
def test_the_pages_read_in_a_fixed_number_of_statements(world, agreement, zhang, debits,
                                                        django_assert_max_num_queries):
    for n in range(debits // 5):  # more agreements of the customer, on the list too
        QuickPayAgreement.objects.create(
            number=f"QPEXTRA{n}", customer=world.zhang_customer, medium=world.zhang_card,
            merchant_code=f"M{n}", merchant_name=f"商户{n}", single_limit=Decimal("10.00"),
            daily_limit=Decimal("100.00"), signed_at=NOW)
    for n in range(debits):
        pay_on(agreement, n % 3, f"Q{n:02d}")
    listing = _budget(zhang, reverse("payments:quickpay"), LIST_OWN,
                      django_assert_max_num_queries)
    assert agreement.number in listing.content.decode()
    assert listing.content.decode().count("QPEXTRA") == debits // 5
    page = _budget(zhang, reverse("payments:quickpay_debits", args=[agreement.pk]), DEBITS_OWN,
                   django_assert_max_num_queries)
    assert "Q00" in page.content.decode()


def test_only_an_end_date_shows_the_month_up_to_it(world, agreement, zhang):
    pay_on(agreement, 0, "TODAY")
    pay_on(agreement, 100, "OLD")
    # 2026-03-02 is 100 days before TODAY: a 终止日期 alone is not "起始日期晚于终止日期".
    page = debits_page(zhang, agreement, date_from="", date_to="2026-03-02")
    body = page.content.decode()
    assert "起始日期不能晚于终止日期" not in body
    assert "OLD" in body and "TODAY" not in body
    assert "2026-02-01 至 2026-03-02" in body
