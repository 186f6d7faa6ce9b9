"""USBKey: certificates from the bank CA, signatures bound to the exact bytes, the 证书密码 lock."""

import datetime
import re
import threading
import time
from types import SimpleNamespace

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Bank, Branch, Customer, IdType
from ebank.core.crypto import decrypt_text, encrypt_text
from ebank.core.models import AuditEvent
from security.models import SecurityTool, ToolKind, ToolStatus, User
from security.tools import usbkey as usbkey_module
from security.tools.services import (
    ToolError,
    ToolLocked,
    bank_ca_ensure,
    tool_cancel,
    tool_for,
    tool_mark_replaced,
    tool_unlock,
    tools_live,
    usbkey_issue,
    usbkey_password_reset,
    usbkey_sign,
    usbkey_verify,
)
from tests.committed import committed

PASSWORD = "Zw#2468ab"
PAYLOAD = b'{"kind":"transfer","amount":"1000.00","payee":"6226790101000000021","nonce":"9f1c"}'
TAMPERED = b'{"kind":"transfer","amount":"9000.00","payee":"6226790101000000021","nonce":"9f1c"}'
LOCKED_MESSAGE = "证书已锁定，请携带有效身份证件到我行任意网点办理解锁"


@pytest.fixture(autouse=True)
def bank_ca(settings, tmp_path):
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
    return bank_ca_ensure()


@pytest.fixture
def branch():
    bank = Bank.objects.create(code="TSTBANK", name="测试银行")
    return Branch.objects.create(bank=bank, code="349901", name="测试农村商业银行")


def make_customer_user(branch, n=1, name="张伟"):
    customer = Customer.objects.create(
        cif_no=f"34990100{n:02d}", name=name, branch=branch, id_type=IdType.RESIDENT_ID,
        id_number_encrypted="not-relevant-here", id_number_digest=f"digest-{n}",
        id_number_masked="340***********0001", phone=f"138055100{n:02d}")
    return User.objects.create_user(username=f"customer{n}", password="login-pass-1",
                                    customer=customer)


@pytest.fixture
def customer_user(branch):
    return make_customer_user(branch)


@pytest.fixture
def usbkey(customer_user, branch):
    return usbkey_issue(user=customer_user, branch=branch, cert_password=PASSWORD)


@pytest.mark.django_db
class TestIssue:
    def test_certificate_is_from_the_bank_ca_for_this_customer_and_tool(self, usbkey, bank_ca):
        assert re.fullmatch(r"UK\d{10}", usbkey.serial)
        assert usbkey.kind == ToolKind.USBKEY and usbkey.status == ToolStatus.ACTIVE
        cert = x509.load_pem_x509_certificate(usbkey.certificate_pem.encode())
        cert.verify_directly_issued_by(bank_ca.certificate)
        assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "张伟"
        assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == usbkey.serial
        assert usbkey.certificate_serial == format(cert.serial_number, "X")
        assert usbkey.not_after == cert.not_valid_after_utc
        lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
        assert datetime.timedelta(days=729) < lifetime < datetime.timedelta(days=731)
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and not usage.key_cert_sign
        assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
            ExtendedKeyUsageOID.CLIENT_AUTH]
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False

    def test_private_key_is_encrypted_and_no_password_is_stored(self, usbkey):
        # Under the bank's field key, and inside that under the 证书密码 keyed with the bank's
        # verification key (HMAC, then PBES2).
        stored = usbkey.private_key_encrypted
        assert stored.startswith("v3:") and "PRIVATE KEY" not in stored
        pem = decrypt_text(stored[3:]).encode()
        assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises((ValueError, TypeError)):
            serialization.load_pem_private_key(pem, None)
        with pytest.raises(ValueError):
            serialization.load_pem_private_key(pem, PASSWORD.encode())
        with pytest.raises(ToolError):
            usbkey_sign(tool=usbkey, cert_password="Wrong#123", message=PAYLOAD)
        usbkey_password_reset(tool=usbkey, old_password=PASSWORD, new_password="New#pass99")
        stored = " ".join(str(v) for v in SecurityTool.objects.filter(pk=usbkey.pk).values().get().values())
        audits = " ".join(str(row) for row in AuditEvent.objects.values_list("detail", "object_ref"))
        for secret in (PASSWORD, "Wrong#123", "New#pass99"):
            assert secret not in stored
            assert secret not in audits

    @pytest.mark.parametrize(("bad", "message"), [
        ("12345", "6至16位"), ("a" * 17, "6至16位"), ("888888", "同一字符"),
        ("abc 1234", "字母、数字或符号"), ("密码abc123", "字母、数字或符号"),
    ])
    def test_cert_password_rule(self, customer_user, branch, bad, message):
        with pytest.raises(ToolError, match=message):
            usbkey_issue(user=customer_user, branch=branch, cert_password=bad)
        assert not SecurityTool.objects.exists()

    def test_one_live_usbkey_per_customer(self, usbkey, customer_user, branch):
        with pytest.raises(ToolError, match="已有有效的USBKey"):
            usbkey_issue(user=customer_user, branch=branch, cert_password=PASSWORD)
        tool_mark_replaced(tool=usbkey)
        new = usbkey_issue(user=customer_user, branch=branch, cert_password="Other#pw1")
        assert tool_for(user=customer_user, kind=ToolKind.USBKEY) == new


@pytest.mark.django_db
class TestSignAndVerify:
    def test_a_stored_key_in_no_known_form_is_refused_without_counting(self, usbkey):
        # The stored key is "v3:" and the PEM under the field key; nothing else is read.
        pem = decrypt_text(usbkey.private_key_encrypted[3:])
        for stored in (pem, f"v2:{encrypt_text(pem)}"):
            SecurityTool.objects.filter(pk=usbkey.pk).update(private_key_encrypted=stored)
            with pytest.raises(ToolError, match="不可用"):
                usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        assert SecurityTool.objects.get(pk=usbkey.pk).password_failures == 0

    def test_the_key_opens_only_with_the_banks_verification_key(self, usbkey, settings):
        # A copy of the database and of the field key is not enough to test a 证书密码 guess.
        signature = usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        assert usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)
        settings.PIN_KEY = "another-bank-key"
        with pytest.raises(ToolError, match="证书密码错误"):
            usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)

    def test_a_row_the_caller_just_read_is_used_as_it_is(self, usbkey, customer_user):
        # operation_confirm reads the live tools (full rows) in its transaction and passes
        # them with fresh=True: no further read, and that row's state still decides.
        row = tools_live(user=customer_user, full=True)[ToolKind.USBKEY]
        with CaptureQueriesContext(connection) as queries:
            signature = usbkey_sign(tool=row, cert_password=PASSWORD, message=PAYLOAD, fresh=True)
            assert usbkey_verify(tool=row, message=PAYLOAD, signature=signature, fresh=True)
        assert len(queries) == 0
        row.status = ToolStatus.LOCKED
        with pytest.raises(ToolLocked):
            usbkey_sign(tool=row, cert_password=PASSWORD, message=PAYLOAD, fresh=True)
        assert not usbkey_verify(tool=row, message=PAYLOAD, signature=signature, fresh=True)

    def test_signature_verifies_for_the_signed_bytes_only(self, usbkey):
        signature = usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        assert usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)
        assert not usbkey_verify(tool=usbkey, message=TAMPERED, signature=signature)
        assert not usbkey_verify(tool=usbkey, message=PAYLOAD[:-1] + b"!", signature=signature)
        assert not usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature[:-1] + b"\x00")
        assert not usbkey_verify(tool=usbkey, message=PAYLOAD, signature=b"")

    def test_another_customers_signature_does_not_verify(self, usbkey, branch):
        other = usbkey_issue(user=make_customer_user(branch, 2, "李娜"), branch=branch,
                             cert_password="Lina#8642")
        signature = usbkey_sign(tool=other, cert_password="Lina#8642", message=PAYLOAD)
        assert usbkey_verify(tool=other, message=PAYLOAD, signature=signature)
        assert not usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)

    def test_a_certificate_from_another_ca_fails(self, settings, tmp_path, usbkey, branch):
        bank_dir = settings.BANK_CA_DIR
        settings.BANK_CA_DIR = tmp_path / "rogue-ca"  # someone else's CA, same software
        bank_ca_ensure()
        rogue = usbkey_issue(user=make_customer_user(branch, 3, "王芳"), branch=branch,
                             cert_password="Rogue#135")
        signature = usbkey_sign(tool=rogue, cert_password="Rogue#135", message=PAYLOAD)
        assert usbkey_verify(tool=rogue, message=PAYLOAD, signature=signature)  # under its CA

        settings.BANK_CA_DIR = bank_dir
        assert not usbkey_verify(tool=rogue, message=PAYLOAD, signature=signature)
        # Nor does planting the rogue certificate (and key) on a genuine tool help.
        SecurityTool.objects.filter(pk=usbkey.pk).update(
            certificate_pem=rogue.certificate_pem, certificate_serial=rogue.certificate_serial)
        assert not usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)

    def test_a_certificate_of_another_tool_fails(self, usbkey, branch):
        other = usbkey_issue(user=make_customer_user(branch, 2, "李娜"), branch=branch,
                             cert_password="Lina#8642")
        signature = usbkey_sign(tool=other, cert_password="Lina#8642", message=PAYLOAD)
        SecurityTool.objects.filter(pk=usbkey.pk).update(certificate_pem=other.certificate_pem)
        assert not usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)

    def test_only_an_active_tool_verifies(self, usbkey):
        signature = usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        tool_cancel(tool=usbkey)
        assert not usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)
        with pytest.raises(ToolError, match="已注销"):
            usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)

    def test_an_expired_certificate_neither_signs_nor_verifies(self, usbkey):
        signature = usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        later = usbkey.not_after + datetime.timedelta(seconds=1)
        with time_machine.travel(later, tick=False):
            assert not usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)
            with pytest.raises(ToolError, match="过期"):
                usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        assert SecurityTool.objects.get(pk=usbkey.pk).password_failures == 0

    def test_a_certificate_not_yet_valid_says_so(self, usbkey):
        # Its validity starts five minutes before issue (clock skew); an hour earlier it has not.
        cert = x509.load_pem_x509_certificate(usbkey.certificate_pem.encode())
        earlier = cert.not_valid_before_utc - datetime.timedelta(hours=1)
        with time_machine.travel(earlier, tick=False), \
                pytest.raises(ToolError, match="USBKey证书尚未生效（生效时间："):
            usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        assert SecurityTool.objects.get(pk=usbkey.pk).password_failures == 0

    def test_an_expired_certificate_says_expired_not_signature_failed(self, usbkey):
        later = usbkey.not_after + datetime.timedelta(days=1)
        with time_machine.travel(later, tick=False), \
                pytest.raises(ToolError, match="^USBKey证书已过期，请携带有效身份证件"):
            usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)

    @pytest.mark.parametrize(("shift", "message"), [
        (datetime.timedelta(hours=1), "银行证书尚未生效"),
        (-datetime.timedelta(hours=1), "银行证书已过期"),
    ])
    def test_the_bank_certificate_outside_its_validity_says_so(self, usbkey, monkeypatch,
                                                               shift, message):
        # A bank certificate that starts an hour from now, or ended an hour ago, while the
        # tool's own is valid (the real CA outlives every tool it issues).
        now = datetime.datetime.now(datetime.UTC)
        window = (now + shift, now + datetime.timedelta(days=1)) if shift > datetime.timedelta(0) \
            else (now - datetime.timedelta(days=1), now + shift)
        ca = SimpleNamespace(certificate=SimpleNamespace(not_valid_before_utc=window[0],
                                                         not_valid_after_utc=window[1]))
        monkeypatch.setattr(usbkey_module, "bank_ca_load", lambda: ca)
        with pytest.raises(ToolError, match=message):
            usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)


@pytest.mark.django_db
class TestPasswordLock:
    def test_six_wrong_passwords_lock_until_a_teller_unlocks(self, usbkey):
        for attempt in range(1, 6):
            with pytest.raises(ToolError, match=f"证书密码错误，您还可以尝试{6 - attempt}次") as err:
                usbkey_sign(tool=usbkey, cert_password=f"Wrong#{attempt}x", message=PAYLOAD)
            assert not isinstance(err.value, ToolLocked)
        with pytest.raises(ToolLocked) as locked:
            usbkey_sign(tool=usbkey, cert_password="Wrong#6x", message=PAYLOAD)
        assert locked.value.message == LOCKED_MESSAGE
        row = SecurityTool.objects.get(pk=usbkey.pk)
        assert row.status == ToolStatus.LOCKED and row.password_failures == 6
        assert usbkey.status == ToolStatus.LOCKED  # the caller's object follows

        with pytest.raises(ToolLocked):  # the 7th, right this time, is refused before trying
            usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        assert tool_for(user=usbkey.user, kind=ToolKind.USBKEY) == usbkey  # still live

        unlocked = tool_unlock(tool=usbkey)
        assert unlocked.status == ToolStatus.ACTIVE and unlocked.password_failures == 0
        signature = usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        assert usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)
        assert AuditEvent.objects.filter(action="usbkey.password_wrong").count() == 5
        assert AuditEvent.objects.filter(action="usbkey.locked").count() == 1

    def test_a_right_password_resets_the_count(self, usbkey):
        for _ in range(5):
            with pytest.raises(ToolError):
                usbkey_sign(tool=usbkey, cert_password="Wrong#123", message=PAYLOAD)
        usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        assert SecurityTool.objects.get(pk=usbkey.pk).password_failures == 0
        with pytest.raises(ToolError, match="还可以尝试5次"):
            usbkey_sign(tool=usbkey, cert_password="Wrong#123", message=PAYLOAD)

    def test_unlock_only_a_locked_tool(self, usbkey):
        with pytest.raises(ToolError, match="未锁定"):
            tool_unlock(tool=usbkey)

    def test_password_change_needs_the_old_password(self, usbkey):
        with pytest.raises(ToolError, match="更换"):
            usbkey_password_reset(tool=usbkey, old_password=None, new_password="New#pass99")
        with pytest.raises(ToolError, match="还可以尝试5次"):
            usbkey_password_reset(tool=usbkey, old_password="Wrong#123", new_password="New#pass99")
        with pytest.raises(ToolError, match="同一字符"):
            usbkey_password_reset(tool=usbkey, old_password=PASSWORD, new_password="9999999")

        usbkey_password_reset(tool=usbkey, old_password=PASSWORD, new_password="New#pass99")
        with pytest.raises(ToolError, match="证书密码错误"):
            usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
        signature = usbkey_sign(tool=usbkey, cert_password="New#pass99", message=PAYLOAD)
        assert usbkey_verify(tool=usbkey, message=PAYLOAD, signature=signature)
        assert AuditEvent.objects.filter(action="usbkey.password_change").count() == 1


@pytest.mark.django_db
def test_life_cycle_replace_and_cancel(usbkey):
    replaced = tool_mark_replaced(tool=usbkey)
    assert replaced.status == ToolStatus.REPLACED
    assert tool_for(user=usbkey.user, kind=ToolKind.USBKEY) is None
    with pytest.raises(ToolError, match="已更换"):
        usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)
    with pytest.raises(ToolError):
        tool_cancel(tool=usbkey)


# --- PostgreSQL: the count is committed before the refusal reaches the caller's caller --------

def _failures(usbkey) -> int:
    return committed(lambda: SecurityTool.objects.get(pk=usbkey.pk).password_failures)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_caller_in_a_transaction_commits_the_count_and_raises_after(usbkey):
    # The confirmation's way (operation_confirm): catch, commit, raise after.
    for attempt in range(1, 7):
        refusal = None
        with transaction.atomic(durable=True):
            try:
                usbkey_sign(tool=usbkey, cert_password="Wrong#123", message=PAYLOAD)
            except ToolError as exc:
                refusal = exc
        assert refusal is not None
        assert _failures(usbkey) == attempt
    assert isinstance(refusal, ToolLocked)
    assert SecurityTool.objects.get(pk=usbkey.pk).status == ToolStatus.LOCKED
    assert AuditEvent.objects.filter(action="usbkey.locked").count() == 1
    with pytest.raises(ToolLocked):
        usbkey_sign(tool=usbkey, cert_password=PASSWORD, message=PAYLOAD)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_failures_counted_outside_any_transaction(usbkey):
    assert not connection.in_atomic_block
    with pytest.raises(ToolError, match="还可以尝试5次"):
        usbkey_sign(tool=usbkey, cert_password="Wrong#123", message=PAYLOAD)
    assert _failures(usbkey) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_caller_holding_the_row_lock_does_not_deadlock(usbkey):
    started = time.monotonic()
    with transaction.atomic():
        SecurityTool.objects.select_for_update().get(pk=usbkey.pk)
        with pytest.raises(ToolError, match="还可以尝试5次"):
            usbkey_sign(tool=usbkey, cert_password="Wrong#123", message=PAYLOAD)
    # Counted in the caller's transaction, which holds the lock (committed here).
    assert time.monotonic() - started < 10
    assert SecurityTool.objects.get(pk=usbkey.pk).password_failures == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_passwords_are_all_counted(usbkey):
    errors: list[Exception] = []

    def attempt():
        try:
            usbkey_sign(tool=SecurityTool.objects.get(pk=usbkey.pk),
                        cert_password="Wrong#123", message=PAYLOAD)
        except ToolError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    row = SecurityTool.objects.get(pk=usbkey.pk)
    assert len(errors) == 8
    assert row.status == ToolStatus.LOCKED and row.password_failures == 6
    assert sum(isinstance(exc, ToolLocked) for exc in errors) == 3


def test_the_ca_follows_bank_ca_dir(settings, tmp_path, bank_ca):
    settings.BANK_CA_DIR = tmp_path / "second"
    assert bank_ca_ensure().certificate != bank_ca.certificate
