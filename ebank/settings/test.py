"""Test settings: PostgreSQL/Redis where reachable (bin/test probes them), else SQLite/locmem."""

from .base import *

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
FIELD_ENCRYPTION_KEY = "bT0xK0n6oYQK4m0m2kY7uI5x6b2oRkq8oQ0cWwq0JqY="
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "accounts.hashers.PinKeyedHasher"]
PIN_HASHER = "pin_keyed"  # the production PIN hasher: it is fast
DATABASES = {"default": database_from_env()}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
DUEWORK_KICK = "none"  # tests kick the dispatcher themselves
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = "memory://"
OTP_TOTP_THROTTLE_FACTOR = 0

# Serve app and project static files straight from their folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# The 附加码 accepts "PASSED" outside production (README), so tests and demos can log in.
CAPTCHA_TEST_MODE = True
# The bank CA for tests lives in var/ (git-ignored), created on first use.
BANK_CA_PASSPHRASE = "test-only-bank-ca-passphrase"  # noqa: S105
BANK_CA_DIR = BASE_DIR / "var" / "test-bank-ca"

# The demo helpers that play the customer's token and phone (docs/security-tools.md).
DEMO_TOOLS_ENABLED = True
if not REDIS_URL:
    # One process, locmem cache: the throttles count per process, which is all this needs.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
