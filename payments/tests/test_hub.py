"""The 缴费中转页 (payments:index): the manual's groups of 缴费 pages, each a link where its page
exists; the customer's 登记簿 with a 缴费 link each; ``?account=`` from 账户总览 names the 缴费账户
(carried by every pay link) when it is the customer's own usable account, and is ignored
otherwise — never a 404 or a 500 for a query parameter."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.models import MediumStatus, SubAccountKind
from payments.book.services import book_entry_add
from tests.customer_world import World
from tests.customer_world import world as world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

WITH_PAY = "payments.tests.urls_with_pay"
WITHOUT_PAY = "payments.tests.urls_without_pay"
KINDS = ("water", "power", "gas", "heating", "tax", "mobile", "tietong", "unicom", "telecom")
TITLES = ("水费缴费", "电费缴费", "煤气缴费", "供暖缴费", "申报扣税", "移动缴费", "铁通缴费", "联通缴费",
          "电信缴费")


@pytest.fixture
def zhang(client, world):
    client.force_login(world.zhang)
    return client


def _links(body: str) -> dict[str, str]:
    return {text: html.unescape(href)
            for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', body)}


def _hub(body: str) -> str:
    start = body.index('class="grid hub-groups"')
    return body[start:body.index("</table>", start)]


def _book(body: str) -> str:
    start = body.index('class="grid bill-book"')
    return body[start:body.index("</table>", start)]


@override_settings(ROOT_URLCONF=WITH_PAY)
def test_the_hub_lists_the_manuals_groups_each_a_link(zhang):
    body = zhang.get(reverse("payments:index")).content.decode()
    assert "请选择将要进行的缴费业务" in body and "缴费账户：" not in body
    hub = _hub(body)
    for group in ("公共事业缴费", "话费缴费", "缴费管理"):
        assert group in hub
    positions = [hub.index(title) for title in (*TITLES, "缴费登记簿管理", "缴费记录查询")]
    assert positions == sorted(positions)  # the manual's order
    links = _links(hub)
    for kind, title in zip(KINDS, TITLES, strict=True):
        assert links[title] == reverse("payments:pay", kwargs={"kind": kind})
    assert links["缴费登记簿管理"] == reverse("payments:book")
    assert links["缴费记录查询"] == reverse("payments:records")


@override_settings(ROOT_URLCONF=WITHOUT_PAY)
def test_pages_not_built_yet_are_plain_text(zhang, world):
    book_entry_add(user=world.zhang, kind="power", customer_no="3401001234")
    body = zhang.get(reverse("payments:index")).content.decode()
    links = _links(_hub(body))
    assert set(links) == {"缴费登记簿管理"}
    for title in (*TITLES, "缴费记录查询"):
        assert f'title="暂未开通">{title}</span>' in body
    assert "3401001234" in _book(body) and ">缴费</a>" not in _book(body)


@override_settings(ROOT_URLCONF=WITH_PAY)
def test_the_hub_shows_the_book_with_pay_links(zhang, world):
    book_entry_add(user=world.zhang, kind="power", customer_no="3401001234", alias="家里电费")
    book_entry_add(user=world.zhang, kind="mobile", customer_no="13955110001", alias="我的手机")
    book_entry_add(user=world.li, kind="water", customer_no="7700001", alias="李娜的水费")
    book = _book(zhang.get(reverse("payments:index")).content.decode())
    assert "家里电费" in book and "我的手机" in book and "李娜的水费" not in book
    hrefs = [html.unescape(h) for h in re.findall(r'<a href="([^"]+)">缴费</a>', book)]
    assert hrefs == ["/payments/pay/power/?no=3401001234", "/payments/pay/mobile/?no=13955110001"]
    assert ">修改</a>" not in book  # managed on 缴费登记簿管理


@override_settings(ROOT_URLCONF=WITH_PAY)
def test_the_account_chosen_on_the_overview_goes_with_every_pay_link(zhang, world):
    book_entry_add(user=world.zhang, kind="power", customer_no="3401001234")
    main = World.main(world.zhang_card)
    body = zhang.get(f"{reverse('payments:index')}?account={main.pk}").content.decode()
    assert "缴费账户：" in body and world.zhang_card.masked_number in body
    assert world.zhang_card.number not in body
    links = _links(_hub(body))
    for kind, title in zip(KINDS, TITLES, strict=True):
        assert links[title] == f"{reverse('payments:pay', kwargs={'kind': kind})}?account={main.pk}"
    assert links["缴费登记簿管理"] == reverse("payments:book")
    hrefs = [html.unescape(h) for h in re.findall(r'<a href="([^"]+)">缴费</a>', _book(body))]
    assert hrefs == [f"/payments/pay/power/?no=3401001234&account={main.pk}"]


@override_settings(ROOT_URLCONF=WITH_PAY)
@pytest.mark.parametrize("raw", ["x", "-1", "0", "99999999999999999999", "1.5", "%00"])
def test_junk_account_is_ignored_not_an_error(zhang, raw):
    response = zhang.get(f"{reverse('payments:index')}?account={raw}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "缴费账户：" not in body and "所选账户不能用于缴费" in body
    assert "account=" not in "".join(_links(_hub(body)).values())


@override_settings(ROOT_URLCONF=WITH_PAY)
def test_another_customers_or_an_unusable_account_is_ignored(client, world):
    client.force_login(world.li)
    theirs = World.main(world.zhang_card)
    body = client.get(f"{reverse('payments:index')}?account={theirs.pk}").content.decode()
    assert "缴费账户：" not in body and world.zhang_card.masked_number not in body
    assert "account=" not in "".join(_links(_hub(body)).values())

    client.force_login(world.zhang)
    fixed = world.zhang_fixed_book.sub_accounts.exclude(
        kind__in=[SubAccountKind.CURRENT_MAIN, SubAccountKind.CURRENT]).first()
    body = client.get(f"{reverse('payments:index')}?account={fixed.pk}").content.decode()
    assert "缴费账户：" not in body and "所选账户不能用于缴费" in body
    world.zhang_card.status = MediumStatus.ORAL_LOSS
    world.zhang_card.save(update_fields=["status"])
    main = World.main(world.zhang_card)
    body = client.get(f"{reverse('payments:index')}?account={main.pk}").content.decode()
    assert "缴费账户：" not in body and "所选账户不能用于缴费" in body
    passbook = World.main(world.zhang_passbook)
    body = client.get(f"{reverse('payments:index')}?account={passbook.pk}").content.decode()
    assert "缴费账户：" in body and world.zhang_passbook.masked_number in body


def test_the_overviews_payment_action_opens_the_hub_with_the_account(zhang, world):
    main = World.main(world.zhang_card)
    overview = zhang.get(reverse("accounts:overview")).content.decode()
    hub_url = f"{reverse('payments:index')}?account={main.pk}"
    assert hub_url in [html.unescape(h) for h in re.findall(r'<a href="([^"]+)">缴费</a>',
                                                            overview)]
    body = zhang.get(hub_url).content.decode()
    assert "缴费账户：" in body and world.zhang_card.masked_number in body


def test_the_hub_needs_a_logged_in_customer_and_takes_only_get(client, zhang):
    assert zhang.post(reverse("payments:index")).status_code == 405
    client.logout()
    response = client.get(reverse("payments:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def _page_queries(client, url) -> int:
    client.get(url)  # the session warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_hub_reads_the_account_and_the_book_once_each(zhang, world):
    main = World.main(world.zhang_card)
    url = reverse("payments:index")
    plain = _page_queries(zhang, url)
    assert _page_queries(zhang, f"{url}?account={main.pk}") == plain + 1
    assert _page_queries(zhang, f"{url}?account=x") == plain  # junk: no query
    for i in range(8):
        book_entry_add(user=world.zhang, kind="water", customer_no=f"{300000 + i}")
    assert _page_queries(zhang, f"{url}?account={main.pk}") == plain + 1
