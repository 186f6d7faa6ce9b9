"""Settings shared by every environment. Everything that differs comes from the environment.

dev.py   — the embedded default: SQLite, no Redis, DEBUG on, a generated throwaway secret.
test.py  — what the test suite runs with (PostgreSQL/Redis where reachable).
prod.py  — DEBUG off, every secret required from the environment, hardened cookies and HSTS.
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = False
ALLOWED_HOSTS = [h for h in (env("ALLOWED_HOSTS", "") or "").split(",") if h]
# Addresses or networks of the TLS proxy in front of the site (docker-compose.yml's proxy):
# only their X-Forwarded-For/-Proto are believed (ebank/core/proxy.py). Empty: none are.
TRUSTED_PROXIES = [p.strip() for p in (env("TRUSTED_PROXIES", "") or "").split(",") if p.strip()]

INSTALLED_APPS = [
    "security.staff.admin_apps.StaffAdminConfig",  # django.contrib.admin with the OTP staff site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "captcha",
    "django_ratelimit",
    # the shared core
    "ebank.core",
    "ebank.ledger",
    "ebank.limits",
    "ebank.clearing",
    "ebank.otherbanks",
    "ebank.billers",
    "ebank.merchants",  # PAY-QUICKPAY: the simulated payment institution
    "ebank.acquirer",  # CC-*: the simulated acquirer (card purchases and refunds)
    "ebank.duework",
    # menu apps (dependency rule: menu apps → security → accounts → limits → ledger → core)
    "accounts",
    "security",
    "transfers",
    "payments",
    "creditcard",
    "deposits",
    "wealth",
    "loans",
]

MIDDLEWARE = [
    # X-Forwarded-* believed from TRUSTED_PROXIES only (before SecurityMiddleware's is_secure).
    "ebank.core.proxy.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # SEC-SESSION: the sliding idle timeout, written at most every SESSION_REFRESH_SECONDS.
    "security.identity.middleware.SessionIdleRefreshMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware taking the user read with the session row.
    "security.identity.middleware.SessionUserMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # SEC-SESSION/SEC-FORCE: staff anonymous on customer pages, disabled users out, one live
    # session, forced password change (needs auth, OTP and messages before it).
    "security.identity.middleware.CustomerSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers a throttled request (security.identity.throttles) with RATELIMIT_VIEW.
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "ebank.urls"
WSGI_APPLICATION = "ebank.wsgi.application"
AUTH_USER_MODEL = "security.User"
AUTHENTICATION_BACKENDS = ["security.identity.backends.UserBackend"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ebank.core.context_processors.bank",
                "ebank.core.context_processors.menu",
                "security.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# DATABASE_URL picks the engine; without it the embedded SQLite file is used. SQLite runs in
# IMMEDIATE transaction mode so that two writers queue instead of failing with "locked".
SQLITE_PATH = BASE_DIR / "var" / "ebank.sqlite3"


def database_from_env(conn_max_age: int = 0) -> dict:
    url = env("DATABASE_URL")
    if url:
        # CONN_HEALTH_CHECKS sends a SELECT 1 before each request's first statement: a round
        # trip on every request to save the first request after a database restart (which
        # fails once per worker and closes the broken connection). Off unless asked for.
        config = dj_database_url.parse(url, conn_max_age=conn_max_age,
                                       conn_health_checks=env_bool("CONN_HEALTH_CHECKS"))
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Server-side parameters, so PostgreSQL can keep the plan of a statement a
            # connection runs again and again (psycopg prepares it on its second run): parsing
            # and planning cost more than executing the short statements of a page. Behind a
            # transaction-mode pooler set PG_PREPARE_THRESHOLD=off (docs/decisions.md).
            threshold = env("PG_PREPARE_THRESHOLD", "2") or "2"
            config.setdefault("OPTIONS", {}).update(
                {"server_side_binding": True,
                 "prepare_threshold": None if threshold == "off" else int(threshold)})
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    config.setdefault("TEST", {})
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and broker -------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "ebank"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database (Django's store extended as Django documents it: each row names
# its user, and is read with the user and customer in one statement, since the session rules
# read the user on every click anyway: security/identity/sessions.py).
SESSION_ENGINE = "security.identity.sessions"

# --- passwords and PINs ---------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "accounts.hashers.PinKeyedHasher",
]
# 交易密码 are HMAC'd with the PIN key and then stored with this (accounts/hashers.py says why).
PIN_HASHER = "pin_keyed"
# The PIN key (the HSM's PIN verification key in a bank's terms). Required in production
# (prod.py), so that SECRET_KEY can be rotated without every 交易密码; in development and tests
# without it, a key derived from SECRET_KEY.
PIN_KEY = env("PIN_KEY")
# Django's rules with the bank's Chinese messages (security/identity/password_validation.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "security.identity.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "security.identity.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "security.identity.password_validation.CommonPasswordValidator"},
    {"NAME": "security.identity.password_validation.NumericPasswordValidator"},
]

# --- locale: Chinese UI, business time in Asia/Shanghai, UTC in the database ------------------
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"

# --- sessions, cookies, headers -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 5 * 60  # idle timeout (SEC-SESSION)
# The absolute lifetime: a session logged in longer ago than this ends, however active
# (security.identity.middleware; ASVS 7.3.2).
SESSION_ABSOLUTE_SECONDS = int(env("SESSION_ABSOLUTE_SECONDS", str(12 * 3600)) or 12 * 3600)
# Activity moves the expiry forward at most this often (security.identity.middleware says why): an idle
# session ends 4½–5 minutes after the last click instead of a write on every request.
SESSION_REFRESH_SECONDS = 30
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
# A refused CSRF token: the bank's page in Chinese (templates/403_csrf.html), not Django's.
CSRF_FAILURE_VIEW = "ebank.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- per-address throttles (security/identity/throttles.py, django-ratelimit) ---------------------------
# POSTs per client address per window ("count/s|m|h|d"), counted in the default cache.
THROTTLE_LOGIN = env("THROTTLE_LOGIN", "20/m") or "20/m"
THROTTLE_REGISTER = env("THROTTLE_REGISTER", "10/m") or "10/m"
THROTTLE_SMS = env("THROTTLE_SMS", "5/m") or "5/m"
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "security.identity.throttles.throttled"
# The Redis backend is Django's own: INCR is atomic, so django-ratelimit's "not officially
# supported" warning says nothing here. Without Redis the cache is per process
# (locmem): django-ratelimit's E003 then stops production from starting; dev and test silence it.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- login, captcha (附加码), security tools --------------------------------------------------
LOGIN_URL = "security:login"
LOGIN_REDIRECT_URL = "security:home"
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 5  # minutes
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
OTP_TOTP_ISSUER = "安徽农金个人网银"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The bank CA (X-TOOLS): key and certificate live outside the repository; the key is encrypted
# under BANK_CA_PASSPHRASE. ``manage.py init_bank_ca`` creates them.
BANK_CA_DIR = Path(env("BANK_CA_DIR", str(BASE_DIR / "var" / "bank-ca")))
BANK_CA_PASSPHRASE = env("BANK_CA_PASSPHRASE")
SMS_BACKEND = env("SMS_BACKEND", "security.tools.sms.OutboxSmsBackend")
# The development outbox keeps codes readable in the database: prod.py turns this off, and a
# system check then refuses the outbox (docs/security-tools.md).
SMS_OUTBOX_ALLOWED = env_bool("SMS_OUTBOX_ALLOWED", True)
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = env("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_TIMEOUT = 5  # seconds
SMS_CODE_TTL_SECONDS = 300
# Demo helpers that play the customer's devices (the token_answer command, the /dev/token page,
# the SMS inbox on it): on in dev.py and test.py only.
DEMO_TOOLS_ENABLED = False
# SMS abuse caps (docs/login-and-session.md): per customer per day, and across the bank.
SMS_CODES_PER_CUSTOMER_DAY = int(env("SMS_CODES_PER_CUSTOMER_DAY", "30") or 30)
SMS_PHONES_PER_CUSTOMER_DAY = int(env("SMS_PHONES_PER_CUSTOMER_DAY", "3") or 3)
SMS_CODES_GLOBAL_PER_MINUTE = int(env("SMS_CODES_GLOBAL_PER_MINUTE", "600") or 600)
CONFIRMATION_TTL_SECONDS = 300
TOOL_FEE_USBKEY = Decimal(env("TOOL_FEE_USBKEY", "60.00") or "60.00")
TOOL_FEE_TOKEN = Decimal(env("TOOL_FEE_TOKEN", "30.00") or "30.00")
# 复核 (maker-checker): a request not decided within this many hours expires (the maker asks
# again; a customer waiting at the counter is not kept past the business day).
APPROVAL_EXPIRY_HOURS = int(env("APPROVAL_EXPIRY_HOURS", "8") or "8")

# --- field encryption (ID numbers) --------------------------------------------------------------
# A Fernet key (urlsafe base64 of 32 bytes). prod.py requires it from the environment.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")

# --- the bank -------------------------------------------------------------------------------
BANK_NAME = env("BANK_NAME", "安徽农金")
BANK_FULL_NAME = env("BANK_FULL_NAME", "安徽省农村信用社联合社")

# --- clearing (FEATURES.md clearing rules) ----------------------------------------------------
IBPS_MAX_AMOUNT = Decimal("50000.00")
NORMAL_ARRIVAL_DELAY_MINUTES = int(env("NORMAL_ARRIVAL_DELAY_MINUTES", "120") or 120)
NEXT_DAY_EXECUTION_HOUR = 9
CLEARING_ADAPTER = env("CLEARING_ADAPTER", "ebank.clearing.simulator.SimulatedClearing")
# The other banks (他行账户管理, 跨行资金归集): docs/otherbanks.md.
OTHERBANK_ADAPTER = env("OTHERBANK_ADAPTER", "ebank.otherbanks.simulator.SimulatedOtherBanks")
# The billers (自助缴费): docs/payments.md.
BILLER_ADAPTER = env("BILLER_ADAPTER", "ebank.billers.simulator.SimulatedBillers")
# The simulated billers' 对账文件 (<dir>/<biller code>/<YYYYMMDD>.csv), read by reconcile_billers.
BILLER_FILES_DIR = Path(env("BILLER_FILES_DIR", str(BASE_DIR / "var" / "biller-files")))
# The acquirer (收单机构) whose card purchases and refunds reach 信用卡业务: docs/creditcard.md.
ACQUIRER_ADAPTER = env("ACQUIRER_ADAPTER", "ebank.acquirer.simulator.SimulatedAcquirer")

# --- limits (X-LIMIT) -------------------------------------------------------------------------
SELF_SERVICE_SINGLE_CAP = Decimal("1000000.00")
SELF_SERVICE_DAILY_CAP = Decimal("5000000.00")
TOOLLESS_DAILY_CAP_DEFAULT = Decimal("5000.00")
# 薪加利实时转出 a customer a day, until a 产品/渠道 policy of channel xjl_redeem sets another
# (DOMAIN-RULES §5: the 2021 rule on cash-management products; the manual's 50,000 is older).
XJL_REDEEM_DAILY_DEFAULT = Decimal("10000.00")

# --- deferred work (X-ASYNC) ------------------------------------------------------------------
# "celery": commit hooks kick a Celery task; "none": the run_due_work --loop poller finds rows.
DUEWORK_KICK = env("DUEWORK_KICK", "celery" if REDIS_URL else "none")
DUEWORK_MAX_ATTEMPTS = 5

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Above every countdown we ever use (we use none longer than a minute: schedules live in the
# database), so Redis never redelivers a task that is merely waiting.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-work": {"task": "ebank.duework.tasks.dispatch_due_work", "schedule": 60.0},
    # 日终: shortly after midnight Asia/Shanghai (CELERY_TIMEZONE), for the day that just ended.
    "nightly-batch": {"task": "ebank.duework.tasks.run_nightly_batch",
                      "schedule": crontab(hour=0, minute=10)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- TRF-SCHED 定时转账 ---------------------------------------------------------------------------
# The hour (Asia/Shanghai) a 定时转账 runs on its day; 跨行定时转账 go by 网银互联 only (≤ 50,000).
PERIODIC_TRANSFER_HOUR = 9
# --- end TRF-SCHED -------------------------------------------------------------------------------
# --- TRF-BATCH ----------------------------------------------------------------------------------
# 批量转账: a batch left unconfirmed (草稿 / 待确认) this many days is deleted by the nightly step
# ``batch_drafts_clear`` (transfers/batch/nightly.py).
TRANSFER_BATCH_DRAFT_DAYS = 7
# --- end TRF-BATCH

# --- 网上支付 协议管理 (快捷支付, PAY-QUICKPAY): docs/payments.md ---------------------------------
# The bank's caps on the limits a customer chooses for each agreement (signing takes the caps).
QUICKPAY_SINGLE_CAP = Decimal(env("QUICKPAY_SINGLE_CAP", "5000.00") or "5000.00")
QUICKPAY_DAILY_CAP = Decimal(env("QUICKPAY_DAILY_CAP", "50000.00") or "50000.00")
