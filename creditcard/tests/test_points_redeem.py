"""积分礼品兑换 (CC-POINTS; manual: 选定礼品, 填写收件人信息, 确定, 选择安全认证方式, 数字证书密码):
the executor spends the lots oldest-expiring first, takes the stock, writes the 兑换 and its
audit row; refusals for points, stock and a customer without a tool; the staff's 发货/撤销."""

from datetime import date

import pytest
from django.urls import reverse

from creditcard.models import Gift, PointsLot, PointsMove, PointsMoveKind, Redemption
from creditcard.models import RedemptionStatus as Status
from creditcard.points import book, services
from creditcard.points.operations import redeem_outcome
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from security.confirm.registry import TOOL_REQUIRED_MESSAGE, operation_kind_get
from security.confirm.services import operation_confirm
from security.models import OperationStatus
from tests.customer_world import CERT_PASSWORD, LOGIN_PASSWORD

from .points_support import RECIPIENT, at_now, earn, gift, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(client, world):
    client.login(username=world.zhang.username, password=LOGIN_PASSWORD)
    return client


def test_the_kind_asks_a_tool_and_no_pin():
    spec = operation_kind_get(services.KIND_REDEEM)
    assert (spec.requires_pin, spec.requires_tool, spec.allow_sms) == (False, True, False)


def test_a_redemption_spends_fifo_takes_the_stock_and_is_audited(world):
    customer = world.zhang_customer
    late = earn(customer, 3000, date(2026, 3, 1))
    early = earn(customer, 1500, date(2026, 1, 1))
    the_gift = gift(points=1000, stock=5)
    with at_now():
        operation = redeem(world.zhang, the_gift, quantity=2)
    assert operation.status == OperationStatus.EXECUTED
    redemption = Redemption.objects.get()
    assert (redemption.quantity, redemption.points, redemption.status) == (2, 2000,
                                                                           Status.ACCEPTED)
    assert redemption.number.startswith("JD20260615") and len(redemption.number) == 20
    assert (redemption.recipient, redemption.postcode) == ("张伟", "230000")
    assert redemption.redeemed_on == date(2026, 6, 15)
    assert redemption.lots == {str(early.pk): 1500, str(late.pk): 500}
    assert Gift.objects.get(pk=the_gift.pk).stock == 3
    move = PointsMove.objects.get(kind=PointsMoveKind.REDEEM)
    assert move.points == -2000 and redemption.number in move.description
    assert book.points_balance(customer) == 2500 and book.points_verify(customer)
    assert AuditEvent.objects.filter(action=services.REDEEM_ACTION,
                                     object_ref=redemption.number).exists()
    outcome = redeem_outcome(operation=operation)
    assert outcome.headline.startswith("兑换成功") and ("兑换编号", redemption.number) in outcome.lines


def test_not_enough_points_is_refused_before_the_confirmation(world):
    earn(world.zhang_customer, 999)
    with at_now(), pytest.raises(BusinessError, match="积分不足：兑换需1000分，当前可用积分999分"):
        services.redemption_start(user=world.zhang, gift=gift(points=1000), quantity=1,
                                  **RECIPIENT)


def test_points_spent_meanwhile_are_refused_at_confirmation_and_nothing_written(world):
    customer = world.zhang_customer
    earn(customer, 1500)
    first, second = gift("GA", points=1000), gift("GB", points=1000)
    with at_now():
        pending = services.redemption_start(user=world.zhang, gift=second, quantity=1,
                                            **RECIPIENT)
        redeem(world.zhang, first)
        with pytest.raises(BusinessError, match="积分不足"):
            operation_confirm(user=world.zhang, public_id=pending.public_id, pin=None,
                              method="usbkey", credential=CERT_PASSWORD)
    assert Redemption.objects.count() == 1 and Gift.objects.get(pk=second.pk).stock == 10
    assert book.points_balance(customer) == 500 and book.points_verify(customer)


def test_not_enough_stock_is_refused_at_start_and_at_confirmation(world):
    customer = world.zhang_customer
    earn(customer, 10000)
    the_gift = gift(points=1000, stock=2)
    with at_now():
        with pytest.raises(BusinessError, match="礼品库存不足（剩余2件）"):
            services.redemption_start(user=world.zhang, gift=the_gift, quantity=3, **RECIPIENT)
        pending = services.redemption_start(user=world.zhang, gift=the_gift, quantity=2,
                                            **RECIPIENT)
        Gift.objects.filter(pk=the_gift.pk).update(stock=1)  # another customer took one
        with pytest.raises(BusinessError, match="礼品库存不足（剩余1件）"):
            operation_confirm(user=world.zhang, public_id=pending.public_id, pin=None,
                              method="usbkey", credential=CERT_PASSWORD)
    assert not Redemption.objects.exists() and Gift.objects.get(pk=the_gift.pk).stock == 1
    assert book.points_balance(customer) == 10000 and book.points_verify(customer)


def test_a_customer_without_a_tool_is_refused_with_the_flows_message(world):
    earn(world.li_customer, 5000)
    with at_now(), pytest.raises(BusinessError) as refused:
        services.redemption_start(user=world.li, gift=gift(), quantity=1, **RECIPIENT)
    assert refused.value.message == TOOL_REQUIRED_MESSAGE


def test_the_gift_page_starts_the_confirmation_and_keeps_bad_input(world, zhang):
    earn(world.zhang_customer, 5000)
    the_gift = gift(points=1000)
    gift("GOFF", active=False)
    gift("GNONE", stock=0)
    with at_now():
        page = zhang.get(reverse("creditcard:gifts"))
        assert page.status_code == 200
        text = page.content.decode()
        assert "礼品GT01" in text and "礼品GOFF" not in text and "礼品GNONE" not in text
        bad = zhang.post(reverse("creditcard:gifts"),
                         {"gift": the_gift.pk, "quantity": "1", "recipient": "张伟",
                          "phone": "12345", "address": "合肥市蜀山区长江西路100号",
                          "postcode": "23000"})
        assert bad.status_code == 200
        body = bad.content.decode()
        assert "联系电话应为11位手机号码" in body and "邮政编码应为6位数字" in body
        assert "合肥市蜀山区长江西路100号" in body  # what was typed is kept
        short = zhang.post(reverse("creditcard:gifts"),
                           {"gift": the_gift.pk, "quantity": "6", **RECIPIENT})
        assert "积分不足：兑换需6000分，当前可用积分5000分" in short.content.decode()
        done = zhang.post(reverse("creditcard:gifts"),
                          {"gift": the_gift.pk, "quantity": "2", **RECIPIENT})
    assert done.status_code == 302 and "/confirm/" in done["Location"]
    assert not Redemption.objects.exists()  # nothing until the confirmation


def test_staff_ship_then_cannot_cancel(world):
    earn(world.zhang_customer, 2000)
    with at_now():
        redeem(world.zhang, gift())
        redemption = Redemption.objects.get()
        services.redemption_ship(staff=None, redemption=redemption)
        with pytest.raises(BusinessError, match="已发货，不能撤销"):
            services.redemption_cancel(staff=None, redemption=redemption, reason="客户要求")
    assert Redemption.objects.get().status == Status.SHIPPED
    assert AuditEvent.objects.filter(action=services.SHIP_ACTION).count() == 1


def test_a_cancel_gives_the_points_back_to_their_lots_and_the_stock_back(world):
    customer = world.zhang_customer
    lot = earn(customer, 2500)
    the_gift = gift(points=1000, stock=5)
    with at_now():
        redeem(world.zhang, the_gift, quantity=2)
        redemption, given, lapsed = services.redemption_cancel(
            staff=None, redemption=Redemption.objects.get(), reason="礼品缺货")
    assert (redemption.status, given, lapsed) == (Status.CANCELLED, 2000, 0)
    assert PointsLot.objects.get(pk=lot.pk).remaining == 2500
    assert Gift.objects.get(pk=the_gift.pk).stock == 5
    assert book.points_balance(customer) == 2500 and book.points_verify(customer)
    event = AuditEvent.objects.get(action=services.CANCEL_ACTION)
    assert event.detail["reason"] == "礼品缺货" and event.detail["points_back"] == 2000


def test_back_from_the_confirmation_brings_back_what_was_typed(world, zhang):
    earn(world.zhang_customer, 5000)
    the_gift = gift(points=1000)
    with at_now():
        operation = services.redemption_start(user=world.zhang, gift=the_gift, quantity=3,
                                              **{**RECIPIENT, "address": "芜湖市镜湖区北京路8号"})
        page = zhang.get(reverse("creditcard:gifts"), {"from": operation.public_id})
    form = page.context["form"]
    assert form.initial["quantity"] == 3 and form.initial["gift"] == the_gift.pk
    assert "芜湖市镜湖区北京路8号" in page.content.decode()
