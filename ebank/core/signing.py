"""The bank's receipt-signing key (X-RECEIPT): an Ed25519 key only the bank holds.

Every 电子回单's verification code is cut from an Ed25519 signature by this key over the
receipt's elements (accounts/receipts/services.py). Ed25519 signatures are deterministic (RFC
8032): the same message always gives the same signature, so the bank verifies a typed-in code by
signing the typed-in elements again and comparing; nobody without the private key can make a
code that matches.

The key lives next to the bank CA, in ``settings.BANK_CA_DIR``:

* ``receipt-signing-key.pem`` — PKCS#8, encrypted under ``settings.BANK_CA_PASSPHRASE``, mode 600.

Development and tests create it on first use (like ``security.tools.ca.bank_ca_ensure``; the
same ``BANK_CA_AUTO_CREATE`` setting overrides the guess). Production only loads it: a key that
appeared by itself would hide a lost key directory and make every receipt issued so far fail
校验. Ops create it once per installation with :func:`receipt_key_init` (docs/receipts.md) and
back it up with the CA directory.

This module is in ``ebank.core`` (not ``security``) because accounts issue receipts, and the
dependency rule lets accounts use core but not security.
"""

import contextlib
import hashlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import ENVIRONMENT_VARIABLE, settings
from django.core.exceptions import ImproperlyConfigured

RECEIPT_KEY_FILE = "receipt-signing-key.pem"
_INIT_HINT = ('请运行 python manage.py shell -c "from ebank.core.signing import receipt_key_init; '
              'receipt_key_init()" 创建电子回单签名密钥（见 docs/receipts.md）')


def receipt_key_init(*, directory: Path | None = None, passphrase: str | None = None,
                     force: bool = False) -> str:
    """Create the receipt key in ``directory`` (default ``BANK_CA_DIR``); returns its fingerprint.

    Refuses to overwrite an existing key unless ``force``: a new key makes every receipt issued
    so far fail 电子回单校验.
    """
    directory = Path(directory or settings.BANK_CA_DIR)
    passphrase = passphrase if passphrase is not None else (settings.BANK_CA_PASSPHRASE or "")
    if not passphrase:
        raise ImproperlyConfigured("BANK_CA_PASSPHRASE 未设置，不能创建电子回单签名密钥")
    path = directory / RECEIPT_KEY_FILE
    if path.exists() and not force:
        raise FileExistsError(f"{path} 已存在；重新创建会使已出具的全部电子回单校验失败（确需如此请加 force）")
    directory.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(passphrase.encode()))
    # Written whole to a private temporary file, then put in place in one step: a process that
    # finds the key file never reads half of it.
    temporary = directory / f".{RECEIPT_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        if force:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # FileExistsError when another process was first
    finally:
        temporary.unlink(missing_ok=True)
    _key_read.cache_clear()
    return receipt_key_fingerprint(key)


def receipt_key_fingerprint(key: Ed25519PrivateKey) -> str:
    """SHA-256 of the raw public key, for ops to record next to the backup."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def receipt_key() -> Ed25519PrivateKey:
    """The receipt key from settings: created first where allowed (dev, tests), else only loaded."""
    directory = Path(settings.BANK_CA_DIR)
    passphrase = settings.BANK_CA_PASSPHRASE or ""
    if not passphrase:
        raise ImproperlyConfigured(f"BANK_CA_PASSPHRASE 未设置。{_INIT_HINT}")
    if bank_keys_may_be_created() and not (directory / RECEIPT_KEY_FILE).exists():
        # FileExistsError: another process created it a moment ago.
        with contextlib.suppress(FileExistsError):
            receipt_key_init(directory=directory, passphrase=passphrase)
    return _key_read(str(directory), passphrase)


def receipt_sign(message: bytes) -> bytes:
    """The bank's Ed25519 signature (64 bytes) over ``message``; the same message, the same bytes."""
    return receipt_key().sign(message)


def receipt_signature_matches(message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is the bank receipt key's signature over ``message``."""
    try:
        receipt_key().public_key().verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def bank_keys_may_be_created() -> bool:
    """Dev and test create missing bank keys on first use; production only loads them."""
    explicit = getattr(settings, "BANK_CA_AUTO_CREATE", None)
    if explicit is not None:
        return bool(explicit)
    # The module name from the environment: override_settings blanks settings.SETTINGS_MODULE.
    module = settings.SETTINGS_MODULE or os.environ.get(ENVIRONMENT_VARIABLE, "")
    return settings.DEBUG or module.rsplit(".", 1)[-1] == "test"


@lru_cache(maxsize=8)
def _key_read(directory: str, passphrase: str) -> Ed25519PrivateKey:
    """Decrypting the PEM runs a slow KDF: once per process, directory and passphrase."""
    path = Path(directory) / RECEIPT_KEY_FILE
    if not path.exists():
        raise ImproperlyConfigured(f"电子回单签名密钥不存在：{path}。{_INIT_HINT}")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), passphrase.encode())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"BANK_CA_PASSPHRASE 无法解密 {path}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} 不是 Ed25519 私钥")
    return key
