"""operation_start / operation_confirm: binding, exactly once, expiry, lockouts, refusals.

PostgreSQL with transaction=True where a count must survive the request's rollback: the test
then reads what another connection would see.
"""

import base64
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from cryptography import x509
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.pin import PIN_LOCKED_MESSAGE
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.confirm.services import (
    operation_confirm,
    operation_message,
    operation_methods,
    operation_sms_action,
    operation_sms_digest,
    operation_sms_send,
    operation_sms_wait_seconds,
    operation_start,
    operation_token_challenge,
    payload_digest,
)
from security.models import OperationStatus, PendingOperation, SmsCode, SmsMessage, ToolStatus
from security.tools import services as tool_services

from . import test_confirm_support as support
from .test_confirm_support import (
    CERT_PASSWORD,
    DEMO_PIN,
    NOON,
    balance,
    entry_count,
    executed_tool_only,
    token_code,
)

# The shared fixtures, bound here so pytest finds them.
bank, bank_ca, token, usbkey = support.bank, support.bank_ca, support.token, support.usbkey

D = Decimal
WRONG_PIN = "999999"


def sms_code_for(bank, operation):
    operation_sms_send(user=bank.zhang, operation=operation)
    return tool_services.sms_outbox_latest_code(phone=bank.zhang_customer.phone)


def confirm(bank, operation, *, method, credential, pin=DEMO_PIN, user=None):
    return operation_confirm(user=user or bank.zhang, public_id=operation.public_id, pin=pin,
                             method=method, credential=credential, ip="10.0.0.8")


# --- start -------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestStart:
    def test_the_row_holds_payload_summary_digest_nonce_and_expiry(self, bank):
        with time_machine.travel(NOON, tick=False):
            operation = bank.start_move(amount="1234.56")
        assert operation.status == OperationStatus.PENDING
        assert operation.payload["amount"] == "1234.56"
        assert operation.payload["_summary"][2] == ["收款人", "李娜"]
        assert operation.payload_digest == payload_digest(kind="test_move",
                                                          payload=operation.payload)
        assert len(operation.nonce) == 32 and int(operation.nonce, 16) >= 0  # 128 bits
        assert len(operation.public_id) >= 22
        assert operation.expires_at - NOON == timedelta(seconds=300)
        assert operation.idempotency_key == f"confirm:{operation.public_id}"
        stored = PendingOperation.objects.get(pk=operation.pk)
        assert payload_digest(kind=stored.kind, payload=stored.payload) == stored.payload_digest

    def test_the_summary_is_inside_the_digest(self, bank):
        first, second = bank.start_move(), bank.start_move()
        assert first.payload_digest == second.payload_digest  # same payload, same digest
        assert first.nonce != second.nonce and first.public_id != second.public_id
        relabelled = {**first.payload, "_summary": [["收款人", "王芳"]]}
        assert payload_digest(kind="test_move", payload=relabelled) != first.payload_digest

    def test_floats_and_reserved_keys_are_programming_errors(self, bank):
        with pytest.raises(ValueError):
            operation_start(user=bank.zhang, kind="test_move", payload={"amount": 100.0},
                            summary=[], medium=bank.zhang_card)
        with pytest.raises(TypeError):
            operation_start(user=bank.zhang, kind="test_move", payload={"rate": 0.1},
                            summary=[], medium=bank.zhang_card)
        with pytest.raises(ValueError):
            operation_start(user=bank.zhang, kind="test_move", payload={"_summary": []},
                            summary=[], medium=bank.zhang_card)

    def test_a_pin_kind_needs_the_customers_own_medium(self, bank):
        with pytest.raises(ValueError):
            operation_start(user=bank.zhang, kind="test_move", payload={}, summary=[])
        with pytest.raises(ValueError):
            operation_start(user=bank.zhang, kind="test_move", payload={}, summary=[],
                            medium=bank.li_card)

    def test_a_medium_locked_today_is_refused_before_anything_is_typed(self, bank):
        bank.zhang_card.pin_locked_on = NOON.date()
        bank.zhang_card.save(update_fields=["pin_locked_on"])
        with time_machine.travel(NOON, tick=False), pytest.raises(BusinessError,
                                                                  match="今日网上交易已锁定"):
            bank.start_move()


# --- the three tools ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_confirms_and_moves_the_money_once(bank, token):
    payer, payee = bank.ledger_of(bank.zhang_card), bank.ledger_of(bank.li_card)
    before = (balance(payer), balance(payee), entry_count())
    operation = bank.start_move(amount="100.00")
    assert operation_methods(user=bank.zhang, operation=operation) == ["token"]

    done = confirm(bank, operation, method="token", credential=token_code(token))

    assert done.status == OperationStatus.EXECUTED and done.auth_method == "token"
    assert done.result["message"] == "转账成功" and done.executed_at is not None
    assert balance(payer) == before[0] - D("100.00") and balance(payee) == before[1] + D("100.00")
    assert entry_count() == before[2] + 1
    event = AuditEvent.objects.get(action="confirm.executed")
    assert event.object_ref == operation.idempotency_key and event.ip_address == "10.0.0.8"
    assert event.detail["amount"] == "100.00" and event.detail["method"] == "token"
    assert DEMO_PIN not in str(event.detail)


@pytest.mark.django_db
def test_sms_confirms_for_a_customer_without_tools(bank):
    operation = bank.start_move(amount="50.00")
    assert operation_methods(user=bank.zhang, operation=operation) == ["sms"]
    code = sms_code_for(bank, operation)

    done = confirm(bank, operation, method="sms", credential=code)

    assert done.status == OperationStatus.EXECUTED and done.auth_method == "sms"
    # The code was sent for this operation's digest+nonce and nothing else.
    assert tool_services.sms_code_verify(
        phone=bank.zhang_customer.phone, purpose="test_move",
        operation_digest=operation_sms_digest(operation), code=code) is False  # used once


@pytest.mark.django_db
def test_usbkey_signs_this_rows_digest_and_nonce(bank, usbkey):
    operation = bank.start_move(amount="300.00")
    assert operation_methods(user=bank.zhang, operation=operation) == ["usbkey"]

    done = confirm(bank, operation, method="usbkey", credential=CERT_PASSWORD)

    assert done.status == OperationStatus.EXECUTED and done.auth_method == "usbkey"
    signature = base64.b64decode(AuditEvent.objects.get(action="confirm.executed")
                                 .detail["signature"])
    message = operation_message(operation)
    assert message == f"{operation.payload_digest}:{operation.nonce}".encode()
    assert tool_services.usbkey_verify(tool=usbkey, message=message, signature=signature)


@pytest.mark.django_db
@pytest.mark.parametrize(("moment", "message"), [
    (lambda cert, tool: cert.not_valid_before_utc - timedelta(hours=1), "USBKey证书尚未生效"),
    (lambda cert, tool: tool.not_after + timedelta(days=1), "USBKey证书已过期"),
])
def test_a_certificate_outside_its_validity_is_named_not_a_failed_signature(bank, usbkey,
                                                                           moment, message):
    certificate = x509.load_pem_x509_certificate(usbkey.certificate_pem.encode())
    with time_machine.travel(moment(certificate, usbkey), tick=False):
        operation = bank.start_move(amount="300.00")
        with pytest.raises(BusinessError, match=message) as refused:
            confirm(bank, operation, method="usbkey", credential=CERT_PASSWORD)
    assert "签名验证失败" not in str(refused.value)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.PENDING


@pytest.mark.django_db
def test_the_sms_names_the_operation_the_amount_and_the_payees_last_four_digits(bank):
    operation = bank.start_move(amount="88.00")
    code = sms_code_for(bank, operation)
    text = SmsMessage.objects.filter(phone=bank.zhang_customer.phone).latest("pk").text
    tail = bank.li_card.number[-4:]
    assert text == (f"【安徽农金】您正在向尾号{tail}的账户转账¥88.00，验证码{code}，"
                    "5分钟内有效，切勿告知他人。")
    assert operation_sms_action(operation) == f"向尾号{tail}的账户转账¥88.00"


@pytest.mark.django_db
def test_a_second_code_within_sixty_seconds_is_refused_and_the_wait_is_told(bank):
    with time_machine.travel(NOON, tick=False) as clock:
        operation = bank.start_move(amount="88.00")
        sms_code_for(bank, operation)
        assert operation_sms_wait_seconds(user=bank.zhang, operation=operation) == 60
        clock.shift(timedelta(seconds=45))
        assert operation_sms_wait_seconds(user=bank.zhang, operation=operation) == 15
        with pytest.raises(BusinessError, match="验证码发送过于频繁"):
            operation_sms_send(user=bank.zhang, operation=operation)
        clock.shift(timedelta(seconds=15))
        assert operation_sms_wait_seconds(user=bank.zhang, operation=operation) == 0
        operation_sms_send(user=bank.zhang, operation=operation)
    assert SmsCode.objects.filter(phone=bank.zhang_customer.phone).count() == 2


@pytest.mark.django_db
def test_a_customer_with_both_tools_may_choose_either_but_not_sms(bank, token, usbkey):
    operation = bank.start_move()
    assert operation_methods(user=bank.zhang, operation=operation) == ["usbkey", "token"]
    with pytest.raises(BusinessError, match="安全认证方式"):
        confirm(bank, operation, method="sms", credential="123456")


# --- binding: what you see is what you sign ----------------------------------------------------


@pytest.mark.django_db
def test_an_sms_code_for_amount_a_fails_for_a_plus_one_fen(bank):
    entries = entry_count()
    op_a = bank.start_move(amount="1000.00")
    op_b = bank.start_move(amount="1000.01")
    assert op_a.payload_digest != op_b.payload_digest
    code_for_a = sms_code_for(bank, op_a)

    with pytest.raises(BusinessError, match="短信验证码错误"):
        confirm(bank, op_b, method="sms", credential=code_for_a)
    op_b.refresh_from_db()
    assert op_b.status == OperationStatus.PENDING and entry_count() == entries

    assert confirm(bank, op_a, method="sms", credential=code_for_a).status == "executed"
    assert entry_count() == entries + 1


@pytest.mark.django_db
def test_an_sms_code_for_payee_p_fails_for_payee_p_prime(bank):
    op_p = bank.start_move(amount="200.00", payee=bank.li_card)
    op_p_prime = bank.start_move(amount="200.00", payee=bank.wang_card)
    code_for_p = sms_code_for(bank, op_p)
    with pytest.raises(BusinessError, match="短信验证码错误"):
        confirm(bank, op_p_prime, method="sms", credential=code_for_p)
    assert PendingOperation.objects.get(pk=op_p_prime.pk).status == OperationStatus.PENDING


@pytest.mark.django_db
def test_a_usbkey_signature_for_a_does_not_verify_for_a_plus_one_fen_or_another_payee(bank, usbkey):
    op_a = bank.start_move(amount="1000.00")
    signature = tool_services.usbkey_sign(tool=usbkey, cert_password=CERT_PASSWORD,
                                          message=operation_message(op_a))
    assert tool_services.usbkey_verify(tool=usbkey, message=operation_message(op_a),
                                       signature=signature)
    for other in (bank.start_move(amount="1000.01"), bank.start_move(payee=bank.wang_card,
                                                                     amount="1000.00")):
        assert not tool_services.usbkey_verify(tool=usbkey, message=operation_message(other),
                                               signature=signature)


@pytest.mark.django_db
def test_a_tampered_payload_is_never_executed(bank, token):
    entries = entry_count()
    operation = bank.start_move(amount="10.00")
    PendingOperation.objects.filter(pk=operation.pk).update(
        payload={**operation.payload, "amount": "10000.00"})
    with pytest.raises(BusinessError, match="交易要素校验失败"):
        confirm(bank, operation, method="token", credential=token_code(token))
    assert entry_count() == entries


@pytest.mark.django_db
def test_a_token_code_for_one_operation_confirms_no_other(bank, token):
    """Dynamic linking: the code read while viewing ¥1.00 does not confirm ¥3.00 (the defect:
    a TOTP code confirmed whichever operation it was typed into)."""
    payer = bank.ledger_of(bank.zhang_card)
    before, entries = balance(payer), entry_count()
    one = bank.start_move(amount="1.00")
    three = bank.start_move(amount="3.00")
    twin = bank.start_move(amount="1.00")  # the same payload, another nonce
    challenges = {operation_token_challenge(op) for op in (one, three, twin)}
    assert len(challenges) == 3 and all(re.fullmatch(r"[0-9]{8}", c) for c in challenges)
    code_for_one = token_code(token, one)
    for other in (three, twin):
        with pytest.raises(BusinessError, match="令牌动态码错误"):
            confirm(bank, other, method="token", credential=code_for_one)
        other.refresh_from_db()
        assert other.status == OperationStatus.PENDING
    assert balance(payer) == before and entry_count() == entries
    done = confirm(bank, one, method="token", credential=code_for_one)
    assert done.status == OperationStatus.EXECUTED and balance(payer) == before - D("1.00")
    event = AuditEvent.objects.get(action="confirm.executed")
    assert event.detail["challenge"] == operation_token_challenge(one)


# --- exactly once, expiry ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_replayed_confirmation_executes_nothing_and_returns_the_same_result(bank, token):
    with time_machine.travel(NOON, tick=False):
        operation = bank.start_move(amount="100.00")
        first = confirm(bank, operation, method="token", credential=token_code(token))
    entries = entry_count()
    events = AuditEvent.objects.count()
    # The same form posted again (same, now used, code) and once more with nonsense.
    with time_machine.travel(NOON + timedelta(seconds=10), tick=False):
        again = confirm(bank, operation, method="token", credential=token_code(token))
        nonsense = confirm(bank, operation, method="sms", credential="000000", pin=WRONG_PIN)
    assert again.status == nonsense.status == OperationStatus.EXECUTED
    assert again.executed_at == first.executed_at and again.result == first.result
    assert entry_count() == entries and AuditEvent.objects.count() == events
    bank.zhang_card.refresh_from_db()
    assert bank.zhang_card.pin_failures == 0  # the wrong PIN was not even looked at


@pytest.mark.django_db
def test_an_expired_confirmation_executes_nothing(bank, token):
    entries = entry_count()
    with time_machine.travel(NOON, tick=False):
        operation = bank.start_move(amount="100.00")
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        with pytest.raises(BusinessError, match="交易已超时，请重新发起"):
            confirm(bank, operation, method="token", credential=token_code(token))
        operation.refresh_from_db()
        assert operation.status == OperationStatus.EXPIRED
        with pytest.raises(BusinessError, match="交易已超时"):
            confirm(bank, operation, method="token", credential=token_code(token))
    assert entry_count() == entries
    assert AuditEvent.objects.filter(action="confirm.refused").count() == 2


@pytest.mark.django_db
def test_an_executor_refusal_fails_the_operation_with_its_reason(bank, token):
    entries = entry_count()
    operation = bank.start_move(amount="99999999.00")  # far beyond the balance
    with pytest.raises(BusinessError) as refused:
        confirm(bank, operation, method="token", credential=token_code(token))
    operation.refresh_from_db()
    assert operation.status == OperationStatus.FAILED
    assert operation.failure_reason == refused.value.message
    assert entry_count() == entries
    assert AuditEvent.objects.filter(action="confirm.failed").exists()
    with pytest.raises(BusinessError, match="已失败"):
        confirm(bank, operation, method="token", credential=token_code(token))


@pytest.mark.django_db
def test_another_customers_public_id_is_404_and_writes_nothing(bank, token):
    operation = bank.start_move()
    events = AuditEvent.objects.count()
    with pytest.raises(Http404):
        confirm(bank, operation, user=bank.li, method="token", credential=token_code(token))
    with pytest.raises(Http404):
        operation_sms_send(user=bank.li, operation=operation)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.PENDING and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_confirmation_locks_its_row_for_update(bank, token):
    operation = bank.start_move()
    code = token_code(token, operation)
    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(Http404):  # an unknown id: nothing found, nothing locked
            confirm(bank, PendingOperation(public_id="no-such-operation"), method="token",
                    credential=code)
        confirm(bank, operation, method="token", credential=code)
    operation.refresh_from_db()
    assert operation.status == OperationStatus.EXECUTED
    if connection.vendor == "postgresql":
        locks = [q["sql"] for q in queries
                 if q["sql"].startswith('SELECT "security_pendingoperation"."id"')]
        assert len(locks) == 2  # the unknown id and the operation
        assert all(sql.endswith('FOR UPDATE OF "security_pendingoperation"') for sql in locks)


# --- lockouts (counts must survive the request's rollback: real commits) ------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_wrong_pins_lock_the_medium_until_the_next_day(bank, token):
    card = bank.zhang_card
    with time_machine.travel(NOON, tick=False):
        operation = bank.start_move()
        for remaining in (2, 1):
            with pytest.raises(BusinessError, match=f"交易密码错误，您还可以输入{remaining}次"):
                confirm(bank, operation, method="token", credential="000000", pin=WRONG_PIN)
        with pytest.raises(BusinessError, match=PIN_LOCKED_MESSAGE):
            confirm(bank, operation, method="token", credential="000000", pin=WRONG_PIN)
        card.refresh_from_db()
        assert card.pin_failures == 3 and card.pin_locked_on == NOON.date()
        # The 4th, right PIN the same day is refused without being looked at.
        with pytest.raises(BusinessError, match=PIN_LOCKED_MESSAGE):
            confirm(bank, operation, method="token", credential=token_code(token))
        assert PendingOperation.objects.get(pk=operation.pk).status == OperationStatus.PENDING
        assert AuditEvent.objects.filter(action="confirm.refused").count() == 4

    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        tomorrow = bank.start_move()
        done = confirm(bank, tomorrow, method="token", credential=token_code(token))
    assert done.status == OperationStatus.EXECUTED
    card.refresh_from_db()
    assert card.pin_failures == 0 and card.pin_locked_on is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_wrong_certificate_passwords_lock_the_usbkey(bank, usbkey):
    operation = bank.start_move()
    for _ in range(5):
        with pytest.raises(BusinessError, match="证书密码错误"):
            confirm(bank, operation, method="usbkey", credential="Wrong-pass-1")
    with pytest.raises(tool_services.ToolLocked):
        confirm(bank, operation, method="usbkey", credential="Wrong-pass-1")
    usbkey.refresh_from_db()
    assert usbkey.status == ToolStatus.LOCKED and usbkey.password_failures == 6
    # A locked certificate is no method, and SMS does not stand in for it.
    assert operation_methods(user=bank.zhang, operation=operation) == []
    with pytest.raises(BusinessError, match="已锁定或不可用"):
        confirm(bank, operation, method="usbkey", credential=CERT_PASSWORD)
    assert PendingOperation.objects.get(pk=operation.pk).status == OperationStatus.PENDING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_wrong_sms_code_stays_counted(bank):
    operation = bank.start_move()
    sms_code_for(bank, operation)
    with pytest.raises(BusinessError, match="短信验证码错误"):
        confirm(bank, operation, method="sms", credential="000001")
    assert SmsCode.objects.get(operation_digest=operation_sms_digest(operation)).failures == 1


# --- tool-less customers (X-TOOLS partial service) --------------------------------------------


@pytest.mark.django_db
def test_a_tool_kind_refuses_a_customer_without_a_tool(bank):
    with pytest.raises(BusinessError, match=TOOL_REQUIRED_MESSAGE):
        operation_start(user=bank.zhang, kind="test_tool_only", payload={"product": "P1"},
                        summary=[("产品", "P1")])


@pytest.mark.django_db
def test_a_tool_kind_refuses_at_confirm_when_the_tool_went_away(bank, token):
    operation = operation_start(user=bank.zhang, kind="test_tool_only",
                                payload={"product": "P1", "amount": "5000.00"},
                                summary=[("产品", "P1")])
    assert operation_methods(user=bank.zhang, operation=operation) == ["token"]
    tool_services.tool_cancel(tool=token)
    with pytest.raises(BusinessError, match=TOOL_REQUIRED_MESSAGE):
        confirm(bank, operation, method="sms", credential="123456", pin=None)
    assert operation.public_id not in executed_tool_only


@pytest.mark.django_db
def test_a_tool_kind_executes_with_a_token_and_no_pin(bank, token):
    operation = operation_start(user=bank.zhang, kind="test_tool_only",
                                payload={"product": "P1"}, summary=[("产品", "P1")])
    done = confirm(bank, operation, method="token", credential=token_code(token), pin=None)
    assert done.status == OperationStatus.EXECUTED
    assert executed_tool_only.count(operation.public_id) == 1


def test_the_operation_lookup_reads_the_operation_with_its_medium_in_one_query(bank):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from security.confirm.selectors import operation_get_for_user

    operation = bank.start_move()
    with CaptureQueriesContext(connection) as queries:
        found = operation_get_for_user(user=bank.zhang, public_id=operation.public_id)
        number = found.medium.number if found.medium_id else None
    assert len(queries) == 1
    orm = PendingOperation.objects.select_related("medium").get(pk=operation.pk)
    fields = [f.attname for f in PendingOperation._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert found.payload == operation.payload and isinstance(found.payload, dict)
    assert number == (orm.medium.number if orm.medium_id else None)
    for other, public_id in ((bank.li, operation.public_id), (bank.zhang, "no-such-id")):
        with pytest.raises(Http404):
            operation_get_for_user(user=other, public_id=public_id)
