"""信用卡信息维护 (CC-INFO): the card's details shown, checked (Chinese messages, what was typed
kept), changed only through X-CONFIRM with the card's 交易密码, audited; nothing changed: no
operation."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from creditcard.account.services import CHANGED_MEANWHILE, KIND_INFO_UPDATE, NOTHING_CHANGED
from creditcard.models import BillDelivery, Card
from ebank.core.audit import AuditEvent
from ebank.core.clock import SHANGHAI
from ebank.core.errors import BusinessError
from security.models import OperationStatus, PendingOperation
from tests.customer_world import DEMO_PIN, LOGIN_PASSWORD, confirm

from .account_support import linked_card_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)
GOOD = {"bill_delivery": BillDelivery.EMAIL, "bill_email": "zhangwei@example.com",
        "mailing_address": "安徽省合肥市蜀山区长江西路1号", "postcode": "230001",
        "employer": "合肥港务集团", "employer_phone": "0551-62220000"}


@pytest.fixture
def cc(world):
    with time_machine.travel(datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        return linked_card_for(world.zhang_customer)


def login(client, user):
    client.login(username=user.username, password=LOGIN_PASSWORD)
    return client


def post(client, card, **changes):
    with time_machine.travel(NOW, tick=False):
        return client.post(reverse("creditcard:info"), {**GOOD, "card": card.pk, **changes})


def started(response) -> PendingOperation:
    assert response.status_code == 302, response.content.decode()[-2000:]
    public_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return PendingOperation.objects.get(public_id=public_id)


def test_the_page_shows_the_cards_details(client, world, cc):
    Card.objects.filter(pk=cc.pk).update(mailing_address="合肥市庐阳区", postcode="230031")
    with time_machine.travel(NOW, tick=False):
        body = login(client, world.zhang).get(reverse("creditcard:info")).content.decode()
    assert cc.medium.masked_number in body
    assert 'value="合肥市庐阳区"' in body and 'value="230031"' in body
    assert "更新客户信息" in body


def test_an_update_is_confirmed_with_the_cards_pin_then_written_and_audited(client, world, cc):
    response = post(login(client, world.zhang), cc)
    operation = started(response)
    assert operation.kind == KIND_INFO_UPDATE and operation.medium_id == cc.medium_id
    with time_machine.travel(NOW, tick=False):
        page = client.get(response["Location"]).content.decode()
    for text in ("信用卡信息维护", "原账单寄送方式", "仅网银查询", "新账单寄送方式", "电子邮件",
                 "新账单邮箱", "zhangwei@example.com", "交易密码"):
        assert text in page, text
    assert Card.objects.get(pk=cc.pk).bill_email == ""  # nothing before the confirmation
    with time_machine.travel(NOW, tick=False):
        done = confirm(operation, user=world.zhang, pin=DEMO_PIN)
    assert done.status == OperationStatus.EXECUTED
    card = Card.objects.get(pk=cc.pk)
    assert (card.bill_delivery, card.bill_email, card.postcode, card.employer_phone) == (
        BillDelivery.EMAIL, "zhangwei@example.com", "230001", "0551-62220000")
    event = AuditEvent.objects.get(action="creditcard.info_update")
    assert event.customer_id == world.zhang_customer.pk
    assert set(event.detail["changed"]) == set(GOOD)
    assert event.detail["was"]["bill_delivery"] == BillDelivery.EBANK


def test_a_wrong_pin_changes_nothing(client, world, cc):
    operation = started(post(login(client, world.zhang), cc))
    with time_machine.travel(NOW, tick=False), pytest.raises(BusinessError):
        confirm(operation, user=world.zhang, pin="000000")
    assert Card.objects.get(pk=cc.pk).bill_email == ""


def test_a_customer_without_a_tool_confirms_by_sms(client, world):
    with time_machine.travel(datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        card = linked_card_for(world.li_customer)
    operation = started(post(login(client, world.li), card, bill_email="lina@example.com"))
    with time_machine.travel(NOW, tick=False):
        confirm(operation, user=world.li)
    assert Card.objects.get(pk=card.pk).bill_email == "lina@example.com"


def test_nothing_changed_is_said_and_starts_no_operation(client, world, cc):
    Card.objects.filter(pk=cc.pk).update(**GOOD)
    response = post(login(client, world.zhang), cc)
    assert response.status_code == 200
    assert NOTHING_CHANGED in response.content.decode()
    assert not PendingOperation.objects.exists()


@pytest.mark.parametrize("changes, message", [
    ({"bill_email": "zhangwei@"}, "请输入正确的电子邮箱"),
    ({"postcode": "23000"}, "邮政编码应为6位数字"),
    ({"postcode": "２３０００１"}, "邮政编码应为6位数字"),
    ({"employer_phone": "call-me"}, "单位电话格式不正确"),
    ({"bill_email": ""}, "账单寄送方式为电子邮件时，请填写账单邮箱"),
    ({"bill_delivery": BillDelivery.PAPER, "mailing_address": ""},
     "账单寄送方式为纸质账单时，请填写通讯地址"),
    ({"bill_delivery": "pigeon"}, "请选择账单寄送方式"),
])
def test_wrong_details_are_said_in_chinese_with_what_was_typed_kept(client, world, cc, changes,
                                                                     message):
    response = post(login(client, world.zhang), cc, **changes)
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    for name, value in {**GOOD, **changes}.items():
        if value and name != "bill_delivery":
            assert f'value="{value}"' in body, name
    assert not PendingOperation.objects.exists()


def test_another_customers_card_cannot_be_posted(client, world, cc):
    with time_machine.travel(datetime(2026, 1, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        theirs = linked_card_for(world.li_customer)
    assert post(login(client, world.zhang), theirs).status_code == 404
    assert not PendingOperation.objects.exists()


def test_details_changed_after_the_start_refuse_the_confirmation(client, world, cc):
    operation = started(post(login(client, world.zhang), cc))
    Card.objects.filter(pk=cc.pk).update(employer="另一单位")
    with time_machine.travel(NOW, tick=False), pytest.raises(BusinessError,
                                                             match=CHANGED_MEANWHILE):
        confirm(operation, user=world.zhang)
    operation.refresh_from_db()
    assert operation.status != OperationStatus.EXECUTED
    assert Card.objects.get(pk=cc.pk).bill_email == ""


def test_back_from_the_confirmation_brings_what_was_typed(client, world, cc):
    operation = started(post(login(client, world.zhang), cc, employer="安徽大学"))
    with time_machine.travel(NOW, tick=False):
        body = client.get(reverse("creditcard:info"),
                          {"card": cc.pk, "from": operation.public_id}).content.decode()
    assert 'value="安徽大学"' in body
