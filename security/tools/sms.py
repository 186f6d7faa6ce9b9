"""SMS: every message goes through a backend and is recorded in the outbox (SmsMessage).

* ``settings.SMS_BACKEND`` names the backend from a fixed table (:data:`SMS_BACKENDS`); a real
  gateway adapter is added to that table, never loaded by an arbitrary dotted path.
* In development and tests the backend is :class:`OutboxSmsBackend`: the outbox row *is* the
  message, readable by staff in the admin and by tests. A real gateway's outbox rows keep the
  text with any verification code masked, so staff never see a live code.
* Verification codes (SmsCode): six digits from ``secrets``, bound to (phone, purpose, operation
  digest), valid ``settings.SMS_CODE_TTL_SECONDS``, single use, dead after five wrong tries.
  Only an HMAC-SHA256 keyed with ``SECRET_KEY`` is stored. Checks commit on their own
  (commit_apart): a used code stays used and a wrong try stays counted whatever the caller's
  transaction does next.
* The backend is called after the surrounding transaction commits, so nobody receives a code
  the database then forgets.
"""

import logging
import re
import secrets
from abc import ABC, abstractmethod
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from security.models import SmsCode, SmsMessage

from .errors import ToolError, commit_apart

logger = logging.getLogger(__name__)

SMS_SIGNATURE = "【安徽农金】"
SMS_CODE_THROTTLE = timedelta(seconds=60)
SMS_CODE_MAX_FAILURES = 5
# What the customer is told the code is for. A purpose not listed here is shown as written when
# it is already Chinese, else as the generic label.
SMS_PURPOSE_LABELS = {
    "confirm": "网上银行交易确认",
    "register": "个人网上银行自助注册",
    "login": "网上银行登录",
    "password_reset": "登录密码重置",
    "phone_change": "预留手机号变更",
    "mobile_banking": "手机银行签约",
}
_GENERIC_PURPOSE_LABEL = "网上银行业务"
_CODE_IN_TEXT = re.compile(r"验证码(\d{6})")
_CODE_SHAPE = re.compile(r"[0-9]{6}")
_PHONE_SHAPE = re.compile(r"1[0-9]{10}")


class SmsBackend(ABC):
    """Delivers one text to one phone. ``name`` is recorded in the outbox row."""

    name = "base"
    # Whether outbox rows may hold verification codes in clear: only where the outbox is the
    # delivery itself (development), never beside a real gateway.
    outbox_holds_codes = False

    @abstractmethod
    def send(self, *, phone: str, text: str) -> None:
        """Hand the text to the gateway."""


class OutboxSmsBackend(SmsBackend):
    """Development and tests: nothing leaves the bank; the outbox row is the message."""

    name = "outbox"
    outbox_holds_codes = True

    def send(self, *, phone: str, text: str) -> None:
        return None


SMS_BACKENDS: dict[str, type[SmsBackend]] = {
    "security.tools.sms.OutboxSmsBackend": OutboxSmsBackend,
}


def sms_backend() -> SmsBackend:
    try:
        return SMS_BACKENDS[settings.SMS_BACKEND]()
    except KeyError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={settings.SMS_BACKEND!r} is not one of {sorted(SMS_BACKENDS)}"
        ) from None


def sms_purpose_label(purpose: str) -> str:
    if purpose in SMS_PURPOSE_LABELS:
        return SMS_PURPOSE_LABELS[purpose]
    return purpose if not purpose.isascii() else _GENERIC_PURPOSE_LABEL


@transaction.atomic
def sms_send(*, phone: str, text: str, purpose: str) -> SmsMessage:
    """Record the message in the outbox, then (after commit) hand it to the backend."""
    return _sms_deliver(phone=phone, text=text, outbox_text=text, purpose=purpose)


@transaction.atomic
def sms_code_issue(*, phone: str, purpose: str, operation_digest: str) -> None:
    """Send a fresh code for this operation to ``phone``; older unused ones for it stop working."""
    _phone_check(phone)
    now = timezone.now()
    # A rare race of two requests in the same instant may send two codes; both stay bound
    # to their operation and the newer supersedes the older, so nothing is weakened.
    if SmsCode.objects.filter(phone=phone, purpose=purpose,
                              created_at__gt=now - SMS_CODE_THROTTLE).exists():
        raise ToolError("验证码发送过于频繁，请稍后再试")
    SmsCode.objects.filter(phone=phone, purpose=purpose, operation_digest=operation_digest,
                           used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = int(settings.SMS_CODE_TTL_SECONDS)
    SmsCode.objects.create(
        phone=phone, purpose=purpose, operation_digest=operation_digest,
        code_hash=_code_hash(phone=phone, purpose=purpose, operation_digest=operation_digest,
                             code=code),
        expires_at=now + timedelta(seconds=ttl),
    )
    text = (f"{SMS_SIGNATURE}您正在进行{sms_purpose_label(purpose)}，验证码{{}}，"
            f"{max(ttl // 60, 1)}分钟内有效，请勿泄露。")
    _sms_deliver(phone=phone, text=text.format(code), outbox_text=text.format("******"),
                 purpose=purpose)


def sms_code_verify(*, phone: str, purpose: str, operation_digest: str, code: str) -> bool:
    """True once for the live code of exactly this (phone, purpose, operation digest)."""
    code = (code or "").strip()
    try:
        return commit_apart(partial(_code_check, phone=phone, purpose=purpose,
                                    operation_digest=operation_digest, code=code))
    except ObjectDoesNotExist:  # no live code for this operation: never sent, used, expired
        return False


def sms_outbox_latest_code(*, phone: str) -> str | None:
    """TEST/DEMO ONLY: the code in the newest outbox message to ``phone`` that carries one.

    Works only with the development outbox (a real gateway's rows are masked); no production
    code path calls it — it stands in for the customer reading their phone.
    """
    for text in SmsMessage.objects.filter(phone=phone).order_by("-id").values_list("text",
                                                                                    flat=True):
        found = _CODE_IN_TEXT.search(text)
        if found:
            return found.group(1)
    return None


def _sms_deliver(*, phone: str, text: str, outbox_text: str, purpose: str) -> SmsMessage:
    _phone_check(phone)
    backend = sms_backend()
    message = SmsMessage.objects.create(
        phone=phone, purpose=purpose[:32], backend=backend.name[:32],
        text=(text if backend.outbox_holds_codes else outbox_text)[:300],
    )

    def deliver() -> None:
        backend.send(phone=phone, text=text)

    # robust: a gateway failure is logged and never undoes what already committed; the customer
    # asks for a new code after the throttle interval.
    transaction.on_commit(deliver, robust=True)
    return message


def _phone_check(phone: str) -> None:
    if not isinstance(phone, str) or not _PHONE_SHAPE.fullmatch(phone):
        raise ToolError("手机号码格式不正确")


def _code_hash(*, phone: str, purpose: str, operation_digest: str, code: str) -> str:
    return salted_hmac("security.tools.sms.code", "|".join([phone, purpose, operation_digest, code]),
                       algorithm="sha256").hexdigest()


def _code_check(*, phone: str, purpose: str, operation_digest: str, code: str) -> bool:
    now = timezone.now()
    live = (SmsCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, operation_digest=operation_digest,
                    used_at__isnull=True, expires_at__gt=now,
                    failures__lt=SMS_CODE_MAX_FAILURES)
            .order_by("-id").first())
    if live is None:
        raise SmsCode.DoesNotExist  # commit_apart then looks in the caller's transaction too
    expected = _code_hash(phone=phone, purpose=purpose, operation_digest=operation_digest,
                          code=code)
    if _CODE_SHAPE.fullmatch(code) and constant_time_compare(live.code_hash, expected):
        live.used_at = now
        live.save(update_fields=["used_at"])
        return True
    live.failures += 1
    live.save(update_fields=["failures"])
    return False
