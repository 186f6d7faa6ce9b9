"""SMS: the outbox, and codes bound to one operation, valid five minutes, used once."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from security.models import SmsCode, SmsMessage
from security.tools import sms
from security.tools.services import (
    OutboxSmsBackend,
    SmsBackend,
    ToolError,
    sms_backend,
    sms_code_issue,
    sms_code_verify,
    sms_outbox_latest_code,
    sms_send,
)
from tests.committed import committed

PHONE = "13805510001"
DIGEST_A = "a" * 64  # the confirmed transfer: ¥1,000.00 to 6226…0021
DIGEST_B = "b" * 64  # the same with another amount
NOON = datetime.datetime(2026, 11, 24, 4, 0, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


def issue(digest=DIGEST_A, phone=PHONE, purpose="confirm") -> str:
    sms_code_issue(phone=phone, purpose=purpose, operation_digest=digest)
    code = sms_outbox_latest_code(phone=phone)
    assert code is not None
    return code


def verify(code, digest=DIGEST_A, phone=PHONE, purpose="confirm") -> bool:
    return sms_code_verify(phone=phone, purpose=purpose, operation_digest=digest, code=code)


def test_the_outbox_records_every_message():
    message = sms_send(phone=PHONE, text="【安徽农金】您的账户余额变动提醒", purpose="alert")
    row = SmsMessage.objects.get(pk=message.pk)
    assert (row.phone, row.purpose, row.backend) == (PHONE, "alert", "outbox")
    assert row.text == "【安徽农金】您的账户余额变动提醒"
    assert isinstance(sms_backend(), OutboxSmsBackend)


def test_only_known_backends(settings):
    settings.SMS_BACKEND = "os.system"
    with pytest.raises(ImproperlyConfigured, match="not one of"):
        sms_backend()


def test_a_bad_phone_number_is_refused():
    with pytest.raises(ToolError, match="手机号码"):
        sms_code_issue(phone="1380551", purpose="confirm", operation_digest=DIGEST_A)
    assert not SmsMessage.objects.exists() and not SmsCode.objects.exists()


def test_code_text_and_only_a_hash_is_stored():
    code = issue()
    message = SmsMessage.objects.get()
    assert message.text == f"【安徽农金】您正在进行网上银行交易确认，验证码{code}，5分钟内有效，切勿告知他人。"
    row = SmsCode.objects.values().get()
    assert all(code not in str(value) for value in row.values())
    assert len(row["code_hash"]) == 64
    assert row["expires_at"] - row["created_at"] <= datetime.timedelta(seconds=300)


def test_the_code_is_bound_to_its_operation_phone_and_purpose():
    code = issue()
    assert not verify(code, digest=DIGEST_B)
    assert not verify(code, phone="13805510002")
    assert not verify(code, purpose="register")
    assert verify(code)  # the mismatches above did not burn it


def test_single_use():
    code = issue()
    assert verify(code)
    assert not verify(code)


def test_expires_after_five_minutes():
    with time_machine.travel(NOON, tick=False) as clock:
        code = issue()
        clock.shift(datetime.timedelta(seconds=299))
        assert verify(code)

        code = issue(digest=DIGEST_B)
        clock.shift(datetime.timedelta(seconds=301))
        assert not verify(code, digest=DIGEST_B)


def test_five_wrong_codes_kill_it():
    code = issue()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        assert not verify(wrong)
    assert not verify("12345a")  # malformed counts as wrong too
    assert SmsCode.objects.get().failures == 5
    assert not verify(code)


def test_one_code_per_minute_and_a_new_code_supersedes_the_old():
    with time_machine.travel(NOON, tick=False) as clock:
        first = issue()
        with pytest.raises(ToolError, match="验证码发送过于频繁，请稍后再试"):
            sms_code_issue(phone=PHONE, purpose="confirm", operation_digest=DIGEST_B)
        issue(phone="13805510002")  # another phone is not throttled
        clock.shift(datetime.timedelta(seconds=61))
        second = issue()
        superseded = SmsCode.objects.filter(phone=PHONE).order_by("id").first()
        assert superseded.expires_at == NOON + datetime.timedelta(seconds=61)
        assert verify(second)
        assert not verify(first) or first == second  # one in a million: the same six digits


def test_purpose_labels():
    assert sms.sms_purpose_label("register") == "个人网上银行自助注册"
    assert sms.sms_purpose_label("修改限额") == "修改限额"
    assert sms.sms_purpose_label("something.new") == "网上银行业务"


def test_outbox_latest_code_skips_messages_without_one():
    code = issue()
    sms_send(phone=PHONE, text="【安徽农金】您已成功登录个人网上银行", purpose="alert")
    assert sms_outbox_latest_code(phone=PHONE) == code
    assert sms_outbox_latest_code(phone="13900000000") is None


class RecordingGateway(SmsBackend):
    name = "recording"
    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.sent.append((phone, text))


def test_a_real_gateway_gets_the_code_after_commit_and_the_outbox_keeps_it_masked(
        settings, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setitem(sms.SMS_BACKENDS, "tests.RecordingGateway", RecordingGateway)
    settings.SMS_BACKEND = "tests.RecordingGateway"
    RecordingGateway.sent = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sms_code_issue(phone=PHONE, purpose="confirm", operation_digest=DIGEST_A)
    assert RecordingGateway.sent == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    [(phone, text)] = RecordingGateway.sent
    code = text.split("验证码")[1][:6]
    assert phone == PHONE and code.isdigit()
    row = SmsMessage.objects.get()
    assert row.backend == "recording" and code not in row.text and "验证码******" in row.text
    assert sms_outbox_latest_code(phone=PHONE) is None
    assert verify(code)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_wrong_tries_and_use_are_committed_before_the_answer():
    code = issue()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for tries in (1, 2):
        assert not verify(wrong)
        assert committed(lambda: SmsCode.objects.get().failures) == tries
    # A caller in a transaction commits the use with its own work (operation_confirm's way).
    with transaction.atomic(durable=True):
        assert verify(code)
    assert committed(lambda: SmsCode.objects.get().used_at) is not None
    assert not verify(code)
