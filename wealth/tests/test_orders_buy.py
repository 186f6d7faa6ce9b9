"""理财产品认购 (WLT-BUY): the product list and detail, 认购/申购 through X-CONFIRM (certificate
password only), the refusals on the page and the executor's re-checks."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from ebank.ledger.models import Hold, HoldStatus
from security.confirm.registry import TOOL_REQUIRED_MESSAGE, operation_kind_get
from security.confirm.services import operation_confirm
from security.models import OperationStatus, PendingOperation
from tests.customer_world import CERT_PASSWORD, confirm
from wealth.models import Order, OrderKind, OrderStatus, RiskAssessment
from wealth.orders import services
from wealth.orders.operations import _outcome
from wealth.placing import OrderRefused
from wealth.suitability import SuitabilityRefused

from .conftest import MONDAY, assess, shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_monday():
    with time_machine.travel(shanghai(MONDAY, 10), tick=False):
        yield


def _login(client, user):
    client.force_login(user)
    return client


def _buy(client, world, product, amount, payer=None):
    payer = payer or world.main(world.zhang_card)
    return client.post(reverse("wealth:buy", kwargs={"pk": product.pk}),
                       {"payer": str(payer.pk), "amount": amount})


def test_the_kinds_ask_the_certificate_only():
    for kind in (services.KIND_SUBSCRIBE, services.KIND_PURCHASE, services.KIND_REDEEM):
        spec = operation_kind_get(kind)
        assert (spec.requires_pin, spec.requires_tool, spec.allow_sms) == (False, True, False)


def test_product_list_queries(client, world, shelf, at_monday, django_assert_max_num_queries):
    _login(client, world.zhang)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("wealth:products")).content.decode()
    for code in ("LC2001", "LC3001", "LC2101", "SM3001"):
        assert code in body
    assert "XJL001" not in body and "募集中（至2026-06-12 15:00）" in body
    assert "1.0000（2026-06-05）" in body and "业绩比较基准 3.10%" in body
    raising = client.get(reverse("wealth:products"), {"product_type": "raising"}).content.decode()
    assert "LC2101" in raising and "LC2001" not in raising
    r3 = client.get(reverse("wealth:products"), {"risk_level": "R3"}).content.decode()
    assert "LC3001" in r3 and "SM3001" in r3 and "LC2001" not in r3
    named = client.get(reverse("wealth:products"), {"keyword": "私享"}).content.decode()
    assert "SM3001" in named and "LC3001" not in named
    bad = client.get(reverse("wealth:products"), {"risk_level": "R9"})
    assert bad.status_code == 200 and "R9" in bad.content.decode()


def test_product_detail_terms_and_unknown_product(client, world, shelf, at_monday):
    _login(client, world.li)
    body = client.get(reverse("wealth:product", kwargs={"pk": shelf.private.pk})
                      ).content.decode()
    for text in ("安农私享1号", "安徽农金资管", "冷静期", "24小时", "15:00前", "2026-06-05"):
        assert text in body
    closed = client.get(reverse("wealth:product", kwargs={"pk": shelf.closed.pk})
                        ).content.decode()
    assert "2026-06-01 至 2026-06-12 15:00" in closed and "2026-12-15" in closed
    gone = client.get(reverse("wealth:product", kwargs={"pk": shelf.xjl.pk}))
    assert gone.status_code == 302 and gone.url == reverse("wealth:products")


def test_zhang_purchases_through_the_certificate(client, world, shelf, at_monday):
    assess(world.zhang_customer, "C3")
    _login(client, world.zhang)
    page = client.get(reverse("wealth:buy", kwargs={"pk": shelf.open_r2.pk})).content.decode()
    assert "C3（平衡型）" in page and "R2（稳健型）" in page and "申购" in page
    response = _buy(client, world, shelf.open_r2, "5,000")
    operation = PendingOperation.objects.get(kind=services.KIND_PURCHASE)
    assert response.url == reverse("security:confirm", args=[operation.public_id])
    assert Order.objects.count() == 0   # nothing placed before the confirmation
    shown = client.get(response.url).content.decode()
    assert "¥5,000.00" in shown and "伍仟元整" in shown and "LC2001" in shown
    assert 'name="pin"' not in shown and "短信验证码" not in shown
    back = client.get(reverse("wealth:buy", kwargs={"pk": shelf.open_r2.pk}),
                      {"from": operation.public_id}).content.decode()
    assert 'value="5000.00"' in back
    done = confirm(operation, user=world.zhang)
    assert done.status == OperationStatus.EXECUTED
    order = Order.objects.get()
    assert (order.kind, order.status, order.amount) == (OrderKind.PURCHASE, OrderStatus.PENDING,
                                                        Decimal("5000.00"))
    assert order.operation_id == operation.pk and order.hold.status == HoldStatus.ACTIVE
    lines = dict(map(tuple, done.result["lines"]))
    assert lines["交易流水号"] == order.number and lines["交易日"] == "2026-06-08"
    assert lines["预计确认日"] == "2026-06-09" and lines["可撤单截止"] == "2026-06-08 15:00"
    outcome = _outcome(operation=done)
    assert outcome.headline == "申购已受理，待确认" and "冻结" in outcome.note
    result = client.get(reverse("security:confirm_result", args=[operation.public_id]))
    assert "已受理，待确认" in result.content.decode()
    assert "购买成功" not in result.content.decode()


def test_subscription_in_the_raise_period(client, world, shelf, at_monday):
    assess(world.zhang_customer, "C2")
    _login(client, world.zhang)
    _buy(client, world, shelf.closed, "11000")
    done = confirm(PendingOperation.objects.get(kind=services.KIND_SUBSCRIBE), user=world.zhang)
    order = Order.objects.get(operation=done)
    assert order.kind == OrderKind.SUBSCRIBE and order.trade_date == date(2026, 6, 12)


def test_li_without_a_tool_is_refused_and_nothing_is_written(client, world, shelf, at_monday):
    assess(world.li_customer, "C5")
    _login(client, world.li)
    page = client.get(reverse("wealth:buy", kwargs={"pk": shelf.open_r2.pk})).content.decode()
    assert TOOL_REQUIRED_MESSAGE in page and 'id="wealth-buy-form"' not in page
    response = _buy(client, world, shelf.open_r2, "5000", payer=world.main(world.li_card))
    assert response.status_code == 200 and TOOL_REQUIRED_MESSAGE in response.content.decode()
    assert not PendingOperation.objects.exists() and not Hold.objects.exists()
    with pytest.raises(Exception, match="USBKey"):
        services.buy_start(user=world.li, payer=world.main(world.li_card),
                           product=shelf.open_r2, kind=OrderKind.PURCHASE,
                           amount=Decimal("5000.00"))
    assert not PendingOperation.objects.exists()


@pytest.mark.parametrize(("typed", "message"), [
    ("", "请输入购买金额"), ("1e30", "请输入正确的金额"), ("1.005", "金额最多两位小数"),
    ("五千", "请输入正确的金额"), ("1050", "整数倍"), ("500", "起购金额"),
    ("999999999999999", "金额超出范围")])
def test_bad_amounts_are_said_in_chinese_and_kept(client, world, shelf, at_monday, typed,
                                                  message):
    assess(world.zhang_customer, "C3")
    _login(client, world.zhang)
    response = _buy(client, world, shelf.open_r2, typed)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    if typed:
        assert f'value="{typed}"' in body
    assert not PendingOperation.objects.exists()


def test_suitability_and_balance_refusals_on_the_page(client, world, shelf, at_monday):
    _login(client, world.zhang)
    body = _buy(client, world, shelf.open_r2, "5000").content.decode()
    assert "请先完成风险测评" in body and 'value="5000"' in body
    assess(world.zhang_customer, "C2")
    body = _buy(client, world, shelf.open_r3, "5000").content.decode()
    assert "高于您的风险承受能力C2" in body
    body = _buy(client, world, shelf.open_r2, "900,000,000").content.decode()
    assert "账户可用余额不足" in body and 'value="900,000,000"' in body
    assert not PendingOperation.objects.exists()


def _start_purchase(world, product):
    return services.buy_start(user=world.zhang, payer=world.main(world.zhang_card),
                              product=product, kind=OrderKind.PURCHASE,
                              amount=Decimal("2000.00"))


def test_executor_rechecks_an_assessment_expired_since_the_start(world, shelf):
    RiskAssessment.objects.create(customer=world.zhang_customer, level="C3", score=50,
                                  answers={}, taken_at=shanghai(date(2025, 6, 9), 10),
                                  valid_until=MONDAY)
    with time_machine.travel(shanghai(MONDAY, 23, 58), tick=False):
        operation = _start_purchase(world, shelf.open_r2)
    with (time_machine.travel(shanghai(MONDAY + timedelta(days=1), 0, 1), tick=False),
          pytest.raises(SuitabilityRefused)):
        confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED and "风险测评" in operation.failure_reason
    assert not Order.objects.exists() and not Hold.objects.exists()


def test_executor_rechecks_the_raise_window(world, shelf):
    assess(world.zhang_customer, "C3")
    raise_end = date(2026, 6, 12)
    with time_machine.travel(shanghai(raise_end, 14, 58), tick=False):
        operation = services.buy_start(user=world.zhang, payer=world.main(world.zhang_card),
                                       product=shelf.closed, kind=OrderKind.SUBSCRIBE,
                                       amount=Decimal("10000.00"))
    with (time_machine.travel(shanghai(raise_end, 15, 1), tick=False),
          pytest.raises(OrderRefused, match="募集期已结束")):
        operation_confirm(user=world.zhang, public_id=operation.public_id, pin=None,
                          method="usbkey", credential=CERT_PASSWORD)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED and "募集期已结束" in operation.failure_reason
    assert not Order.objects.exists() and not Hold.objects.exists()


def test_a_subscription_is_expected_on_the_start_date_not_the_day_after_the_raise(
        client, world, shelf, at_monday):
    """A 认购 is confirmed for its 成立日 (here Wednesday 06-17, two trading days after the
    募集期's last day): the buy page, the confirmation's summary and the result say so."""
    closed = shelf.closed
    closed.start_date = date(2026, 6, 17)
    closed.save(update_fields=["start_date"])
    assess(world.zhang_customer, "C2")
    _login(client, world.zhang)
    page = client.get(reverse("wealth:buy", kwargs={"pk": closed.pk})).content.decode()
    assert "2026-06-12 / 2026-06-17" in page
    _buy(client, world, closed, "11000")
    operation = PendingOperation.objects.get(kind=services.KIND_SUBSCRIBE)
    assert ["预计确认日", "2026-06-17"] in [list(line) for line in operation.payload["_summary"]]
    done = confirm(operation, user=world.zhang)
    order = Order.objects.get(operation=done)
    assert ["预计确认日", "2026-06-17"] in services.order_lines(order)


def test_a_purchase_confirmed_after_15_trades_the_next_day_as_its_summary_warned(world, shelf):
    assess(world.zhang_customer, "C3")
    with time_machine.travel(shanghai(MONDAY, 14, 58), tick=False):
        operation = _start_purchase(world, shelf.open_r2)
    summary = dict(operation.payload["_summary"])
    assert summary["交易日"].startswith("2026-06-08") and "15:00后确认顺延" in summary["交易日"]
    with time_machine.travel(shanghai(MONDAY, 15, 1), tick=False):
        confirm(operation, user=world.zhang)
    assert Order.objects.get().trade_date == MONDAY + timedelta(days=1)
