"""Digital token: a django-otp TOTP device; each code is accepted once."""

import base64
import datetime
import re

import pytest
import time_machine
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Bank, Branch, Customer, IdType
from security.models import SecurityTool, ToolKind, ToolStatus, User
from security.tools.services import (
    ToolError,
    token_issue,
    token_secret_base32,
    token_verify,
    tool_cancel,
    tool_for,
    tool_mark_replaced,
)

NOON = datetime.datetime(2026, 11, 24, 4, 0, 0, tzinfo=datetime.UTC)  # 12:00 in Shanghai


@pytest.fixture
def branch():
    bank = Bank.objects.create(code="TSTBANK", name="测试银行")
    return Branch.objects.create(bank=bank, code="349901", name="测试农村商业银行")


@pytest.fixture
def customer_user(branch):
    customer = Customer.objects.create(
        cif_no="3499010001", name="张伟", branch=branch, id_type=IdType.RESIDENT_ID,
        id_number_encrypted="not-relevant-here", id_number_digest="digest-1",
        id_number_masked="340***********0001", phone="13805510001")
    return User.objects.create_user(username="customer1", password="login-pass-1",
                                    customer=customer)


@pytest.fixture
def token(customer_user, branch):
    return token_issue(user=customer_user, branch=branch)


def code_now(tool, offset_steps=0):
    """What the customer's token shows: computed from the base32 secret on the issue slip."""
    key = base64.b32decode(token_secret_base32(tool=tool))
    return f"{totp(key, step=30, t0=0, digits=6, drift=offset_steps):06d}"


@pytest.mark.django_db
def test_issue_creates_a_confirmed_six_digit_thirty_second_device(token, customer_user):
    assert re.fullmatch(r"TK\d{10}", token.serial)
    assert token.kind == ToolKind.TOKEN and token.status == ToolStatus.ACTIVE
    device = TOTPDevice.objects.get(pk=token.totp_device_id)
    assert device.user == customer_user and device.confirmed
    assert (device.digits, device.step) == (6, 30)
    assert base64.b32decode(token_secret_base32(tool=token)) == bytes.fromhex(device.key)
    assert tool_for(user=customer_user, kind=ToolKind.TOKEN) == token
    with pytest.raises(ToolError, match="已有有效的数字令牌"):
        token_issue(user=customer_user, branch=token.branch)


@pytest.mark.django_db
def test_each_code_works_once(token):
    with time_machine.travel(NOON, tick=False) as clock:
        code = code_now(token)
        assert token_verify(tool=token, code=code)
        assert not token_verify(tool=token, code=code)  # replay

        clock.shift(datetime.timedelta(seconds=30))
        next_code = code_now(token)
        assert next_code != code
        assert token_verify(tool=token, code=f" {next_code} ")
        assert not token_verify(tool=token, code=next_code)


@pytest.mark.django_db
def test_wrong_malformed_and_stale_codes_fail(token):
    with time_machine.travel(NOON, tick=False) as clock:
        code = code_now(token)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        assert not token_verify(tool=token, code=wrong)
        for malformed in ["", "12345", "1234567", "12a456", "１２３４５６", None]:
            assert not token_verify(tool=token, code=malformed)
        clock.shift(datetime.timedelta(minutes=5))
        assert not token_verify(tool=token, code=code)  # five minutes old


@pytest.mark.django_db
@pytest.mark.parametrize("retire", [tool_cancel, tool_mark_replaced])
def test_a_retired_token_accepts_nothing(token, retire):
    with time_machine.travel(NOON, tick=False):
        code = code_now(token)
        retire(tool=token)
        assert not token_verify(tool=token, code=code)
        assert not TOTPDevice.objects.get(pk=token.totp_device_id).confirmed
        assert tool_for(user=token.user, kind=ToolKind.TOKEN) is None


@pytest.mark.django_db
def test_a_usbkey_is_not_a_token(token):
    SecurityTool.objects.filter(pk=token.pk).update(kind=ToolKind.USBKEY)
    with time_machine.travel(NOON, tick=False):
        assert not token_verify(tool=token, code=code_now(token))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_used_code_stays_used_after_the_callers_rollback(token):
    with time_machine.travel(NOON, tick=False):
        code = code_now(token)
        with pytest.raises(RuntimeError), transaction.atomic():
            assert token_verify(tool=token, code=code)
            raise RuntimeError("the operation failed after the code was accepted")
        assert not token_verify(tool=token, code=code)
