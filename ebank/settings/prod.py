"""Production: DEBUG off, every secret from the environment, hardened transport."""

from django.core.exceptions import ImproperlyConfigured

from .base import *


def _required(name: str) -> str:
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
FIELD_ENCRYPTION_KEY = _required("FIELD_ENCRYPTION_KEY")
# The bank's verification key for 交易密码 and USBKey 证书密码 (ebank.core.crypto): never the
# development fallback derived from SECRET_KEY, which would tie every PIN to SECRET_KEY.
PIN_KEY = _required("PIN_KEY")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment")

# A new connection per request costs 95% of the throughput here: keep them open.
DATABASES = {"default": database_from_env(conn_max_age=int(env("CONN_MAX_AGE", "600") or 600))}

# Codes go through the real gateway (URL and key from the environment); the development outbox
# is refused by a system check (security.E101), so `migrate` and `check` fail with it.
SMS_BACKEND = env("SMS_BACKEND", "security.tools.sms.HttpSmsBackend")
SMS_OUTBOX_ALLOWED = False

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Believed from TRUSTED_PROXIES only (ebank/core/proxy.py drops it from anyone else).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The container's own health check asks over plain HTTP on its loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = [o for o in (env("CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
