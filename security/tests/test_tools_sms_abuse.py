"""SMS abuse: caps per customer and day (codes, distinct numbers), a global rate, each refusal
audited; the HTTP gateway against a local fake; the production check; codes masked for staff."""

import datetime
import importlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Bank, Branch, Customer, IdType
from ebank.core.models import AuditEvent
from security.models import SmsCode, SmsMessage
from security.tools import sms
from security.tools.checks import sms_backend_check
from security.tools.services import (
    HttpSmsBackend,
    ToolError,
    sms_code_issue,
    sms_code_verify,
    sms_outbox_latest_code,
)
from tests.committed import committed

PHONE = "13805510001"
NOON = datetime.datetime(2026, 11, 24, 4, 0, 0, tzinfo=datetime.UTC)  # 12:00 in Shanghai
pytestmark = pytest.mark.django_db
# 23:59 in Shanghai, and one minute later the next business day's first minute.
LATE = datetime.datetime(2026, 11, 24, 15, 59, 0, tzinfo=datetime.UTC)


@pytest.fixture
def customer(db):
    bank = Bank.objects.create(code="TSTBANK", name="测试银行")
    branch = Branch.objects.create(bank=bank, code="349901", name="测试农村商业银行")
    return Customer.objects.create(
        cif_no="3499010001", name="张伟", branch=branch, id_type=IdType.RESIDENT_ID,
        id_number_encrypted="not-relevant-here", id_number_digest="digest-1",
        id_number_masked="340***********0001", phone=PHONE)


def send(customer, *, phone=PHONE, n=0, purpose="confirm"):
    sms_code_issue(phone=phone, purpose=purpose, operation_digest=f"{n:064d}",
                   customer=customer, ip="10.0.0.9")


# --- caps ---------------------------------------------------------------------------------------


def test_codes_per_customer_and_day_are_capped_and_the_refusal_audited(customer, settings):
    settings.SMS_CODES_PER_CUSTOMER_DAY = 3
    with time_machine.travel(NOON, tick=False) as clock:
        for n in range(3):
            send(customer, n=n)
            clock.shift(datetime.timedelta(seconds=61))  # past the one-per-minute throttle
        with pytest.raises(ToolError, match="今日短信验证码发送次数已达上限，请明日再试"):
            send(customer, n=3)
    assert SmsCode.objects.filter(customer=customer).count() == 3
    # The next day (Asia/Shanghai) counts afresh.
    with time_machine.travel(NOON + datetime.timedelta(days=1), tick=False):
        send(customer, n=4)


def test_the_day_is_the_business_day_in_shanghai(customer, settings):
    settings.SMS_CODES_PER_CUSTOMER_DAY = 1
    with time_machine.travel(LATE, tick=False) as clock:
        send(customer, n=0)
        clock.shift(datetime.timedelta(seconds=61))  # 00:00:01 on the 25th in Shanghai
        send(customer, n=1)
        clock.shift(datetime.timedelta(seconds=61))
        with pytest.raises(ToolError, match="已达上限"):
            send(customer, n=2)


def test_distinct_numbers_texted_per_customer_and_day_are_capped(customer, settings):
    settings.SMS_PHONES_PER_CUSTOMER_DAY = 2
    with time_machine.travel(NOON, tick=False) as clock:
        send(customer, phone="13900000001", n=1)
        send(customer, phone="13900000002", n=2)
        with pytest.raises(ToolError, match="今日接收验证码的手机号码数量已达上限"):
            send(customer, phone="13900000003", n=3)
        clock.shift(datetime.timedelta(seconds=61))
        send(customer, phone="13900000001", n=4)  # a number already texted today is fine
    assert not SmsCode.objects.filter(phone="13900000003").exists()
    assert not SmsMessage.objects.filter(phone="13900000003").exists()


def test_a_global_rate_of_codes_per_minute(customer, settings):
    settings.SMS_CODES_GLOBAL_PER_MINUTE = 2
    with time_machine.travel(NOON, tick=False) as clock:
        send(None, phone="13900000001")
        send(None, phone="13900000002")
        with pytest.raises(ToolError, match="短信发送繁忙，请稍后再试"):
            send(customer, phone=PHONE)
        clock.shift(datetime.timedelta(seconds=61))
        send(customer, phone=PHONE)


def test_a_code_to_a_reserved_phone_counts_for_its_customer(customer, settings):
    """Registration sends to the reserved phone without naming the customer: it still counts."""
    settings.SMS_CODES_PER_CUSTOMER_DAY = 1
    with time_machine.travel(NOON, tick=False) as clock:
        sms_code_issue(phone=PHONE, purpose="register", operation_digest="r" * 64)
        assert SmsCode.objects.get().customer == customer
        clock.shift(datetime.timedelta(seconds=61))
        with pytest.raises(ToolError, match="已达上限"):
            sms_code_issue(phone=PHONE, purpose="register", operation_digest="s" * 64)


def test_profile_phone_change_cannot_text_any_number_of_phones(settings):
    """The defect: 手机号码变更 sent a code to every new number a customer typed."""
    from security.center.services import profile_phone_new_code_send
    from security.center.testing import personas

    alice = personas()["alice"]
    with time_machine.travel(NOON, tick=False):
        for n in range(1, 4):
            profile_phone_new_code_send(user=alice, new_phone=f"1390000000{n}")
        with pytest.raises(ToolError, match="手机号码数量已达上限"):
            profile_phone_new_code_send(user=alice, new_phone="13900000004")
    assert SmsCode.objects.filter(customer=alice.customer).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reason, cap", [("customer_daily", "SMS_CODES_PER_CUSTOMER_DAY"),
                                         ("phones_daily", "SMS_PHONES_PER_CUSTOMER_DAY"),
                                         ("global_rate", "SMS_CODES_GLOBAL_PER_MINUTE")])
def test_each_refusal_is_audited_and_committed_before_it_is_raised(customer, settings, reason,
                                                                    cap):
    setattr(settings, cap, 0)
    with pytest.raises(ToolError):
        send(customer)
    assert committed(lambda: AuditEvent.objects.filter(action="sms.refused").count()) == 1
    [event] = AuditEvent.objects.filter(action="sms.refused")
    assert event.detail["reason"] == reason and event.detail["purpose"] == "confirm"
    assert event.customer_id == customer.pk and event.outcome == "failure"
    assert event.ip_address == "10.0.0.9" and PHONE not in json.dumps(event.detail)
    assert event.detail["phone"].endswith(PHONE[-4:])
    assert not SmsCode.objects.exists() and not SmsMessage.objects.exists()


# --- the HTTP gateway ---------------------------------------------------------------------------


class FakeGateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        FakeGateway.received.append({
            "path": self.path, "authorization": self.headers["Authorization"],
            "content_type": self.headers["Content-Type"],
            "body": json.loads(self.rfile.read(length).decode("utf-8"))})
        self.send_response(FakeGateway.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):  # keep the test output (and any code) out of stderr
        return


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGateway.received, FakeGateway.status = [], 200
    settings.SMS_BACKEND = "security.tools.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.SMS_GATEWAY_KEY = "gateway-test-key"  # noqa: S105
    yield FakeGateway
    server.shutdown()
    server.server_close()


def test_the_http_gateway_delivers_after_commit_and_the_outbox_keeps_the_code_masked(
        gateway, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(customer)
    [request] = gateway.received
    assert request["path"] == "/send" and request["authorization"] == "Bearer gateway-test-key"
    assert request["content_type"] == "application/json; charset=utf-8"
    assert request["body"]["phone"] == PHONE
    code = request["body"]["text"].split("验证码")[1][:6]
    assert code.isdigit() and "切勿告知他人" in request["body"]["text"]
    row = SmsMessage.objects.get()
    assert row.backend == "http" and code not in row.text and "验证码******" in row.text
    assert sms_outbox_latest_code(phone=PHONE) is None
    assert sms_code_verify(phone=PHONE, purpose="confirm", operation_digest=f"{0:064d}",
                           code=code)


def test_a_gateway_error_is_raised_by_the_backend_and_never_undoes_the_commit(
        gateway, customer, django_capture_on_commit_callbacks, caplog):
    gateway.status = 503
    with pytest.raises(sms.SmsGatewayError, match="HTTP 503"):
        HttpSmsBackend().send(phone=PHONE, text="【安徽农金】测试")
    with django_capture_on_commit_callbacks(execute=True):  # robust: logged, not raised
        send(customer)
    assert SmsCode.objects.count() == 1 and SmsMessage.objects.count() == 1
    assert len(gateway.received) == 2


def test_an_unreachable_gateway_says_so_without_the_text(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # discard port: nothing listens
    settings.SMS_GATEWAY_KEY = "k"
    with pytest.raises(sms.SmsGatewayError, match="unreachable") as refused:
        HttpSmsBackend().send(phone=PHONE, text="验证码123456")
    assert "123456" not in str(refused.value)


# --- production refuses the development outbox ----------------------------------------------------


def check_ids():
    return [message.id for message in sms_backend_check()]


def test_the_outbox_is_refused_where_it_is_not_allowed(settings):
    settings.SMS_BACKEND = "security.tools.sms.OutboxSmsBackend"
    settings.SMS_OUTBOX_ALLOWED = True
    assert check_ids() == []
    settings.SMS_OUTBOX_ALLOWED = False
    assert check_ids() == ["security.E101"]


def test_the_gateway_needs_its_url_and_key_and_https(settings):
    settings.SMS_BACKEND = "security.tools.sms.HttpSmsBackend"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY = "", ""
    assert check_ids() == ["security.E102"]
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY = "https://sms.example.com/send", "k"
    assert check_ids() == []
    settings.SMS_GATEWAY_URL = "http://sms.example.com/send"
    assert check_ids() == ["security.W104"]
    settings.SMS_BACKEND = "os.system"
    assert check_ids() == ["security.E103"]


def test_production_settings_default_to_the_gateway_and_forbid_the_outbox(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "prod-test-" + "k" * 50)
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", "bT0xK0n6oYQK4m0m2kY7uI5x6b2oRkq8oQ0cWwq0JqY=")
    monkeypatch.setenv("PIN_KEY", "prod-test-pin-key")
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.delenv("SMS_BACKEND", raising=False)
    importlib.reload(importlib.import_module("ebank.settings.base"))
    prod = importlib.reload(importlib.import_module("ebank.settings.prod"))
    assert prod.SMS_BACKEND == "security.tools.sms.HttpSmsBackend"
    assert prod.SMS_OUTBOX_ALLOWED is False
    monkeypatch.setenv("SMS_BACKEND", "security.tools.sms.OutboxSmsBackend")
    monkeypatch.setenv("SMS_OUTBOX_ALLOWED", "1")
    importlib.reload(importlib.import_module("ebank.settings.base"))
    prod = importlib.reload(importlib.import_module("ebank.settings.prod"))
    assert prod.SMS_OUTBOX_ALLOWED is False  # no environment variable turns it back on


# --- staff never read a live code -----------------------------------------------------------------


def test_the_outbox_admin_masks_a_code_until_it_is_used_or_expired(admin_client, customer):
    with time_machine.travel(NOON, tick=False) as clock:
        send(customer, n=1)
        code = sms_outbox_latest_code(phone=PHONE)
        page = admin_client.get(reverse("admin:security_smsmessage_changelist")).content.decode()
        assert code not in page and "验证码******" in page
        message = SmsMessage.objects.get()
        detail = admin_client.get(reverse("admin:security_smsmessage_change",
                                          args=[message.pk])).content.decode()
        assert code not in detail
        assert admin_client.get(reverse("admin:security_smsmessage_changelist"),
                                {"q": code}).status_code == 200
        # Used: history, shown as sent.
        assert sms_code_verify(phone=PHONE, purpose="confirm", operation_digest=f"{1:064d}",
                               code=code)
        assert code in sms.sms_text_for_staff(SmsMessage.objects.get())
        # Another one, left to expire.
        clock.shift(datetime.timedelta(seconds=61))
        send(customer, n=2)
        second = SmsMessage.objects.latest("pk")
        assert "验证码******" in sms.sms_text_for_staff(second)
        clock.shift(datetime.timedelta(seconds=301))
        assert sms.sms_text_for_staff(SmsMessage.objects.get(pk=second.pk)) == second.text


def test_a_text_without_a_code_is_shown_as_is(customer):
    message = sms.sms_send(phone=PHONE, text="【安徽农金】您的账户余额变动提醒", purpose="alert")
    assert sms.sms_text_for_staff(message) == "【安徽农金】您的账户余额变动提醒"


