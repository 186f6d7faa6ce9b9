"""安全中心: 预留信息变更, 限额管理, and 核心预留手机号管理 through the real confirmation flow."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

import security.center.operations  # noqa: F401  (registers the executors, as apps.ready does)
from accounts.demo import DEMO_PIN
from ebank.core.models import AuditEvent
from ebank.limits.models import LimitLevel, LimitPolicy
from security.center import services
from security.center.testing import personas, token_code, token_give
from security.models import OperationStatus, PendingOperation
from security.tools.services import sms_outbox_latest_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return personas()


@pytest.fixture
def alice(people):
    return people["alice"]


@pytest.fixture
def client(alice):
    client = Client()
    client.force_login(alice)
    return client


def _operation(response) -> PendingOperation:
    assert response.status_code == 302, response.content.decode()[:2000]
    public_id = response["Location"].rstrip("/").split("/")[-1]
    assert response["Location"] == reverse("security:confirm", args=[public_id])
    return PendingOperation.objects.get(public_id=public_id)


# --- 预留信息变更 ---------------------------------------------------------------------------------


def test_reserved_message_saved_with_audit(alice, client):
    response = client.post(reverse("security:reserved_message"),
                           {"reserved_message": "春眠不觉晓处处闻啼鸟"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.reserved_message == "春眠不觉晓处处闻啼鸟"
    event = AuditEvent.objects.get(action="reserved_message_change")
    assert event.customer_id == alice.customer_id
    assert "春眠" not in str(event.detail)  # the anti-phishing text stays out of the log
    assert "春眠不觉晓处处闻啼鸟" in client.get(reverse("security:reserved_message")).content.decode()


@pytest.mark.parametrize("typed,error", [
    ("", "请输入新预留信息"),
    ("汉" * 31, "预留信息最多支持30个汉字或60个字符"),
    ("a" * 61, "预留信息最多支持30个汉字或60个字符"),
])
def test_reserved_message_refusals_keep_input(alice, client, typed, error):
    response = client.post(reverse("security:reserved_message"), {"reserved_message": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert error in body
    assert typed in body
    alice.refresh_from_db()
    assert alice.reserved_message == ""


def test_reserved_message_30_chinese_characters_ok(alice, client):
    client.post(reverse("security:reserved_message"), {"reserved_message": "汉" * 30})
    alice.refresh_from_db()
    assert alice.reserved_message == "汉" * 30


# --- 限额管理 -------------------------------------------------------------------------------------


def test_limits_page_shows_effective_bank_branch_and_notes(client):
    body = client.get(reverse("security:limits")).content.decode()
    assert "1,000,000.00" in body and "5,000,000.00" in body
    for note in ("当日累计转账限额是对您名下所有账户当日累计的对外转账交易额的限制。",
                 "受此限额控制的对外转账交易包括本行转账、跨行转账汇款。",
                 "客户在柜面签约时，可以设置对外转账限额，如不设置，限额为我行允许范围内的最大限额。",
                 "允许自助设置的最高限额（暂定）：当日单笔限额100万元，当日累计转账限额500万元。"):
        assert note in body
    # Tool-less: the tool-less cap binds and the page says a tool is needed.
    assert "5,000.00" in body
    assert "须使用安全认证工具" in body


def test_limit_change_through_the_confirmation_flow(alice, client):
    tool = token_give(user=alice)
    response = client.post(reverse("security:limits"),
                           {"single_limit": "50,000", "daily_limit": "200000.00"})
    operation = _operation(response)
    assert operation.kind == services.KIND_LIMIT_CHANGE
    assert operation.payload["single_limit"] == "50000.00"
    assert operation.payload["daily_limit"] == "200000.00"
    assert not LimitPolicy.objects.filter(level=LimitLevel.CUSTOMER).exists()

    response = client.post(reverse("security:confirm", args=[operation.public_id]),
                           {"method": "token", "credential": token_code(tool=tool)})
    assert response.status_code == 302
    operation.refresh_from_db()
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    policy = LimitPolicy.objects.get(level=LimitLevel.CUSTOMER, scope=str(alice.customer_id))
    assert (policy.single_limit, policy.daily_limit) == (Decimal("50000.00"), Decimal("200000.00"))
    assert policy.updated_by_id == alice.pk
    body = client.get(reverse("security:limits")).content.decode()
    assert "50,000.00" in body and "200,000.00" in body
    log = client.get(reverse("security:audit_log")).content.decode()
    assert "交易确认：限额管理" in log and "限额修改" in log


@pytest.mark.parametrize("single,daily,error", [
    ("1000001", "", "不得超过"),
    ("", "5000000.01", "不得超过"),
    ("300", "200", "客户单笔限额不得超过客户日累计限额"),
    ("abc", "", "请输入正确的金额"),
    ("-5", "", "金额必须大于零"),
    ("1.234", "", "金额最多两位小数"),
    ("", "", "新限额与当前客户自设限额相同"),
])
def test_limit_refusals_on_the_same_page(alice, client, single, daily, error):
    token_give(user=alice)
    response = client.post(reverse("security:limits"),
                           {"single_limit": single, "daily_limit": daily})
    body = response.content.decode()
    assert response.status_code == 200
    assert error in body
    assert f'value="{single}"' in body if single else True
    assert not PendingOperation.objects.exists()


def test_limit_above_branch_limit_names_the_branch(people):
    # 王芳 banks at 340201, whose branch limit (500,000 single) is below the bank's.
    from accounts.models import Customer
    from security.center.testing import customer_user_make, links_make

    wang = customer_user_make(customer=Customer.objects.get(cif_no="3402010001"),
                              username="wang_fang")
    links_make(customer=wang.customer)
    token_give(user=wang)
    client = Client()
    client.force_login(wang)
    response = client.post(reverse("security:limits"), {"single_limit": "600000",
                                                        "daily_limit": ""})
    body = response.content.decode()
    assert "行社单笔限额" in body and "600000" in body
    assert not PendingOperation.objects.exists()


def test_limit_change_needs_a_tool(client):
    response = client.post(reverse("security:limits"), {"single_limit": "1000",
                                                        "daily_limit": ""})
    assert response.status_code == 200
    assert "USBKey或数字令牌" in response.content.decode()
    assert not PendingOperation.objects.exists()


# --- 核心预留手机号管理 -----------------------------------------------------------------------------


def test_core_phone_change_with_pin_and_sms_to_the_current_phone(alice, client):
    link = alice.customer.linked_media.order_by("position").first()
    response = client.post(reverse("security:core_phone"),
                           {"link": link.pk, "new_phone": "13955550000"})
    operation = _operation(response)
    assert operation.kind == services.KIND_CORE_PHONE_CHANGE
    assert operation.medium_id == link.medium_id
    assert operation.payload["new_phone"] == "13955550000"

    # Tool-less: the code goes to the phone on record now (the old one).
    client.post(reverse("security:confirm_sms", args=[operation.public_id]))
    code = sms_outbox_latest_code(phone="13805510001")
    assert code
    response = client.post(reverse("security:confirm", args=[operation.public_id]),
                           {"pin": DEMO_PIN, "method": "sms", "credential": code})
    operation.refresh_from_db()
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    alice.customer.refresh_from_db()
    assert alice.customer.phone == "13955550000"
    event = AuditEvent.objects.get(action="core_phone_change")
    assert "13955550000" not in str(event.detail)


def test_core_phone_with_a_token_holder(alice, client):
    tool = token_give(user=alice)
    link = alice.customer.linked_media.order_by("position").first()
    operation = _operation(client.post(reverse("security:core_phone"),
                                       {"link": link.pk, "new_phone": "13955550001"}))
    client.post(reverse("security:confirm", args=[operation.public_id]),
                {"pin": DEMO_PIN, "method": "token", "credential": token_code(tool=tool)})
    alice.customer.refresh_from_db()
    assert alice.customer.phone == "13955550001"


@pytest.mark.parametrize("phone,error", [
    ("1380551000", "请输入正确的11位手机号码"),
    ("23805510001", "请输入正确的11位手机号码"),
    ("13805510001", "新核心预留手机号与当前预留手机号相同"),
])
def test_core_phone_refusals(alice, client, phone, error):
    link = alice.customer.linked_media.first()
    body = client.post(reverse("security:core_phone"),
                       {"link": link.pk, "new_phone": phone}).content.decode()
    assert error in body
    assert phone in body
    assert not PendingOperation.objects.exists()


def test_core_phone_with_another_customers_account(people, client):
    theirs = people["bob"].customer.linked_media.first()
    body = client.post(reverse("security:core_phone"),
                       {"link": theirs.pk, "new_phone": "13955550000"}).content.decode()
    assert "请选择您的网银关联账户" in body
    assert not PendingOperation.objects.exists()
