"""The hasher for 交易密码 (6-digit PINs). docs/decisions.md, "交易密码 verification", says why.

A PIN is first HMAC'd with the bank's PIN key (accounts.services._peppered: ``PIN_KEY``,
required in production; in development and tests without it, a key derived from SECRET_KEY) —
the role a bank's HSM plays with its PIN
verification key (IBM 3624 offset, Visa PVV): without that key a stolen table says nothing. The
stored value is then a salted SHA-256 of that keyed value (:class:`PinKeyedHasher`), so equal
PINs look different and the check costs microseconds on every confirmation.

A slow hash adds little for a 6-digit PIN: there are only 10⁶ of them, so whoever holds the
key recovers one PIN in hours even behind Argon2, while the table alone is useless either way.
What protects a PIN online is the three-strikes lock (accounts.pin).
"""

import hashlib
import hmac

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import RANDOM_STRING_CHARS, get_random_string


class PinKeyedHasher(BasePasswordHasher):
    """Salted SHA-256 of an already keyed (HMAC-SHA256) PIN: ``pin_keyed$<salt>$<hex>``."""

    algorithm = "pin_keyed"

    def salt(self) -> str:
        return get_random_string(22, RANDOM_STRING_CHARS)

    def encode(self, password: str, salt: str) -> str:
        self._check_encode_args(password, salt)
        digest = hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded: str) -> dict:
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return hmac.compare_digest(self.encode(password, decoded["salt"]).encode(),
                                   encoded.encode())

    def safe_summary(self, encoded: str) -> dict:
        decoded = self.decode(encoded)
        return {"algorithm": decoded["algorithm"], "salt": mask_hash(decoded["salt"], show=2),
                "hash": mask_hash(decoded["hash"])}

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass
