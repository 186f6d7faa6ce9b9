"""The USBKey (USBKey证书): a certificate from the bank's CA whose key signs confirmed payloads.

This SIMULATES a hardware key. A real USBKey generates its key pair on the chip, the private key
never leaves it, and the chip's PIN (the 证书密码) unlocks signing inside the device. Here the
bank generates the pair and keeps the private key in the database, encrypted under a key derived
from the 证书密码; at signing time the customer types the 证书密码 on the confirmation page and
the key is unlocked for that one signature, in the bank's process. What it preserves: without
the 证书密码 nobody — including someone holding a database dump — can sign (offline guessing
needs the bank's keys); six wrong 证书密码 lock the tool until a teller unlocks it; a signature covers
the exact bytes confirmed; the certificate chains to the bank's CA. What it cannot preserve: the
bank's server sees the password and the unlocked key for a moment.

Key handling:

* customer keys: EC P-256 (secp256r1), ECDSA with SHA-256, DER-encoded signatures;
* the stored private key is PKCS#8 PEM under ``BestAvailableEncryption`` (PBES2: PBKDF2-SHA256 +
  AES-256-CBC), and that PEM is encrypted again under the bank's field key (Fernet,
  ``FIELD_ENCRYPTION_KEY``, as ID numbers are);
* the PEM's passphrase is not the 证书密码 itself: it is HMAC-SHA256 of the tool's serial and
  the 证书密码 under the bank's verification key (``PIN_KEY``,
  :func:`ebank.core.crypto.verification_keyed`), as the 交易密码 is checked: whoever holds the
  database — even with the field key — cannot test a single guess without that key, and online
  the six-strikes lock is what protects the password, as on the chip of a real USBKey
  (docs/decisions.md, "证书密码"). The stored value is ``v3:<Fernet token>``, the one format
  (the name of the derivation, fixed for the life of the keys stored with it).
"""

import base64
import datetime
import secrets
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import transaction
from django.utils import timezone

from ebank.core.audit import audit_record
from ebank.core.crypto import decrypt_text, encrypt_text, verification_keyed
from security.models import SecurityTool, ToolKind, ToolStatus

from .ca import bank_ca_ensure, bank_ca_load
from .errors import ToolError, ToolLocked, tool_failure_record

USBKEY_VALIDITY = datetime.timedelta(days=730)
MAX_PASSWORD_FAILURES = 6
CERT_PASSWORD_MIN, CERT_PASSWORD_MAX = 6, 16
CERT_ORGANIZATION = "安徽农金"
LIVE_STATUSES = (ToolStatus.ACTIVE, ToolStatus.LOCKED)
# The stored key's format and passphrase derivation (fixed for the life of the keys stored with
# it: changing it would make them unreadable).
_KEY_VERSION = "v3"
_ECDSA = ec.ECDSA(hashes.SHA256())


def tool_serial_new(*, prefix: str) -> str:
    """A fresh 介质序列号: the prefix ("UK", "TK") and 10 random digits, unused so far."""
    for _ in range(20):
        serial = f"{prefix}{secrets.randbelow(10**10):010d}"
        if not SecurityTool.objects.filter(serial=serial).exists():
            return serial
    raise RuntimeError("no free tool serial after 20 draws")  # 10^10 numbers: never in practice


def cert_password_check(password: str) -> None:
    """The 证书密码 rule: 6–16 letters, digits or symbols, not all one character."""
    if not isinstance(password, str) or not CERT_PASSWORD_MIN <= len(password) <= CERT_PASSWORD_MAX:
        raise ToolError(f"证书密码须为{CERT_PASSWORD_MIN}至{CERT_PASSWORD_MAX}位")
    if not all("!" <= char <= "~" for char in password):
        raise ToolError("证书密码只能由字母、数字或符号组成，不能含空格或汉字")
    if len(set(password)) == 1:
        raise ToolError("证书密码不能全部为同一字符")


@transaction.atomic
def usbkey_issue(*, user, branch, cert_password: str) -> SecurityTool:
    cert_password_check(cert_password)
    if SecurityTool.objects.filter(user=user, kind=ToolKind.USBKEY,
                                   status__in=LIVE_STATUSES).exists():
        raise ToolError("该客户已有有效的USBKey证书，如需新证书请办理更换")
    ca = bank_ca_ensure()  # loads only, in production
    serial = tool_serial_new(prefix="UK")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    customer = getattr(user, "customer", None)
    holder = customer.name if customer else (user.get_full_name() or user.get_username())
    certificate = ca.sign(
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, CERT_ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, holder),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
        ]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # tolerate clock skew
        .not_valid_after(now + USBKEY_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
    )
    return SecurityTool.objects.create(
        user=user,
        kind=ToolKind.USBKEY,
        serial=serial,
        status=ToolStatus.ACTIVE,
        branch=branch,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        certificate_serial=format(certificate.serial_number, "X"),
        not_after=certificate.not_valid_after_utc,
        private_key_encrypted=_key_encrypt(key, serial=serial, cert_password=cert_password),
    )


def usbkey_sign(*, tool: SecurityTool, cert_password: str, message: bytes,
                fresh: bool = False) -> bytes:
    """Sign ``message`` with the tool's key, unlocked by the 证书密码 (DER ECDSA-SHA256).

    A wrong password is counted before the refusal is raised (in the caller's transaction, which
    must commit it and raise after, as the confirmation does: security/tools/errors.py); the
    sixth locks the tool. ``fresh``: the caller read ``tool`` in
    its current transaction, so it is not read again.
    """
    current = _usable_usbkey(tool, fresh=fresh)
    _validity_check(current)
    key = _private_key_unlock(current, tool=tool, cert_password=cert_password)
    return key.sign(message, _ECDSA)


CERT_NOT_YET_VALID = "USBKey证书尚未生效（生效时间：{when}），请在生效后再使用"
CERT_EXPIRED = "USBKey证书已过期，请携带有效身份证件到我行任意网点办理更换"
BANK_CERT_NOT_YET_VALID = "银行证书尚未生效，暂时无法使用USBKey认证，请稍后再试或改用其他认证方式"
BANK_CERT_EXPIRED = "银行证书已过期，暂时无法使用USBKey认证，请联系我行客服"


@lru_cache(maxsize=256)
def _certificate_load(pem: str) -> x509.Certificate:
    """The parsed certificate of a tool row (parsed once per process and PEM)."""
    return x509.load_pem_x509_certificate(pem.encode())


def _validity_check(current: SecurityTool) -> None:
    """Say why a certificate outside its validity cannot sign: 尚未生效 or 已过期, for the
    tool's certificate and for the bank CA's, instead of a bare 签名验证失败 later on."""
    try:
        certificate = _certificate_load(current.certificate_pem)
    except ValueError:
        raise ToolError("USBKey证书无效，请携带有效身份证件到我行任意网点办理更换") from None
    ca_certificate = bank_ca_load().certificate
    now = datetime.datetime.now(datetime.UTC)
    if now < certificate.not_valid_before_utc:
        when = timezone.localtime(certificate.not_valid_before_utc).strftime("%Y-%m-%d %H:%M")
        raise ToolError(CERT_NOT_YET_VALID.format(when=when))
    if now >= certificate.not_valid_after_utc:
        raise ToolError(CERT_EXPIRED)
    if now < ca_certificate.not_valid_before_utc:
        raise ToolError(BANK_CERT_NOT_YET_VALID)
    if now >= ca_certificate.not_valid_after_utc:
        raise ToolError(BANK_CERT_EXPIRED)


def usbkey_verify(*, tool: SecurityTool, message: bytes, signature: bytes,
                  fresh: bool = False) -> bool:
    """True when ``signature`` over ``message`` is the tool's, its certificate is one the bank's
    CA issued to this tool and is within validity, and the tool is ACTIVE (read afresh unless
    ``fresh``: the caller read it in its current transaction)."""
    current = tool if fresh else SecurityTool.objects.filter(pk=tool.pk).first()
    if (current is None or current.kind != ToolKind.USBKEY
            or current.status != ToolStatus.ACTIVE or not current.certificate_pem):
        return False
    try:
        certificate = _certificate_load(current.certificate_pem)
    except ValueError:
        return False
    ca = bank_ca_load()
    now = datetime.datetime.now(datetime.UTC)
    if not ca.issued(certificate):
        return False
    for cert in (certificate, ca.certificate):
        if not cert.not_valid_before_utc <= now < cert.not_valid_after_utc:
            return False
    # The certificate in the row must be the one issued for this tool, not another's.
    holder_serials = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if (format(certificate.serial_number, "X") != current.certificate_serial
            or [attr.value for attr in holder_serials] != [current.serial]):
        return False
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        return False
    try:
        public_key.verify(bytes(signature), bytes(message), _ECDSA)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def usbkey_password_reset(*, tool: SecurityTool, old_password: str | None,
                          new_password: str) -> None:
    """Change the 证书密码 (the customer knows the old one).

    There is no reset without the old password: the bank does not know it and cannot decrypt
    the key without it. A forgotten 证书密码 is a replacement at the counter (更换, reason
    遗忘密码: a new key pair and certificate), as the procedures (第十六条) say.
    """
    if old_password is None:
        raise ToolError("遗忘证书密码须携带有效身份证件到我行任意网点办理USBKey更换")
    cert_password_check(new_password)
    if new_password == old_password:
        raise ToolError("新证书密码不能与原证书密码相同")
    current = _usable_usbkey(tool)
    # The old password is checked before this change's transaction: a wrong one is counted
    # (and committed, with no caller's transaction) before it is refused, never rolled back.
    key = _private_key_unlock(current, tool=tool, cert_password=old_password)
    with transaction.atomic():
        locked = SecurityTool.objects.select_for_update().get(pk=current.pk)
        locked.private_key_encrypted = _key_encrypt(key, serial=locked.serial,
                                                    cert_password=new_password)
        locked.save(update_fields=["private_key_encrypted"])
        audit_record(action="usbkey.password_change", actor=locked.user,
                     customer_id=locked.user.customer_id, object_ref=f"tool:{locked.serial}")
    tool.private_key_encrypted = locked.private_key_encrypted


# --- the key under the 证书密码 ------------------------------------------------------------------

def _pem_passphrase(*, serial: str, cert_password: str) -> bytes:
    return base64.b64encode(
        verification_keyed(f"ebank.usbkey.{_KEY_VERSION}:{serial}:{cert_password}"))


def _key_encrypt(key: ec.EllipticCurvePrivateKey, *, serial: str, cert_password: str) -> str:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(
            _pem_passphrase(serial=serial, cert_password=cert_password)),
    ).decode()
    return f"{_KEY_VERSION}:{encrypt_text(pem)}"


def _key_stored(stored: str) -> bytes:
    """The password-encrypted PEM of a stored key (``v3:`` and the PEM under the field key)."""
    if not stored.startswith(f"{_KEY_VERSION}:"):
        raise ToolError("该USBKey证书已不可用")
    return decrypt_text(stored[len(_KEY_VERSION) + 1:]).encode()


def _usable_usbkey(tool: SecurityTool, *, fresh: bool = False) -> SecurityTool:
    """The tool as the database has it now; refuses before any password is tried."""
    current = tool if fresh else SecurityTool.objects.get(pk=tool.pk)
    if current.kind != ToolKind.USBKEY:
        raise ToolError("该安全认证工具不是USBKey证书")
    if current.status == ToolStatus.LOCKED:
        raise ToolLocked()
    if current.status == ToolStatus.CANCELLED:
        raise ToolError("该USBKey证书已注销")
    if current.status == ToolStatus.REPLACED:
        raise ToolError("该USBKey证书已更换，请使用新证书")
    if current.not_after is None or current.not_after <= timezone.now():
        raise ToolError(CERT_EXPIRED)
    return current


def _private_key_unlock(current: SecurityTool, *, tool: SecurityTool,
                        cert_password: str) -> ec.EllipticCurvePrivateKey:
    pem = _key_stored(current.private_key_encrypted)
    try:
        key = serialization.load_pem_private_key(
            pem, _pem_passphrase(serial=current.serial, cert_password=cert_password))
    except (ValueError, TypeError):
        with transaction.atomic():
            failures, status = _password_failure_count(tool_id=current.pk)
        tool.password_failures, tool.status = failures, status
        if status == ToolStatus.LOCKED:
            raise ToolLocked() from None
        if status != ToolStatus.ACTIVE:
            raise ToolError("该USBKey证书已不可用") from None
        raise ToolError(
            f"证书密码错误，您还可以尝试{MAX_PASSWORD_FAILURES - failures}次") from None
    if current.password_failures:
        with transaction.atomic():
            _password_failures_reset(tool_id=current.pk)
    tool.password_failures = 0
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _password_failure_count(*, tool_id: int) -> tuple[int, str]:
    locked = (SecurityTool.objects.select_for_update(of=("self",)).select_related("user")
              .get(pk=tool_id))
    if locked.status != ToolStatus.ACTIVE:  # locked or cancelled a moment ago by another request
        return locked.password_failures, locked.status
    tool_failure_record(locked, limit=MAX_PASSWORD_FAILURES, wrong_action="usbkey.password_wrong",
                        locked_action="usbkey.locked")
    return locked.password_failures, locked.status


def _password_failures_reset(*, tool_id: int) -> None:
    locked = SecurityTool.objects.select_for_update().get(pk=tool_id)
    if locked.status == ToolStatus.ACTIVE and locked.password_failures:
        locked.password_failures = 0
        locked.save(update_fields=["password_failures"])
