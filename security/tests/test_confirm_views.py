"""The confirmation pages: what they show, what they never echo, exactly once, scoping."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse

from ebank.core.models import AuditEvent
from security.confirm.registry import TOOL_UNUSABLE_MESSAGE
from security.models import OperationStatus, PendingOperation, ToolStatus
from security.tools import services as tool_services

from . import test_confirm_support as support
from .test_confirm_support import DEMO_PIN, NOON, entry_count, token_code

pytestmark = pytest.mark.django_db

bank, token = support.bank, support.token


def confirm_url(operation):
    return reverse("security:confirm", args=[operation.public_id])


def result_url(operation):
    return reverse("security:confirm_result", args=[operation.public_id])


def sms_url(operation):
    return reverse("security:confirm_sms", args=[operation.public_id])


@pytest.fixture
def zhang_client(client, bank):
    client.force_login(bank.zhang)
    return client


def test_the_page_shows_the_payload_in_yuan_and_capitals_and_changes_nothing(zhang_client, bank,
                                                                             token):
    operation = bank.start_move(amount="1234.56")
    events = AuditEvent.objects.count()
    response = zhang_client.get(confirm_url(operation))
    assert response.status_code == 200
    body = response.content.decode()
    assert "测试转账确认" in body
    assert "¥1,234.56" in body and "人民币壹仟贰佰叁拾肆元伍角陆分" in body
    assert "李娜" in body and bank.li_card.masked_number in body
    pin = re.search(r'<input[^>]*name="pin"[^>]*>', body).group(0)
    assert 'type="password"' in pin and 'autocomplete="off"' in pin and 'maxlength="6"' in pin
    # Only the methods this customer has: the token, no USBKey, no SMS for a tool holder.
    assert 'value="token"' in body and 'value="usbkey"' not in body and 'value="sms"' not in body
    # 返回 names the operation, so the form comes back with what was typed.
    assert "令牌动态码" in body and "确认" in body
    assert f'href="/transfers/intra?from={operation.public_id}"' in body
    assert "<script>" not in body and "onclick" not in body and "js/confirm.js" in body
    operation.refresh_from_db()
    assert operation.status == OperationStatus.PENDING and AuditEvent.objects.count() == events


def test_a_tool_less_customer_is_offered_sms_with_the_send_button(zhang_client, bank):
    operation = bank.start_move()
    body = zhang_client.get(confirm_url(operation)).content.decode()
    assert 'value="sms"' in body and "短信验证码" in body and sms_url(operation) in body


def test_sending_the_sms_code_says_where_it_went(zhang_client, bank):
    operation = bank.start_move()
    response = zhang_client.post(sms_url(operation), follow=True)
    assert response.redirect_chain[0][0] == confirm_url(operation) + "?method=sms"
    assert "验证码已发送至尾号0001的手机" in response.content.decode()
    assert tool_services.sms_outbox_latest_code(phone=bank.zhang_customer.phone)
    assert zhang_client.get(sms_url(operation)).status_code == 405  # no state change on GET


def test_the_page_sends_the_code_with_fetch_and_gets_json_with_the_wait(zhang_client, bank):
    """What confirm.js does: the page stays (with the 交易密码 typed), the button counts down."""
    with time_machine.travel(NOON, tick=False) as clock:
        operation = bank.start_move(amount="88.00")
        body = zhang_client.get(confirm_url(operation)).content.decode()
        button = re.search(r'<button[^>]*id="sms-send-button"[^>]*>', body).group(0)
        assert 'form="sms-send-form"' in button and 'data-wait="0"' in button
        assert "disabled" not in button
        answer = zhang_client.post(sms_url(operation), HTTP_ACCEPT="application/json")
        assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
        assert answer.json() == {"ok": True, "message": "验证码已发送至尾号0001的手机",
                                 "wait": 60}
        clock.shift(timedelta(seconds=20))
        again = zhang_client.post(sms_url(operation), HTTP_ACCEPT="application/json")
        assert again.status_code == 400
        assert again.json() == {"ok": False, "message": "验证码发送过于频繁，请稍后再试",
                                "wait": 40}
        # A reload keeps counting: the button comes disabled with the seconds left.
        body = zhang_client.get(confirm_url(operation) + "?method=sms").content.decode()
        button = re.search(r'<button[^>]*id="sms-send-button"[^>]*>[^<]*', body).group(0)
        assert 'data-wait="40"' in button and "disabled" in button and "重新获取（40秒）" in button


def test_a_token_holder_sees_the_challenge_of_this_operation(zhang_client, bank, token):
    from security.confirm.services import operation_token_challenge

    first, second = bank.start_move(amount="1.00"), bank.start_move(amount="3.00")
    for operation in (first, second):
        body = zhang_client.get(confirm_url(operation)).content.decode()
        shown = re.search(r'id="token-challenge">([0-9]{8})<', body).group(1)
        assert shown == operation_token_challenge(operation)
    assert operation_token_challenge(first) != operation_token_challenge(second)
    # The code for ¥1.00 typed on the ¥3.00 page is refused there, and nothing moves.
    entries = entry_count()
    response = zhang_client.post(confirm_url(second), {"pin": DEMO_PIN, "method": "token",
                                                       "credential": token_code(token, first)})
    assert response.status_code == 200 and "令牌动态码错误" in response.content.decode()
    assert entry_count() == entries


def test_confirming_with_sms_shows_the_result_page(zhang_client, bank):
    operation = bank.start_move(amount="88.00")
    zhang_client.post(sms_url(operation))
    code = tool_services.sms_outbox_latest_code(phone=bank.zhang_customer.phone)
    response = zhang_client.post(confirm_url(operation),
                                 {"pin": DEMO_PIN, "method": "sms", "credential": code})
    assert response.status_code == 302 and response["Location"] == result_url(operation)
    body = zhang_client.get(result_url(operation)).content.decode()
    assert "测试转账成功" in body and "转账成功" in body and "¥88.00" in body
    assert "查看电子回单" in body and "/receipts/" in body and "短信验证码" in body


def test_a_refusal_is_shown_on_the_same_page_and_no_secret_is_echoed(zhang_client, bank, token):
    operation = bank.start_move()
    response = zhang_client.post(confirm_url(operation),
                                 {"pin": "999999", "method": "token", "credential": "765432"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "交易密码错误，您还可以输入2次" in body
    assert "999999" not in body and "765432" not in body
    assert re.search(r'value="token"[^>]*checked', body)  # the chosen method is kept


def test_form_errors_cost_no_pin_try(zhang_client, bank, token):
    operation = bank.start_move()
    response = zhang_client.post(confirm_url(operation),
                                 {"pin": "12ab", "method": "token", "credential": ""})
    body = response.content.decode()
    assert "交易密码应为6位数字" in body and "请输入令牌动态码" in body
    bank.zhang_card.refresh_from_db()
    assert bank.zhang_card.pin_failures == 0


def test_a_method_not_offered_is_refused_under_its_radio_and_audited(zhang_client, bank, token):
    # The form takes any method's shape; operation_confirm decides what this customer may use.
    operation = bank.start_move()
    response = zhang_client.post(confirm_url(operation),
                                 {"pin": DEMO_PIN, "method": "usbkey", "credential": "Cert2026"})
    assert response.status_code == 200
    body = response.content.decode()
    method_field = body[body.index("安全认证方式"):body.index('id="credential-label"')]
    assert "请选择可用的安全认证方式" in method_field
    assert 'value="token"' in body and 'value="usbkey"' not in body
    operation.refresh_from_db()
    bank.zhang_card.refresh_from_db()
    assert operation.status == OperationStatus.PENDING and bank.zhang_card.pin_failures == 0
    refused = AuditEvent.objects.get(action="confirm.refused")
    assert refused.detail["error"] == "auth_method_invalid" and "Cert2026" not in str(refused.detail)


def test_a_tool_locked_after_the_form_is_said_once_and_nothing_runs(zhang_client, bank, token):
    operation = bank.start_move(amount="100.00")
    entries = entry_count()
    token.status = ToolStatus.LOCKED
    token.save(update_fields=["status"])
    response = zhang_client.post(confirm_url(operation),
                                 {"pin": DEMO_PIN, "method": "token", "credential": "123456"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count(TOOL_UNUSABLE_MESSAGE) == 1 and 'value="token"' not in body
    operation.refresh_from_db()
    assert operation.status == OperationStatus.PENDING and entry_count() == entries
    assert AuditEvent.objects.filter(action="confirm.refused").count() == 1


def test_double_clicking_confirm_executes_once(zhang_client, bank, token):
    operation = bank.start_move(amount="100.00")
    entries = entry_count()
    data = {"pin": DEMO_PIN, "method": "token", "credential": token_code(token)}
    first = zhang_client.post(confirm_url(operation), data)
    second = zhang_client.post(confirm_url(operation), data)
    assert first["Location"] == second["Location"] == result_url(operation)
    assert entry_count() == entries + 1
    assert AuditEvent.objects.filter(action="confirm.executed").count() == 1


def test_an_executor_refusal_lands_on_the_result_page_with_the_reason(zhang_client, bank, token):
    operation = bank.start_move(amount="99999999.00")
    response = zhang_client.post(confirm_url(operation), {"pin": DEMO_PIN, "method": "token",
                                                          "credential": token_code(token)},
                                 follow=True)
    body = response.content.decode()
    assert "测试转账失败" in body and "余额不足" in body
    assert PendingOperation.objects.get(pk=operation.pk).status == OperationStatus.FAILED


def test_an_expired_operation_shows_as_expired_on_get_and_is_marked_on_post(zhang_client, bank,
                                                                            token):
    with time_machine.travel(NOON, tick=False):
        operation = bank.start_move()
    with time_machine.travel(NOON + timedelta(minutes=6), tick=False):
        zhang_client.force_login(bank.zhang)  # a fresh session at the travelled time
        response = zhang_client.get(confirm_url(operation), follow=True)
        assert "交易已超时，请重新发起" in response.content.decode()
        assert PendingOperation.objects.get(pk=operation.pk).status == OperationStatus.PENDING
        response = zhang_client.post(confirm_url(operation), {"method": "token"}, follow=True)
        assert "交易已超时，请重新发起" in response.content.decode()
    assert PendingOperation.objects.get(pk=operation.pk).status == OperationStatus.EXPIRED


def test_a_pending_operations_result_page_sends_back_to_confirm(zhang_client, bank):
    operation = bank.start_move()
    assert zhang_client.get(result_url(operation))["Location"] == confirm_url(operation)


def test_another_customers_operation_is_404_everywhere_and_writes_nothing(client, bank, token):
    operation = bank.start_move()
    client.force_login(bank.li)
    events = AuditEvent.objects.count()
    assert client.get(confirm_url(operation)).status_code == 404
    assert client.post(confirm_url(operation), {"pin": DEMO_PIN, "method": "token",
                                                "credential": token_code(token)}).status_code == 404
    assert client.post(sms_url(operation)).status_code == 404
    assert client.get(result_url(operation)).status_code == 404
    assert PendingOperation.objects.get(pk=operation.pk).status == OperationStatus.PENDING
    assert AuditEvent.objects.count() == events


def test_anonymous_visitors_are_sent_to_login(client, bank):
    operation = bank.start_move()
    try:
        login = reverse("security:login")
    except NoReverseMatch:
        pytest.skip("the login page is not wired yet (security/identity/urls.py)")
    response = client.get(confirm_url(operation))
    assert response.status_code == 302 and response["Location"].startswith(login)


def test_a_confirmed_step_up_rotates_the_session_key_and_keeps_the_customer_in(zhang_client,
                                                                               bank):
    operation = bank.start_move(amount="12.00")
    zhang_client.post(sms_url(operation))
    code = tool_services.sms_outbox_latest_code(phone=bank.zhang_customer.phone)
    before = zhang_client.session.session_key
    response = zhang_client.post(confirm_url(operation),
                                 {"pin": DEMO_PIN, "method": "sms", "credential": code})
    assert response.status_code == 302
    after = zhang_client.session.session_key
    assert after and after != before
    bank.zhang.refresh_from_db()
    assert bank.zhang.live_session_key == after
    assert zhang_client.get(result_url(operation)).status_code == 200
