"""PAY-BOOK 缴费登记簿管理: add, 修改, 删除 (GET confirms, POST deletes), duplicates, the cap,
validation that keeps what was typed, another customer's entry (404), audit rows, the 缴费
link to the pay page, and the list's query budget."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from ebank.core.models import AuditEvent
from payments.book.selectors import book_rows
from payments.book.services import BOOK_MAX, book_entry_add
from payments.models import BillBookEntry, BillKind
from payments.selectors import pay_url
from tests.customer_world import world as world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

WITH_PAY = "payments.tests.urls_with_pay"
WITHOUT_PAY = "payments.tests.urls_without_pay"


@pytest.fixture
def zhang(client, world):
    client.force_login(world.zhang)
    return client


def _add(client, kind="power", number="3401001234", alias="家里电费"):
    return client.post(reverse("payments:book"),
                       {"kind": kind, "customer_no": number, "alias": alias})


def _value(body: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', body).group(0)
    value = re.search(r'value="([^"]*)"', found)
    return html.unescape(value.group(1)) if value else ""


def _audits(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_add_lists_the_entry_and_audits(zhang, world):
    response = _add(zhang)
    assert response.status_code == 302 and response["Location"] == reverse("payments:book")
    entry = BillBookEntry.objects.get(customer=world.zhang_customer)
    assert (entry.kind, entry.customer_no, entry.alias) == ("power", "3401001234", "家里电费")
    event = AuditEvent.objects.get(action="payments.book_add")
    assert event.customer_id == world.zhang_customer.pk and event.detail["customer_no"] == "3401001234"
    body = zhang.get(reverse("payments:book")).content.decode()
    assert "缴费信息已加入缴费登记簿" in body
    assert "电费缴费" in body and "3401001234" in body and "家里电费" in body
    assert reverse("payments:book_edit", args=[entry.pk]) in body
    assert reverse("payments:book_delete", args=[entry.pk]) in body


def test_numbers_are_normalised_per_kind(world):
    user = world.zhang
    assert book_entry_add(user=user, kind="water", customer_no=" ab 12345 ").customer_no == "AB12345"
    assert book_entry_add(user=user, kind="tietong",
                          customer_no="0551-62881234").customer_no == "055162881234"
    assert book_entry_add(user=user, kind="tietong", customer_no="13955110001").customer_no \
        == "13955110001"
    assert book_entry_add(user=user, kind="tax",
                          customer_no="330100202612050001").customer_no == "330100202612050001"


@pytest.mark.parametrize(("kind", "number", "message"), [
    ("power", "12", "户号应为5至20位数字或字母"),
    ("power", "3401--001234", "户号应为5至20位数字或字母"),
    ("mobile", "12955110001", "手机号码应为以1开头的11位数字"),
    ("unicom", "1395511000", "电话号码应为11位手机号码，或区号加电话号码"),
    ("telecom", "62881234", "电话号码应为11位手机号码，或区号加电话号码"),
    ("tietong", "62881234", "电话号码应为11位手机号码，或区号加电话号码"),
    ("tax", "12345", "缴税凭证号应为10至32位数字或字母"),
    ("power", "", "请输入缴费号码"),
    ("", "3401001234", "请选择缴费类型"),
])
def test_a_wrong_number_is_refused_on_the_page_with_what_was_typed(zhang, world, kind, number,
                                                                  message):
    response = _add(zhang, kind=kind, number=number, alias="我的备注")
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert _value(body, "customer_no") == number and _value(body, "alias") == "我的备注"
    if kind:
        assert f'<option value="{kind}" selected>' in body
    assert not BillBookEntry.objects.exists() and _audits("payments.book_add") == 0


def test_alias_of_more_than_20_characters_is_refused(zhang):
    body = _add(zhang, alias="备" * 21).content.decode()
    assert "备注名最多20个字" in body and _value(body, "customer_no") == "3401001234"
    assert not BillBookEntry.objects.exists()
    assert _add(zhang, alias="备" * 20).status_code == 302


def test_a_duplicate_is_refused_but_the_same_number_of_another_kind_is_not(zhang, world):
    _add(zhang)
    response = _add(zhang, number=" 3401 001234 ", alias="又一个")
    body = response.content.decode()
    assert response.status_code == 200
    assert "该户号已在缴费登记簿中（电费缴费），请勿重复登记" in body
    assert _value(body, "alias") == "又一个"
    assert BillBookEntry.objects.count() == 1
    assert _add(zhang, kind="water").status_code == 302
    # Another customer may hold the same number.
    assert book_entry_add(user=world.li, kind="power", customer_no="3401001234")
    assert BillBookEntry.objects.count() == 3


def test_the_book_holds_at_most_the_cap(zhang, world):
    BillBookEntry.objects.bulk_create([
        BillBookEntry(customer=world.zhang_customer, kind=BillKind.WATER,
                      customer_no=f"{100000 + i}") for i in range(BOOK_MAX)])
    body = zhang.get(reverse("payments:book")).content.decode()
    assert f"缴费登记簿最多保存{BOOK_MAX}条缴费信息" in body
    body = _add(zhang).content.decode()
    assert f"缴费登记簿最多保存{BOOK_MAX}条缴费信息，请先删除不再使用的缴费信息" in body
    assert BillBookEntry.objects.count() == BOOK_MAX
    # A duplicate is told as a duplicate even when the book is full.
    body = _add(zhang, kind="water", number="100000").content.decode()
    assert "已在缴费登记簿中" in body


def test_modify_shows_the_entry_then_saves_and_audits(zhang, world):
    entry = book_entry_add(user=world.zhang, kind="power", customer_no="3401001234",
                           alias="家里电费")
    url = reverse("payments:book_edit", args=[entry.pk])
    body = zhang.get(url).content.decode()
    assert _value(body, "customer_no") == "3401001234" and _value(body, "alias") == "家里电费"
    assert '<option value="power" selected>' in body
    response = zhang.post(url, {"kind": "power", "customer_no": "3401005678", "alias": "老房子"})
    assert response.status_code == 302 and response["Location"] == reverse("payments:book")
    entry.refresh_from_db()
    assert (entry.customer_no, entry.alias) == ("3401005678", "老房子")
    event = AuditEvent.objects.get(action="payments.book_change")
    assert event.detail["before"]["customer_no"] == "3401001234"
    assert event.detail["after"]["alias"] == "老房子"
    # Saving it unchanged is no duplicate of itself.
    assert zhang.post(url, {"kind": "power", "customer_no": "3401005678",
                            "alias": ""}).status_code == 302
    # … and a 修改 that changes nothing writes nothing: no save, no audit row.
    entry.refresh_from_db()
    changes, updated = AuditEvent.objects.filter(action="payments.book_change").count(), \
        entry.updated_at
    assert zhang.post(url, {"kind": "power", "customer_no": "3401005678",
                            "alias": ""}).status_code == 302
    entry.refresh_from_db()
    assert AuditEvent.objects.filter(action="payments.book_change").count() == changes == 2
    assert entry.updated_at == updated


def test_modify_refuses_a_duplicate_and_a_wrong_number_keeping_what_was_typed(zhang, world):
    book_entry_add(user=world.zhang, kind="mobile", customer_no="13955110001")
    entry = book_entry_add(user=world.zhang, kind="mobile", customer_no="13955110002")
    url = reverse("payments:book_edit", args=[entry.pk])
    body = zhang.post(url, {"kind": "mobile", "customer_no": "13955110001",
                            "alias": "改"}).content.decode()
    assert "该手机号码已在缴费登记簿中（移动缴费），请勿重复登记" in body
    assert _value(body, "customer_no") == "13955110001" and _value(body, "alias") == "改"
    body = zhang.post(url, {"kind": "mobile", "customer_no": "139551100",
                            "alias": "改"}).content.decode()
    assert "手机号码应为以1开头的11位数字" in body and _value(body, "customer_no") == "139551100"
    entry.refresh_from_db()
    assert entry.customer_no == "13955110002" and entry.alias == ""
    assert _audits("payments.book_change") == 0


def test_delete_asks_first_and_a_get_never_deletes(zhang, world):
    entry = book_entry_add(user=world.zhang, kind="power", customer_no="3401001234",
                           alias="家里电费")
    url = reverse("payments:book_delete", args=[entry.pk])
    body = zhang.get(url).content.decode()
    assert "确定从缴费登记簿中删除以下缴费信息吗" in body and "3401001234" in body
    assert BillBookEntry.objects.filter(pk=entry.pk).exists()
    response = zhang.post(url)
    assert response.status_code == 302
    assert not BillBookEntry.objects.filter(pk=entry.pk).exists()
    event = AuditEvent.objects.get(action="payments.book_delete")
    assert event.object_ref == f"bill_book:{entry.pk}" and event.detail["alias"] == "家里电费"
    assert "缴费信息已删除" in zhang.get(reverse("payments:book")).content.decode()


def test_gets_write_nothing(zhang, world):
    entry = book_entry_add(user=world.zhang, kind="power", customer_no="3401001234")
    before = (BillBookEntry.objects.count(), AuditEvent.objects.count(),
              BillBookEntry.objects.get().updated_at)
    for url in (reverse("payments:book"), reverse("payments:book_edit", args=[entry.pk]),
                reverse("payments:book_delete", args=[entry.pk])):
        assert zhang.get(url).status_code == 200
    assert (BillBookEntry.objects.count(), AuditEvent.objects.count(),
            BillBookEntry.objects.get().updated_at) == before


def test_another_customers_entry_is_404_and_unchanged(client, world):
    theirs = book_entry_add(user=world.zhang, kind="power", customer_no="3401001234",
                            alias="张伟的")
    client.force_login(world.li)
    for name in ("payments:book_edit", "payments:book_delete"):
        url = reverse(name, args=[theirs.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"kind": "water", "customer_no": "99999",
                                 "alias": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.kind, theirs.customer_no, theirs.alias) == ("power", "3401001234", "张伟的")
    body = client.get(reverse("payments:book")).content.decode()
    assert "3401001234" not in body and "张伟的" not in body
    assert client.get("/payments/book/99999999999999999999/edit").status_code == 404


def test_pages_need_a_logged_in_customer(client, world):
    response = client.get(reverse("payments:book"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- the 缴费 link --------------------------------------------------------------------------


@override_settings(ROOT_URLCONF=WITH_PAY)
def test_each_row_links_to_the_pay_page_with_its_number(zhang, world):
    book_entry_add(user=world.zhang, kind="power", customer_no="3401001234")
    book_entry_add(user=world.zhang, kind="mobile", customer_no="13955110001")
    body = zhang.get(reverse("payments:book")).content.decode()
    hrefs = [html.unescape(h) for h in re.findall(r'<a href="([^"]+)">缴费</a>', body)]
    assert hrefs == [reverse("payments:pay", kwargs={"kind": "power"}) + "?no=3401001234",
                     reverse("payments:pay", kwargs={"kind": "mobile"}) + "?no=13955110001"]
    assert hrefs[0] == "/payments/pay/power/?no=3401001234"


@override_settings(ROOT_URLCONF=WITHOUT_PAY)
def test_without_a_pay_page_the_row_has_no_pay_link(zhang, world):
    book_entry_add(user=world.zhang, kind="power", customer_no="3401001234")
    body = zhang.get(reverse("payments:book")).content.decode()
    assert ">缴费</a>" not in body and "3401001234" in body
    assert pay_url("power", customer_no="3401001234") is None
    assert [row.pay_url for row in book_rows(customer=world.zhang_customer)] == [None]


@override_settings(ROOT_URLCONF=WITH_PAY)
def test_pay_url_carries_the_number_and_the_account():
    assert pay_url("water") == "/payments/pay/water/"
    assert pay_url("water", customer_no="AB12345", account_id=7) \
        == "/payments/pay/water/?no=AB12345&account=7"


# --- query budget ---------------------------------------------------------------------------


def _page_queries(client) -> int:
    url = reverse("payments:book")
    client.get(url)  # the session warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_reads_its_entries_in_one_query_however_many(zhang, world):
    book_entry_add(user=world.zhang, kind="power", customer_no="3401001234")
    one = _page_queries(zhang)
    for i in range(12):
        book_entry_add(user=world.zhang, kind="water", customer_no=f"{200000 + i}")
    assert _page_queries(zhang) == one
    with CaptureQueriesContext(connection) as captured:
        book_rows(customer=world.zhang_customer)
    assert len(captured.captured_queries) == 1


# --- demo -----------------------------------------------------------------------------------


class _Out:
    def __init__(self):
        self.lines = []

    def line(self, text):
        self.lines.append(text)

    def success(self, text):
        self.lines.append(text)


def test_the_demo_gives_zhang_two_entries_once(world):
    from ebank.core.demo import demo_parts
    from payments.book.demo import demo_seed

    assert demo_seed in demo_parts()
    demo_seed(_Out())
    demo_seed(_Out())  # idempotent
    rows = {(e.kind, e.customer_no, e.alias)
            for e in BillBookEntry.objects.filter(customer=world.zhang_customer)}
    assert rows == {("power", "3400123456", "家里电费"), ("mobile", "13805510001", "我的手机")}
    assert BillBookEntry.objects.count() == 2
