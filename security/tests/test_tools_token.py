"""Digital token: OCRA challenge-response (RFC 6287, OCRA-1:HOTP-SHA1-6:QN08)."""

import base64
import re

import pytest
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Bank, Branch, Customer, IdType
from ebank.core.models import AuditEvent
from security.models import SecurityTool, ToolKind, ToolStatus, User
from security.tools.services import (
    TOKEN_OCRA_SUITE,
    TokenLocked,
    ToolError,
    token_answer,
    token_answer_for,
    token_challenge,
    token_issue,
    token_secret_base32,
    token_verify,
    tool_cancel,
    tool_for,
    tool_mark_replaced,
    tool_unlock,
)
from tests.committed import committed

CHALLENGE = "20261124"


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


def answer(tool, challenge=CHALLENGE):
    """What the customer's token shows: computed from the base32 secret on the issue slip."""
    return token_answer(key=base64.b32decode(token_secret_base32(tool=tool)), challenge=challenge)


def test_the_answer_is_rfc_6287_ocra():
    # RFC 6287 appendix C.1, suite OCRA-1:HOTP-SHA1-6:QN08, the 20-byte test key.
    key = b"12345678901234567890"
    assert TOKEN_OCRA_SUITE == "OCRA-1:HOTP-SHA1-6:QN08"
    assert [token_answer(key=key, challenge=str(i) * 8) for i in range(10)] == [
        "237653", "243178", "653583", "740991", "608993", "388898", "816933", "224598",
        "750600", "294470"]
    with pytest.raises(ToolError, match="挑战码应为8位数字"):
        token_answer(key=key, challenge="1234567")


def test_the_challenge_is_eight_digits_and_follows_every_byte_of_the_binding():
    first = token_challenge(binding=b"digest:nonce-1")
    assert re.fullmatch(r"[0-9]{8}", first)
    assert token_challenge(binding=b"digest:nonce-1") == first  # the page can be reloaded
    assert token_challenge(binding=b"digest:nonce-2") != first


@pytest.mark.django_db
def test_issue_creates_a_token_whose_secret_the_slip_shows(token, customer_user):
    assert re.fullmatch(r"TK\d{10}", token.serial)
    assert token.kind == ToolKind.TOKEN and token.status == ToolStatus.ACTIVE
    device = TOTPDevice.objects.get(pk=token.totp_device_id)
    assert base64.b32decode(token_secret_base32(tool=token)) == bytes.fromhex(device.key)
    assert len(bytes.fromhex(device.key)) == 20
    assert token_answer_for(tool=token, challenge=CHALLENGE) == answer(token)
    assert tool_for(user=customer_user, kind=ToolKind.TOKEN) == token
    with pytest.raises(ToolError, match="已有有效的数字令牌"):
        token_issue(user=customer_user, branch=token.branch)


@pytest.mark.django_db
def test_an_answer_fits_its_own_challenge_only(token):
    assert token_verify(tool=token, challenge=CHALLENGE, code=answer(token))
    assert token_verify(tool=token, challenge=CHALLENGE, code=f" {answer(token)} ")
    other = "20261125"
    assert answer(token, other) != answer(token)
    assert not token_verify(tool=token, challenge=other, code=answer(token))


@pytest.mark.django_db
def test_wrong_answers_count_and_the_sixth_locks_the_token(token):
    wrong = f"{(int(answer(token)) + 1) % 10**6:06d}"
    for malformed in ["", "12345", "1234567", "12a456", "１２３４５６", None]:
        assert not token_verify(tool=token, challenge=CHALLENGE, code=malformed)
    token.refresh_from_db()
    assert token.password_failures == 0  # a malformed code costs no try
    for _ in range(5):
        assert not token_verify(tool=token, challenge=CHALLENGE, code=wrong)
    # A right answer resets the count.
    assert token_verify(tool=token, challenge=CHALLENGE, code=answer(token))
    token.refresh_from_db()
    assert token.password_failures == 0
    for _ in range(5):
        assert not token_verify(tool=token, challenge=CHALLENGE, code=wrong)
    with pytest.raises(TokenLocked, match="数字令牌已锁定"):
        token_verify(tool=token, challenge=CHALLENGE, code=wrong)
    token.refresh_from_db()
    assert token.status == ToolStatus.LOCKED
    with pytest.raises(TokenLocked):  # even the right answer, until a teller unlocks it
        token_verify(tool=token, challenge=CHALLENGE, code=answer(token))
    assert AuditEvent.objects.filter(action="token.locked").count() == 1
    assert AuditEvent.objects.filter(action="token.answer_wrong").count() == 10
    tool_unlock(tool=token)
    assert token_verify(tool=token, challenge=CHALLENGE, code=answer(token))


@pytest.mark.django_db
@pytest.mark.parametrize("retire", [tool_cancel, tool_mark_replaced])
def test_a_retired_token_accepts_nothing(token, retire):
    code = answer(token)
    retire(tool=token)
    assert not token_verify(tool=token, challenge=CHALLENGE, code=code)
    assert not TOTPDevice.objects.get(pk=token.totp_device_id).confirmed
    assert tool_for(user=token.user, kind=ToolKind.TOKEN) is None


@pytest.mark.django_db
def test_a_usbkey_is_not_a_token(token):
    code = answer(token)
    SecurityTool.objects.filter(pk=token.pk).update(kind=ToolKind.USBKEY)
    assert not token_verify(tool=token, challenge=CHALLENGE, code=code)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_wrong_answer_is_committed_before_the_answer(token):
    wrong = f"{(int(answer(token)) + 1) % 10**6:06d}"
    assert not token_verify(tool=token, challenge=CHALLENGE, code=wrong)
    assert committed(lambda: SecurityTool.objects.get(pk=token.pk).password_failures) == 1
    # A caller in a transaction commits the count with its own work (operation_confirm's way).
    with transaction.atomic(durable=True):
        assert not token_verify(tool=token, challenge=CHALLENGE, code=wrong)
    assert committed(lambda: SecurityTool.objects.get(pk=token.pk).password_failures) == 2
