"""The embedded default: one command, no services. Never used in production."""

from .base import *

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# A throwaway secret per machine, kept out of the repository.
_secret_file = BASE_DIR / "var" / "dev-secret-key"
if env("SECRET_KEY"):
    SECRET_KEY = env("SECRET_KEY")
else:
    import secrets

    _secret_file.parent.mkdir(parents=True, exist_ok=True)
    if not _secret_file.exists():
        _secret_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _secret_file.read_text().strip()

if not FIELD_ENCRYPTION_KEY:
    import base64
    import hashlib

    FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(
        hashlib.sha256(("field:" + SECRET_KEY).encode()).digest()
    ).decode()

# Serve app and project static files straight from their folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# The 附加码 accepts "PASSED" outside production (README), so tests and demos can log in.
CAPTCHA_TEST_MODE = True
BANK_CA_PASSPHRASE = BANK_CA_PASSPHRASE or "dev-only-bank-ca-passphrase"

# The demo helpers that play the customer's token and phone (docs/security-tools.md).
DEMO_TOOLS_ENABLED = True
if not REDIS_URL:
    # One process, locmem cache: the throttles count per process, which is all this needs.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
