"""The hasher for 交易密码 (6-digit PINs).

A PIN is HMAC-peppered with a server key before hashing (accounts.services), so an offline
attack needs that key as well as the table; the hash itself then only has to make online-speed
guessing pointless, and it runs on every confirmation. Django's default Argon2 parameters
(100 MiB, 8 lanes, ~100 ms here) are sized for login passwords; this uses OWASP's minimum
Argon2id profile (19 MiB, 2 passes, 1 lane, ~10 ms).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PinArgon2Hasher(Argon2PasswordHasher):
    algorithm = "pin_argon2"
    time_cost = 2
    memory_cost = 19456
    parallelism = 1
