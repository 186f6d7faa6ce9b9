"""The shelf in the staff admin: head office adds and changes products and 净值 (through the
services, audited, refused in Chinese), a teller reads; a used 净值 is history; orders, share
accounts and income are read-only lists on the staff index."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import LedgerAccount
from security.staff.admin_sections import placement_of
from security.staff.roles import Role
from security.tests.test_counter_fixtures import make_staff, otp_login
from wealth.book import issuance_account, share_account_for, share_post
from wealth.catalog.services import product_change
from wealth.models import Income, Nav, Order, OrderKind, OrderStatus, Product

from .conftest import FRIDAY_BEFORE, MONDAY, shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    with time_machine.travel(shanghai(MONDAY, 18), tick=False):
        yield


@pytest.fixture
def hq(world, shelf, monday):
    client = Client()
    otp_login(client, make_staff("hq_wealth", "340000", role=Role.HEAD_OFFICE))
    return client


@pytest.fixture
def teller(world, shelf, monday):
    client = Client()
    otp_login(client, make_staff("teller_wealth", "340101"))
    return client


def product_post(**changes) -> dict:
    data = {"code": "LC5001", "name": "安农稳健开放5号", "issuer": "安徽农金资管", "kind": "open",
            "risk_level": "R2", "cooling_hours": "0", "benchmark": "3.00%", "on_sale": "on",
            "raise_start": "", "raise_end": "", "start_date": "2026-06-01", "end_date": "",
            "min_amount": "1000.00", "step_amount": "100.00", "min_redeem_shares": "0",
            "min_hold_shares": "0", "subscribe_fee_rate": "0", "purchase_fee_rate": "0.5",
            "redeem_fee_rate": "0.2"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


ADD = "admin:wealth_product_add"


def test_head_office_adds_a_product_with_its_cash_book_audited(hq):
    response = hq.post(reverse(ADD), product_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(code="LC5001")
    assert LedgerAccount.objects.get(pk=product.ledger_account_id).code == "WLT:LC5001"
    assert product.purchase_fee_rate == Decimal("0.5")
    event = AuditEvent.objects.get(action="wealth.product_add")
    assert event.object_ref == "wealth.product:LC5001" and event.channel == "admin"


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "closed", "raise_start": "2026-06-10", "raise_end": "2026-06-09",
      "start_date": "2026-06-15", "end_date": "2026-12-15"}, "募集结束日不能早于募集开始日"),
    ({"kind": "closed", "raise_start": "2026-06-01", "raise_end": "2026-06-12",
      "start_date": "2026-06-12", "end_date": "2026-12-15"}, "成立日须晚于募集结束日"),
    ({"kind": "closed", "raise_start": "2026-06-01", "raise_end": "2026-06-12",
      "start_date": "2026-06-15"}, "封闭式产品须设置到期日"),
    ({"raise_start": "2026-06-01"}, "募集开始日与募集结束日须同时填写"),
    ({"end_date": "2026-05-01"}, "到期日须晚于成立日"),
    ({"kind": "xjl", "min_amount": "1.00", "step_amount": "5.00", "purchase_fee_rate": "0",
      "redeem_fee_rate": "0"}, "薪加利递增金额须在0.01元至1.00元之间"),
    ({"kind": "xjl", "min_amount": "5000.00", "step_amount": "0.01", "purchase_fee_rate": "0",
      "redeem_fee_rate": "0"}, "薪加利起购金额不能高于1,000.00元"),
    ({"kind": "xjl", "min_amount": "1.00", "step_amount": "0.01"}, "薪加利不收取认购、申购、赎回费"),
    ({"cooling_hours": "24"}, "只有私募产品设置冷静期"),
    ({"private": "on", "cooling_hours": "12"}, "私募产品的冷静期不少于24小时"),
    ({"code": "LC2001"}, "已存在"),
])
def test_a_product_the_rules_refuse_is_not_added(hq, changes, message):
    response = hq.post(reverse(ADD), product_post(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Product.objects.filter(name="安农稳健开放5号").exists()
    assert not LedgerAccount.objects.filter(code="WLT:LC5001").exists()


def test_code_and_kind_never_change_once_saved(hq, shelf):
    url = reverse("admin:wealth_product_change", args=[shelf.open_r2.pk])
    page = hq.get(url).content.decode()
    assert 'name="code"' not in page and 'name="kind"' not in page and "WLT:LC2001" in page
    response = hq.post(url, product_post(code="LC9999", kind="closed", name="安农稳健开放1号（新）",
                                         start_date="2026-01-05"))
    assert response.status_code == 302, response.content.decode()[:3000]
    shelf.open_r2.refresh_from_db()
    assert (shelf.open_r2.code, shelf.open_r2.kind, shelf.open_r2.name) == (
        "LC2001", "open", "安农稳健开放1号（新）")
    event = AuditEvent.objects.get(action="wealth.product_change")
    assert "name" in event.detail["fields"]


def test_a_teller_reads_the_shelf_and_changes_nothing(teller, shelf):
    for name in ("product", "nav", "order", "shareaccount", "income"):
        assert teller.get(reverse(f"admin:wealth_{name}_changelist")).status_code == 200, name
    assert teller.get(reverse(ADD)).status_code == 403
    assert teller.get(reverse("admin:wealth_nav_add")).status_code == 403
    url = reverse("admin:wealth_product_change", args=[shelf.open_r2.pk])
    assert teller.get(url).status_code == 200
    assert teller.post(url, product_post(name="改名")).status_code == 403
    shelf.open_r2.refresh_from_db()
    assert shelf.open_r2.name == "安农稳健开放1号"


def nav_post(product, day, nav="1.0000", income="", seven_day="") -> dict:
    return {"product": product.pk, "date": f"{day:%Y-%m-%d}", "nav": nav,
            "income_per_10k": income, "seven_day_yield": seven_day}


@pytest.mark.parametrize(("which", "figures", "message"), [
    ("xjl", ("1.0100", "0.4500", "1.6000"), "薪加利的单位净值固定为1.0000"),
    ("xjl", ("1.0000", "", "1.6000"), "薪加利须填写万份收益"),
    ("xjl", ("1.0000", "0.4500", ""), "薪加利须填写七日年化收益率"),
    ("open_r2", ("1.0100", "0.4500", ""), "只有薪加利填写万份收益"),
    ("open_r2", ("1.0100", "", "1.6000"), "只有薪加利填写七日年化收益率"),
    ("open_r2", ("0", "", ""), "单位净值须大于零"),
])
def test_a_nav_the_rules_refuse_is_not_published(hq, shelf, which, figures, message):
    product = getattr(shelf, which)
    response = hq.post(reverse("admin:wealth_nav_add"), nav_post(product, MONDAY, *figures))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Nav.objects.filter(date=MONDAY).exists()


def test_head_office_publishes_and_corrects_a_nav_audited(hq, shelf):
    response = hq.post(reverse("admin:wealth_nav_add"),
                       nav_post(shelf.xjl, MONDAY, "1.0000", "0.4321", "1.5800"))
    assert response.status_code == 302
    row = Nav.objects.get(product=shelf.xjl, date=MONDAY)
    assert (row.income_per_10k, row.seven_day_yield, row.published_by) == (
        Decimal("0.4321"), Decimal("1.5800"), "hq_wealth")
    response = hq.post(reverse("admin:wealth_nav_add"), nav_post(shelf.xjl, MONDAY, "1.0000",
                                                                 "0.4", "1.5"))
    assert "该产品该日的净值已发布" in response.content.decode()
    url = reverse("admin:wealth_nav_change", args=[row.pk])
    response = hq.post(url, {"nav": "1.0000", "income_per_10k": "0.4400",
                             "seven_day_yield": "1.5900"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.income_per_10k == Decimal("0.4400")
    assert list(AuditEvent.objects.filter(action__startswith="wealth.nav").order_by("id")
                .values_list("action", flat=True)) == ["wealth.nav_add", "wealth.nav_change"]
    delete = reverse("admin:wealth_nav_delete", args=[row.pk])
    assert hq.post(delete, {"post": "yes"}).status_code == 302
    assert not Nav.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(action="wealth.nav_delete").count() == 1


def test_a_nav_a_confirmed_order_used_is_neither_changed_nor_deleted(hq, world, shelf):
    used = Nav.objects.get(product=shelf.open_r2, date=FRIDAY_BEFORE)
    Order.objects.create(number="LC-USED", customer=world.zhang_customer,
                         medium=world.zhang_card, product=shelf.open_r2,
                         kind=OrderKind.PURCHASE, status=OrderStatus.CONFIRMED,
                         amount=Decimal("1000"), placed_at=shanghai(FRIDAY_BEFORE, 10),
                         trade_date=FRIDAY_BEFORE)
    url = reverse("admin:wealth_nav_change", args=[used.pk])
    assert hq.post(url, {"nav": "1.0500"}).status_code == 403
    assert hq.post(reverse("admin:wealth_nav_delete", args=[used.pk]),
                   {"post": "yes"}).status_code == 403
    used.refresh_from_db()
    assert used.nav == Decimal("1.0000")
    # 薪加利's 净值 of a day whose income was paid: the same.
    xjl = Nav.objects.get(product=shelf.xjl, date=FRIDAY_BEFORE)
    Income.objects.create(product=shelf.xjl, customer=world.zhang_customer, date=FRIDAY_BEFORE,
                          shares_base=Decimal("1000"), income_per_10k=xjl.income_per_10k,
                          amount=Decimal("0.05"))
    assert hq.post(reverse("admin:wealth_nav_change", args=[xjl.pk]),
                   {"nav": "1.0000", "income_per_10k": "0.5000",
                    "seven_day_yield": "1.6500"}).status_code == 403
    # An unused one still may be corrected.
    other = Nav.objects.get(product=shelf.open_r3, date=FRIDAY_BEFORE)
    assert hq.post(reverse("admin:wealth_nav_change", args=[other.pk]),
                   {"nav": "1.0010"}).status_code == 302


def test_orders_shares_and_income_are_read_only_lists_placed_on_the_index(teller, world, shelf):
    account = share_account_for(product=shelf.xjl, customer=world.zhang_customer)
    share_post(idempotency_key="xjl-in", business_type="xjl_in", reference="LC-IN",
               moves=[(issuance_account(shelf.xjl), Decimal("-500")),
                      (account, Decimal("500"))])
    Order.objects.create(number="LC20260608000000000001", customer=world.zhang_customer,
                         medium=world.zhang_card, product=shelf.open_r2,
                         kind=OrderKind.PURCHASE, status=OrderStatus.CONFIRMED,
                         amount=Decimal("12345.67"), placed_at=shanghai(FRIDAY_BEFORE, 10),
                         trade_date=FRIDAY_BEFORE, nav=Decimal("1.0000"),
                         confirmed_amount=Decimal("12284.25"),
                         confirmed_shares=Decimal("12284.2500"), fee=Decimal("61.42"),
                         confirmed_on=MONDAY)
    orders = reverse("admin:wealth_order_changelist")
    body = teller.get(orders, {"status": "confirmed", "kind": "purchase",
                               "q": "LC20260608000000000001"}).content.decode()
    assert "¥12,345.67" in body and "¥12,284.25 / 12,284.2500份" in body and "¥61.42" in body
    assert "张伟" in teller.get(orders, {"q": "张伟"}).content.decode()
    assert "LC20260608000000000001" not in teller.get(orders, {"status": "pending"}).content.decode()
    order = Order.objects.get()
    assert teller.post(reverse("admin:wealth_order_change", args=[order.pk]), {}).status_code == 403
    page = teller.get(reverse("admin:wealth_shareaccount_change", args=[account.pk]))
    assert "薪加利转入" in page.content.decode() and "LC-IN" in page.content.decode()
    assert (placement_of("wealth", "order").section, placement_of("wealth", "income").section,
            placement_of("wealth", "shareaccount").section) == ("transactions", "transactions",
                                                                "accounts")
    assert placement_of("wealth", "product") is None and placement_of("wealth", "nav") is None


def test_a_teller_of_another_branch_sees_no_order_of_this_one(world, shelf, monday):
    Order.objects.create(number="LC20260608000000000002", customer=world.zhang_customer,
                         medium=world.zhang_card, product=shelf.open_r2,
                         kind=OrderKind.PURCHASE, amount=Decimal("1000"),
                         placed_at=shanghai(MONDAY, 10), trade_date=MONDAY)
    client = Client()
    otp_login(client, make_staff("teller_wh_wealth", "340201"))
    body = client.get(reverse("admin:wealth_order_changelist")).content.decode()
    assert "LC20260608000000000002" not in body


def _as_posted(product, **changes) -> dict:
    data = {name: getattr(product, name) for name in (
        "name", "issuer", "risk_level", "cooling_hours", "benchmark", "raise_start", "raise_end",
        "start_date", "end_date", "min_amount", "step_amount", "min_redeem_shares",
        "min_hold_shares", "subscribe_fee_rate", "purchase_fee_rate", "redeem_fee_rate")}
    data = {key: ("" if value is None else str(value)) for key, value in data.items()}
    if product.on_sale:
        data["on_sale"] = "on"
    if product.private:
        data["private"] = "on"
    data.update(changes)
    return data


def test_a_sold_product_keeps_its_dates_its_pending_fees_and_never_lowers_its_risk(hq, world,
                                                                                   shelf):
    product = shelf.open_r2
    Order.objects.create(number="LC-WAIT", customer=world.zhang_customer,
                         medium=world.zhang_card, product=product, kind=OrderKind.PURCHASE,
                         amount=Decimal("1000"), placed_at=shanghai(MONDAY, 10),
                         trade_date=MONDAY)
    url = reverse("admin:wealth_product_change", args=[product.pk])
    refused = {
        "start_date": ("2026-02-02", "募集期、成立日和到期日不能修改"),
        "purchase_fee_rate": ("0.1000", "产品有待确认的交易，费率不能修改"),
        "risk_level": ("R1", "风险等级只能调高，不能调低"),
    }
    for field, (value, message) in refused.items():
        response = hq.post(url, _as_posted(product, **{field: value}))
        assert response.status_code == 200 and message in response.content.decode(), field
        product.refresh_from_db()
        assert str(getattr(product, field)) != value
    # A stricter rating and the words on the shelf may change.
    response = hq.post(url, _as_posted(product, risk_level="R3", name="安农稳健开放1号（更名）"))
    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert (product.risk_level, product.name) == ("R3", "安农稳健开放1号（更名）")
    # The service refuses the same, whoever calls it.
    product.end_date = date(2027, 6, 1)
    with pytest.raises(BusinessError):
        product_change(staff=None, product=product, changed=["end_date"])


def test_the_share_account_page_shows_the_latest_postings_only(teller, world, shelf):
    """A 薪加利 account gains a posting every night: the page shows the latest 50, newest first."""
    account = share_account_for(product=shelf.xjl, customer=world.zhang_customer)
    for night in range(60):
        share_post(idempotency_key=f"income-{night}", business_type="xjl_income",
                   reference=f"INC{night:03d}",
                   moves=[(issuance_account(shelf.xjl), Decimal("-0.05")),
                          (account, Decimal("0.05"))])
    body = teller.get(reverse("admin:wealth_shareaccount_change",
                              args=[account.pk])).content.decode()
    assert "份额明细（最近50笔）" in body
    assert "INC059" in body and "INC010" in body and "INC009" not in body
