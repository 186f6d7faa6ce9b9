"""Encryption of personal data at rest (ID numbers) and keyed digests for lookups.

The Fernet key comes from ``settings.FIELD_ENCRYPTION_KEY`` (the environment in production);
the digest key is derived from it, so rotating the key means re-encrypting (an ops task).
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def _key() -> str:
    return settings.FIELD_ENCRYPTION_KEY


def encrypt_text(plain: str) -> str:
    return _fernet(_key()).encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet(_key()).decrypt(token.encode()).decode()


def keyed_digest(*parts: str) -> str:
    """HMAC-SHA256 of the parts, for exact-match lookups of encrypted values."""
    mac = hmac.new(("digest:" + _key()).encode(), digestmod=hashlib.sha256)
    mac.update("\x1f".join(parts).encode())
    return mac.hexdigest()


def verification_keyed(message: str) -> bytes:
    """HMAC-SHA256 of ``message`` under the bank's verification key — ``PIN_KEY`` (the role of
    an HSM's PIN verification key; production requires it), or in development and tests without
it a key derived from SECRET_KEY. What a
    customer's 交易密码 and 证书密码 are checked through (docs/decisions.md): without this key a
    copy of the database gives nothing to guess against."""
    key = settings.PIN_KEY or ("pin:" + settings.SECRET_KEY)
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
