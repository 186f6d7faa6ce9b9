"""客户服务: 签约信息查询, 登录设置管理, 个人资料变更, 留言管理, 手机银行管理, 短信服务管理."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse

import security.center.operations  # noqa: F401  (registers the executors, as apps.ready does)
from ebank.clearing.calendar import calendar_invalidate
from ebank.clearing.models import Holiday, HolidayKind
from ebank.core.models import AuditEvent, AuditOutcome
from security.center import services
from security.center.testing import PASSWORD, personas, token_code, token_give
from security.models import (
    CustomerMessage,
    MobileAgreementStatus,
    MobileBankingAgreement,
    OperationStatus,
    PendingOperation,
    SmsSubscription,
    User,
)
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


def _confirm_with_token(client, response, tool) -> PendingOperation:
    assert response.status_code == 302, response.content.decode()[:3000]
    public_id = response["Location"].rstrip("/").split("/")[-1]
    client.post(reverse("security:confirm", args=[public_id]),
                {"method": "token", "credential": token_code(tool=tool)})
    return PendingOperation.objects.get(public_id=public_id)


# --- 签约信息查询 ----------------------------------------------------------------------------------


def test_signing_info_shows_masked_basics_and_channels(alice, client):
    tool = token_give(user=alice)
    sub = alice.customer.media.first().sub_accounts.first()
    SmsSubscription.objects.create(user=alice, sub_account=sub, threshold="500.00",
                                   phone="13812345678")
    body = client.get(reverse("security:signing_info")).content.decode()
    assert "张伟" in body
    assert alice.customer.id_number_masked in body
    assert "138****0001" in body
    assert "合肥科技农村商业银行" in body
    assert tool.serial in body and "数字令牌" in body
    assert "138****5678" in body and "500.00" in body
    assert "未签约" in body  # 手机银行


# --- 登录设置管理 ----------------------------------------------------------------------------------


def test_login_settings_saved_for_next_login(alice, client):
    response = client.post(reverse("security:login_settings"), {
        "new_login_name": "zhang_wei88", "login_by_id_number": "on", "login_by_phone": "on",
        "password": PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.username == "alice_zw"  # unchanged until the next login
    assert alice.pending_username == "zhang_wei88"
    assert alice.login_by_id_number and alice.login_by_phone
    assert AuditEvent.objects.filter(action="login_settings_change",
                                     outcome=AuditOutcome.SUCCESS).count() == 1


@pytest.mark.parametrize("name,error", [
    ("abc", "登录名应为4至20位字母、数字或下划线"),
    ("a" * 21, "登录名应为4至20位字母、数字或下划线"),
    ("zhang-wei", "登录名应为4至20位字母、数字或下划线"),
    ("12345678", "登录名不能全部为数字"),
    ("34010419850312351X", "登录名不能使用证件号码"),
    ("BOB_LN", "该登录名已被使用，请更换"),
    ("alice_zw", "新登录名与当前登录名相同"),
])
def test_login_name_refusals(alice, client, name, error):
    response = client.post(reverse("security:login_settings"),
                           {"new_login_name": name, "password": PASSWORD})
    body = response.content.decode()
    assert error in body
    assert name[:20] in body
    alice.refresh_from_db()
    assert alice.pending_username == ""


def test_login_name_taken_by_a_pending_name(people, client):
    bob = people["bob"]
    bob.pending_username = "Future_Name"
    bob.save(update_fields=["pending_username"])
    body = client.post(reverse("security:login_settings"),
                       {"new_login_name": "future_name", "password": PASSWORD}).content.decode()
    assert "该登录名已被使用" in body


def test_login_settings_wrong_password_is_audited_and_changes_nothing(alice, client):
    response = client.post(reverse("security:login_settings"), {
        "new_login_name": "zhang_wei88", "login_by_phone": "on", "password": "wrong-pass-1"})
    body = response.content.decode()
    assert "网银登录密码错误" in body
    assert "zhang_wei88" in body
    assert "wrong-pass-1" not in body
    alice.refresh_from_db()
    assert alice.pending_username == "" and not alice.login_by_phone
    assert AuditEvent.objects.filter(action="login_settings_change",
                                     outcome=AuditOutcome.FAILURE).count() == 1


# --- 个人资料变更 ----------------------------------------------------------------------------------


def test_phone_change_codes_to_new_then_old_phone(alice, client):
    url = reverse("security:profile_phone")
    client.post(url, {"new_phone": "13966660000", "action": "send_code"})
    new_code = sms_outbox_latest_code(phone="13966660000")
    assert new_code
    response = client.post(url, {"new_phone": "13966660000", "code": new_code, "action": "next"})
    assert response.status_code == 302
    old_code = sms_outbox_latest_code(phone="13805510001")
    assert old_code
    body = client.get(reverse("security:profile")).content.decode()
    assert "第二步" in body and "13966660000" in body

    response = client.post(reverse("security:profile_phone_confirm"),
                           {"old_code": old_code, "password": PASSWORD, "action": "submit"})
    assert response.status_code == 302
    alice.customer.refresh_from_db()
    assert alice.customer.phone == "13966660000"
    event = AuditEvent.objects.get(action="profile_phone_change", outcome=AuditOutcome.SUCCESS)
    assert event.detail["new_phone"] == "139****0000"
    assert "第一步" in client.get(reverse("security:profile")).content.decode()


def test_phone_change_wrong_codes_and_password(alice, client):
    url = reverse("security:profile_phone")
    client.post(url, {"new_phone": "13966660000", "action": "send_code"})
    body = client.post(url, {"new_phone": "13966660000", "code": "000000",
                             "action": "next"}).content.decode()
    assert "新手机号码验证码错误或已失效" in body and "13966660000" in body
    body = client.post(url, {"new_phone": "13966660000", "action": "next"}).content.decode()
    assert "请输入新手机号码收到的验证码" in body
    body = client.post(url, {"new_phone": "1396666", "action": "send_code"}).content.decode()
    assert "请输入正确的11位手机号码" in body and "1396666" in body
    body = client.post(url, {"new_phone": "13805510001", "action": "send_code"}).content.decode()
    assert "新手机号码与原手机号码相同" in body

    new_code = sms_outbox_latest_code(phone="13966660000")
    client.post(url, {"new_phone": "13966660000", "code": new_code, "action": "next"})
    old_code = sms_outbox_latest_code(phone="13805510001")
    body = client.post(reverse("security:profile_phone_confirm"),
                       {"old_code": old_code, "password": "not-it-9", "action": "submit"}
                       ).content.decode()
    assert "网银登录密码错误" in body
    body = client.post(reverse("security:profile_phone_confirm"),
                       {"old_code": "123456", "password": PASSWORD, "action": "submit"}
                       ).content.decode()
    assert "原手机号码验证码错误或已失效" in body
    alice.customer.refresh_from_db()
    assert alice.customer.phone == "13805510001"


def test_phone_confirm_without_step_one_is_sent_back(alice, client):
    response = client.post(reverse("security:profile_phone_confirm"),
                           {"old_code": "123456", "password": PASSWORD, "action": "submit"})
    assert response.status_code == 302
    alice.customer.refresh_from_db()
    assert alice.customer.phone == "13805510001"


def test_profile_other_saved(alice, client):
    response = client.post(reverse("security:profile_other"), {
        "address": "合肥市政务区潜山路1号", "postcode": "230071", "email": "zw@example.com",
        "password": PASSWORD})
    assert response.status_code == 302
    alice.customer.refresh_from_db()
    assert (alice.customer.address, alice.customer.postcode, alice.customer.email) == (
        "合肥市政务区潜山路1号", "230071", "zw@example.com")


@pytest.mark.parametrize("data,error", [
    ({"postcode": "2300"}, "邮政编码为6位数字"),
    ({"postcode": "23007a"}, "邮政编码为6位数字"),
    ({"email": "not-an-email"}, "请输入正确的电子邮箱"),
    ({"password": "wrong-9x"}, "网银登录密码错误"),
    ({"password": ""}, "请输入网银登录密码"),
])
def test_profile_other_refusals(alice, client, data, error):
    form = {"address": "合肥市政务区潜山路1号", "postcode": "230071",
            "email": "zw@example.com", "password": PASSWORD, **data}
    body = client.post(reverse("security:profile_other"), form).content.decode()
    assert error in body
    assert "合肥市政务区潜山路1号" in body
    alice.customer.refresh_from_db()
    assert alice.customer.postcode == ""


# --- 留言管理 -------------------------------------------------------------------------------------


@time_machine.travel("2026-11-20 10:00 +0800", tick=False)  # a Friday
def test_message_created_with_due_date_two_working_days_later(alice, client):
    response = client.post(reverse("security:message_create"),
                           {"subject": "转账到账时间", "content": "请问跨行转账多久到账？"})
    message = CustomerMessage.objects.get(user=alice)
    assert response["Location"] == reverse("security:message_done", args=[message.pk])
    body = client.get(response["Location"]).content.decode()
    assert "留言成功" in body
    assert message.due_date == date(2026, 11, 24)  # Mon, Tue
    assert "2026年11月24日" in body
    detail = client.get(reverse("security:message_detail", args=[message.pk])).content.decode()
    assert "请问跨行转账多久到账" in detail and "两个工作日内" in detail


def test_message_detail_shows_the_reply(alice, client):
    from django.utils import timezone

    message = CustomerMessage.objects.create(user=alice, subject="主题", content="内容",
                                             due_date=date(2026, 11, 25), reply="已为您处理。",
                                             replied_at=timezone.now())
    assert "已为您处理。" in client.get(
        reverse("security:message_detail", args=[message.pk])).content.decode()


def test_due_date_skips_holidays_from_the_database():
    Holiday.objects.create(date=date(2026, 10, 1), kind=HolidayKind.HOLIDAY, name="国庆节")
    Holiday.objects.create(date=date(2026, 10, 2), kind=HolidayKind.HOLIDAY, name="国庆节")
    calendar_invalidate()
    try:
        # Wed 30 Sep → Thu 1 and Fri 2 are off, the weekend too → Mon 5, Tue 6.
        assert services.message_due_date(created_on=date(2026, 9, 30)) == date(2026, 10, 6)
    finally:
        Holiday.objects.all().delete()
        calendar_invalidate()


@pytest.mark.parametrize("subject,content,error", [
    ("", "内容", "请填写留言主题"),
    ("主题", "", "请填写留言内容"),
    ("汉" * 21, "内容", "留言主题最多支持20个汉字或40个字符"),
    ("a" * 41, "内容", "留言主题最多支持20个汉字或40个字符"),
    ("主题", "汉" * 171, "留言内容最多支持170个汉字或340个字符"),
    ("主题", "b" * 341, "留言内容最多支持170个汉字或340个字符"),
])
def test_message_refusals_keep_input(client, subject, content, error):
    body = client.post(reverse("security:message_create"),
                       {"subject": subject, "content": content}).content.decode()
    assert error in body
    assert subject in body and content in body
    assert not CustomerMessage.objects.exists()


def test_message_list_query_by_date_range(alice, client):
    from django.utils import timezone

    old = CustomerMessage.objects.create(user=alice, subject="十月的留言", content="x",
                                         due_date=date(2026, 10, 14))
    CustomerMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.make_aware(timezone.datetime(2026, 10, 12, 9, 0)))
    CustomerMessage.objects.create(user=alice, subject="最近的留言", content="y",
                                   due_date=date(2026, 11, 25))
    body = client.get(reverse("security:messages"),
                      {"date_from": "2026-10-01", "date_to": "2026-10-31"}).content.decode()
    assert "十月的留言" in body and "最近的留言" not in body
    body = client.get(reverse("security:messages"),
                      {"date_from": "2026-10-31", "date_to": "2026-10-01"}).content.decode()
    assert "起始日期不能晚于终止日期" in body
    assert "两个工作日内受理并予以回复" in body


# --- 手机银行管理 ----------------------------------------------------------------------------------


def _later(seconds: int):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(seconds=seconds)


def _sign(client, alice, links, *, password="mob1le88"):  # noqa: S107
    client.post(reverse("security:mobile_sign"), {"action": "send_code"})
    code = sms_outbox_latest_code(phone=alice.customer.phone)
    return client.post(reverse("security:mobile_sign"), {
        "action": "sign", "code": code, "links": [link.pk for link in links], "agreement": "on",
        "mobile_password": password, "mobile_password_confirm": password})


def test_mobile_sign_suspend_resume_reset_cancel(alice, client):
    tool = token_give(user=alice)
    links = list(alice.customer.linked_media.order_by("position")[:2])
    operation = _confirm_with_token(client, _sign(client, alice, links), tool)
    assert operation.kind == services.KIND_MOBILE_SIGN
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    assert "mob1le88" not in str(operation.payload)
    agreement = MobileBankingAgreement.objects.get(user=alice)
    assert agreement.status == MobileAgreementStatus.ACTIVE
    assert check_password("mob1le88", agreement.password_hash)
    assert set(agreement.media.values_list("pk", flat=True)) == {link.medium_id for link in links}

    assert client.post(reverse("security:mobile_toggle"), {"action": "suspend"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == MobileAgreementStatus.SUSPENDED
    body = client.post(reverse("security:mobile_toggle"), {"action": "suspend"}).content.decode()
    assert "手机银行已暂停" in body
    client.post(reverse("security:mobile_toggle"), {"action": "resume"})
    agreement.refresh_from_db()
    assert agreement.status == MobileAgreementStatus.ACTIVE

    # A new token code needs the next time step (each code is accepted once).
    with time_machine.travel(_later(60), tick=False):
        response = client.post(reverse("security:mobile_password_reset"),
                               {"mobile_password": "newpass99", "mobile_password_confirm": "newpass99"})
        operation = _confirm_with_token(client, response, tool)
    assert operation.kind == services.KIND_MOBILE_PASSWORD_RESET
    agreement.refresh_from_db()
    assert check_password("newpass99", agreement.password_hash)

    with time_machine.travel(_later(120), tick=False):
        operation = _confirm_with_token(client, client.post(reverse("security:mobile_cancel")),
                                        tool)
    assert operation.kind == services.KIND_MOBILE_CANCEL
    agreement.refresh_from_db()
    assert agreement.status == MobileAgreementStatus.CANCELLED
    actions = set(AuditEvent.objects.filter(customer_id=alice.customer_id)
                  .values_list("action", flat=True))
    assert {"mobile_sign", "mobile_suspend", "mobile_resume", "mobile_password_reset",
            "mobile_cancel"} <= actions


def test_mobile_sign_refusals_keep_input(alice, client):
    token_give(user=alice)
    link = alice.customer.linked_media.first()
    url = reverse("security:mobile_sign")
    base = {"action": "sign", "code": "123456", "links": [link.pk], "agreement": "on",
            "mobile_password": "mob1le88", "mobile_password_confirm": "mob1le88"}
    cases = [
        ({"agreement": ""}, "请阅读并勾选《手机银行服务协议》"),
        ({"links": []}, "请选择手机银行关联账户"),
        ({"mobile_password": "short1", "mobile_password_confirm": "short2"}, "两次输入的密码不一致"),
        ({"mobile_password": "onlyletters", "mobile_password_confirm": "onlyletters"},
         "手机银行登录密码须为6-20位"),
        ({"code": "12ab56"}, "验证码为6位数字"),
        ({}, "手机验证码错误或已失效"),
    ]
    for change, error in cases:
        body = client.post(url, {**base, **change}).content.decode()
        assert error in body, error
    assert not PendingOperation.objects.exists()
    assert not MobileBankingAgreement.objects.exists()


def test_mobile_needs_a_tool(alice, client):
    body = client.get(reverse("security:mobile")).content.decode()
    assert "须使用安全认证工具" in body
    link = alice.customer.linked_media.first()
    body = _sign(client, alice, [link]).content.decode()
    assert "USBKey或数字令牌" in body
    assert not PendingOperation.objects.exists()


def test_mobile_sign_with_another_customers_account(people, alice, client):
    token_give(user=alice)
    theirs = people["bob"].customer.linked_media.first()
    body = _sign(client, alice, [theirs]).content.decode()
    assert "请选择您的网银关联账户" in body
    assert not PendingOperation.objects.exists()


def test_mobile_actions_without_agreement(alice, client):
    token_give(user=alice)
    assert "您尚未签约手机银行" in client.post(reverse("security:mobile_cancel")).content.decode()
    assert "您尚未签约手机银行" in client.post(reverse("security:mobile_toggle"),
                                          {"action": "suspend"}).content.decode()


# --- 短信服务管理 ----------------------------------------------------------------------------------


def test_sms_subscribe_and_close(alice, client):
    link = alice.customer.linked_media.order_by("position").last()
    sub = link.medium.sub_accounts.get(seq=1)
    response = client.post(reverse("security:sms_service"), {
        "link": link.pk, "sub_account": sub.pk, "threshold": "1,000.00", "phone": "13812345678"})
    assert response.status_code == 302
    subscription = SmsSubscription.objects.get(user=alice)
    assert str(subscription.threshold) == "1000.00" and subscription.phone == "13812345678"
    body = client.get(reverse("security:sms_service"), {"tab": "cancel"}).content.decode()
    assert "关闭服务" in body and "1,000.00" in body

    body = client.post(reverse("security:sms_service"), {
        "link": link.pk, "sub_account": sub.pk, "threshold": "5", "phone": "13812345678"}
    ).content.decode()
    assert "该子账户已签约短信服务" in body

    response = client.post(reverse("security:sms_unsubscribe", args=[subscription.pk]))
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert not subscription.active and subscription.cancelled_at
    assert client.post(reverse("security:sms_unsubscribe",
                               args=[subscription.pk])).status_code == 404


@pytest.mark.parametrize("change,error", [
    ({"threshold": "abc"}, "请输入正确的金额"),
    ({"threshold": "0"}, "金额必须大于零"),
    ({"threshold": ""}, "请输入起点金额"),
    ({"phone": "12345"}, "请输入正确的11位手机号码"),
    ({"sub_account": "wrong"}, "请选择该账户的子账户"),
    ({"link": ""}, "请选择签约账户"),
    ({"other_medium": True}, "所选子账户不属于签约账户"),
])
def test_sms_subscribe_refusals(alice, client, change, error):
    links = list(alice.customer.linked_media.order_by("position"))
    link = links[-1]
    data = {"link": link.pk, "sub_account": link.medium.sub_accounts.first().pk,
            "threshold": "88.50", "phone": "13812345678"}
    if change.pop("other_medium", False):
        data["sub_account"] = links[0].medium.sub_accounts.first().pk
    data.update(change)
    body = client.post(reverse("security:sms_service"), data).content.decode()
    assert error in body
    if data["threshold"]:
        assert data["threshold"] in body
    assert not SmsSubscription.objects.exists()


def test_users_other_than_alice_untouched(people):
    assert User.objects.get(pk=people["bob"].pk).pending_username == ""


def test_the_limit_subject_is_one_statement_and_says_what_the_orm_says(people):
    """The posting of every transfer asks the limit engine's subject: the branch code and
    whether a tool can sign now, in one statement, the same facts the ORM reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from security.center.selectors import has_active_tool
    from security.models import ToolStatus, User
    from security.tools.subject import limit_subject_for

    alice = people["alice"]

    def fresh_user():  # as a request has it: the customer loaded, not its branch
        return User.objects.select_related("customer").get(pk=alice.pk)

    def subject_and_count():
        user = fresh_user()
        with CaptureQueriesContext(connection) as queries:
            subject = limit_subject_for(user=user)
        return subject, len(queries)

    def orm_facts():
        user = fresh_user()
        return user.customer.branch.code, has_active_tool(user=user)

    subject, count = subject_and_count()
    assert count == 1 and subject.has_security_tool is False
    assert (subject.branch_code, subject.has_security_tool) == orm_facts()
    assert subject.customer_id == alice.customer_id
    tool = token_give(user=alice)
    subject, count = subject_and_count()
    assert count == 1 and subject.has_security_tool is True
    assert (subject.branch_code, subject.has_security_tool) == orm_facts()
    tool.status = ToolStatus.LOCKED
    tool.save(update_fields=["status"])
    subject, _count = subject_and_count()
    assert subject.has_security_tool is False == orm_facts()[1]
    # With the tools already read (the form POST), they decide and nothing more is asked of them.
    user = fresh_user()
    user.customer.branch  # noqa: B018 — loaded, as where the page read it already
    with CaptureQueriesContext(connection) as queries:
        subject = limit_subject_for(user=user, tools={})
    assert len(queries) == 0 and subject.has_security_tool is False
