"""The bank's own certificate authority (安徽农金个人网银CA), which signs every USBKey certificate.

The CA is an EC P-256 key and a self-signed certificate valid for ten years, kept in
``settings.BANK_CA_DIR`` (outside the repository; ``var/`` is git-ignored):

* ``ca-key.pem``  — the private key, PKCS#8 encrypted under ``settings.BANK_CA_PASSPHRASE``
* ``ca-cert.pem`` — the certificate

Both are written with mode 600. ``manage.py init_bank_ca`` creates them once per installation;
creating them again (``--force``) makes every USBKey issued so far unverifiable, so in
production the directory is backed up and never re-created (docs/security-tools.md).
"""

import contextlib
import datetime
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ebank.core.signing import bank_keys_may_be_created

CA_KEY_FILE = "ca-key.pem"
CA_CERT_FILE = "ca-cert.pem"
CA_COMMON_NAME = "安徽农金个人网银CA"
CA_ORGANIZATION = "安徽省农村信用社联合社"
CA_VALIDITY = datetime.timedelta(days=3652)
_INIT_HINT = "请运行 python manage.py init_bank_ca 创建行内CA"


@dataclass(frozen=True)
class BankCA:
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey
    directory: Path

    @property
    def name(self) -> x509.Name:
        return self.certificate.subject

    def sign(self, builder: x509.CertificateBuilder) -> x509.Certificate:
        """Sign a certificate the caller has built (issuer, key identifier added here)."""
        builder = builder.issuer_name(self.name).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(self.private_key.public_key()),
            critical=False,
        )
        return builder.sign(self.private_key, hashes.SHA256())

    def issued(self, certificate: x509.Certificate) -> bool:
        """True when this CA's key signed ``certificate`` (and its issuer name is this CA)."""
        try:
            certificate.verify_directly_issued_by(self.certificate)
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True


def bank_ca_init(*, directory: Path, passphrase: str, force: bool = False) -> None:
    """Create the CA key and self-signed certificate in ``directory``.

    Refuses to overwrite an existing CA unless ``force``: a new CA orphans every USBKey.
    """
    if not passphrase:
        raise ImproperlyConfigured("BANK_CA_PASSPHRASE 未设置，不能创建行内CA")
    directory = Path(directory)
    key_path, cert_path = directory / CA_KEY_FILE, directory / CA_CERT_FILE
    if not force and (key_path.exists() or cert_path.exists()):
        raise FileExistsError(f"{directory} 下已有行内CA；重新创建会使已签发的全部USBKey证书失效（确需如此请加 --force）")
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_ORGANIZATION),
        x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME),
    ])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    # Key first: a crash between the two writes leaves no certificate without its key.
    _write_private(key_path, key_pem, exclusive=not force)
    _write_private(cert_path, certificate.public_bytes(serialization.Encoding.PEM),
                   exclusive=not force)
    _ca_read.cache_clear()


def bank_ca_load() -> BankCA:
    """The CA from settings (read once per process and directory)."""
    passphrase = settings.BANK_CA_PASSPHRASE
    if not passphrase:
        raise ImproperlyConfigured(f"BANK_CA_PASSPHRASE 未设置。{_INIT_HINT}")
    return _ca_read(str(settings.BANK_CA_DIR), passphrase)


def bank_ca_ensure() -> BankCA:
    """The CA, created first where it is missing — in development, tests and demos only.

    In production (DEBUG off, not the test settings) this only loads: a CA that appears by
    itself would hide a lost key directory and orphan every USBKey. ``BANK_CA_AUTO_CREATE``
    overrides the guess either way.
    """
    if not bank_keys_may_be_created():
        return bank_ca_load()
    directory = Path(settings.BANK_CA_DIR)
    if not (directory / CA_KEY_FILE).exists():
        # FileExistsError: another process created it a moment ago.
        with contextlib.suppress(FileExistsError):
            bank_ca_init(directory=directory, passphrase=settings.BANK_CA_PASSPHRASE or "")
    return bank_ca_load()


@lru_cache(maxsize=8)
def _ca_read(directory: str, passphrase: str) -> BankCA:
    key_path, cert_path = Path(directory) / CA_KEY_FILE, Path(directory) / CA_CERT_FILE
    if not key_path.exists() or not cert_path.exists():
        raise ImproperlyConfigured(f"行内CA不存在：{directory} 下缺少 {CA_KEY_FILE}/{CA_CERT_FILE}。{_INIT_HINT}")
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), passphrase.encode())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"BANK_CA_PASSPHRASE 无法解密 {key_path}") from exc
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if not isinstance(key, ec.EllipticCurvePrivateKey) or (
        key.public_key().public_numbers() != certificate.public_key().public_numbers()
    ):
        raise ImproperlyConfigured(f"{key_path} 与 {cert_path} 不是同一对密钥")
    return BankCA(certificate=certificate, private_key=key, directory=Path(directory))


def _write_private(path: Path, content: bytes, *, exclusive: bool) -> None:
    """Write ``content`` readable by the owner only (mode 600 from the first byte)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    path.chmod(0o600)  # O_TRUNC on an existing file keeps its old mode
