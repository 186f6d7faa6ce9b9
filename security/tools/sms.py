"""SMS: every message goes through a backend and is recorded in the outbox (SmsMessage).

* ``settings.SMS_BACKEND`` names the backend from a fixed table (:data:`SMS_BACKENDS`); a real
  gateway adapter is added to that table, never loaded by an arbitrary dotted path.
* In development and tests the backend is :class:`OutboxSmsBackend`: the outbox row *is* the
  message, readable by staff in the admin and by tests. A real gateway's outbox rows keep the
  text with any verification code masked, so staff never see a live code.
* Verification codes (SmsCode): six digits from ``secrets``, bound to (phone, purpose, operation
  digest), valid ``settings.SMS_CODE_TTL_SECONDS``, single use, dead after five wrong tries.
  Only an HMAC-SHA256 keyed with ``SECRET_KEY`` is stored. A check writes the use or the wrong
  try before it answers (in its own transaction, or in the caller's, which commits it whatever
  it then refuses: security/tools/errors.py), so a used code stays used and a wrong try stays
  counted.
* The backend is called after the surrounding transaction commits, so nobody receives a code
  the database then forgets.
* Abuse caps (settings, refusals audited as ``sms.refused``, committed before the refusal is
  raised):
  codes per customer per day, distinct phone numbers texted per customer per day, and a global
  rate of codes per minute, besides one code per 60 s per (phone, purpose).
* Backends: the development outbox, and an HTTP gateway (``SMS_GATEWAY_URL`` and
  ``SMS_GATEWAY_KEY`` from the environment). A system check refuses the development outbox where
  ``SMS_OUTBOX_ALLOWED`` is off (production).
"""

import json
import logging
import re
import secrets
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from ebank.core.audit import audit_record
from ebank.core.masking import mask_phone
from ebank.core.models import AuditOutcome
from security.confirm.registry import operation_kind_get
from security.models import SmsCode, SmsMessage, SmsSubscription

from .errors import ToolError

logger = logging.getLogger(__name__)

SMS_SIGNATURE = "【安徽农金】"
SMS_CODE_THROTTLE = timedelta(seconds=60)
SMS_CODE_MAX_FAILURES = 5
# The one table of what each SmsMessage/SmsCode purpose is, in Chinese: the admin's 短信发件箱
# shows it, and a code's text says it when the caller names no action. An app that sends with a
# purpose of its own adds it with ``sms_purposes()`` from its ``ready()``. A purpose
# "<code>:<id>" (one balance alert per entry) reads as its code; an X-CONFIRM operation kind
# (the purpose of a confirmation's code) as "交易确认：<the kind's title>".
# tests/test_sms_purpose_labels.py fails for a purpose the code uses without a label.
SMS_PURPOSE_LABELS = {
    "confirm": "网上银行交易确认",
    "register": "个人网上银行自助注册",
    "phone_change": "预留手机号变更",
    "mobile_banking": "手机银行签约",
    "balance_alert": "余额变动提醒",
}
_GENERIC_PURPOSE_LABEL = "网上银行业务"
# SmsMessage.backend (each backend's ``name``), as the outbox shows it.
SMS_BACKEND_LABELS = {
    "outbox": "开发环境发件箱（不外发）",
    "http": "短信网关",
}
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


class SmsGatewayError(Exception):
    """The gateway refused or could not be reached (logged; the customer asks again)."""


class HttpSmsBackend(SmsBackend):
    """A real SMS gateway over HTTPS: ``POST settings.SMS_GATEWAY_URL`` with a JSON body
    ``{"phone": …, "text": …}`` and ``Authorization: Bearer <SMS_GATEWAY_KEY>``; any 2xx answer
    is success. URL and key come from the environment (never from the repository)."""

    name = "http"

    def __init__(self) -> None:
        self.url = getattr(settings, "SMS_GATEWAY_URL", "") or ""
        self.key = getattr(settings, "SMS_GATEWAY_KEY", "") or ""
        self.timeout = float(getattr(settings, "SMS_GATEWAY_TIMEOUT", 5))

    def send(self, *, phone: str, text: str) -> None:
        if not self.url or not self.key:
            raise ImproperlyConfigured("SMS_GATEWAY_URL and SMS_GATEWAY_KEY must be set")
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) URL")
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     "Authorization": f"Bearer {self.key}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            # Never the text: it holds the code.
            raise SmsGatewayError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if not 200 <= status < 300:
            raise SmsGatewayError(f"SMS gateway answered HTTP {status}")


SMS_BACKENDS: dict[str, type[SmsBackend]] = {
    "security.tools.sms.OutboxSmsBackend": OutboxSmsBackend,
    "security.tools.sms.HttpSmsBackend": HttpSmsBackend,
}


def sms_backend() -> SmsBackend:
    try:
        return SMS_BACKENDS[settings.SMS_BACKEND]()
    except KeyError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND={settings.SMS_BACKEND!r} is not one of {sorted(SMS_BACKENDS)}"
        ) from None


def sms_purposes(labels: dict[str, str]) -> None:
    """Register the Chinese name of each purpose code an app sends with. The same name again is
    harmless (``ready()`` run twice); another name for a code already named is refused."""
    for purpose, label in labels.items():
        existing = SMS_PURPOSE_LABELS.get(purpose)
        if existing is not None and existing != label:
            raise ImproperlyConfigured(f"短信用途 {purpose!r} 已注册为“{existing}”")
        SMS_PURPOSE_LABELS[purpose] = label


def sms_purpose_labelled(purpose: str) -> str | None:
    """The Chinese name of ``purpose`` from the table or the operation kinds; None if none."""
    code = purpose.split(":", 1)[0]
    if code in SMS_PURPOSE_LABELS:
        return SMS_PURPOSE_LABELS[code]
    try:
        kind = operation_kind_get(purpose)
    except ImproperlyConfigured:  # not a registered kind
        return None
    return f"交易确认：{kind.title}"


def sms_purpose_label(purpose: str) -> str:
    """What ``purpose`` is called: its name, else the purpose itself when already Chinese, else
    the generic 网上银行业务."""
    label = sms_purpose_labelled(purpose)
    if label is not None:
        return label
    return purpose if not purpose.isascii() else _GENERIC_PURPOSE_LABEL


def sms_backend_label(backend: str) -> str:
    return SMS_BACKEND_LABELS.get(backend, backend)


@transaction.atomic
def sms_send(*, phone: str, text: str, purpose: str) -> SmsMessage:
    """Record the message in the outbox, then (after commit) hand it to the backend."""
    return _sms_deliver(phone=phone, text=text, outbox_text=text, purpose=purpose)


def subscriber_sms_send(*, sub_account_id: int, text, purpose: str, reference: str) -> bool:
    """After commit: text the 短信服务 subscriber of an account (a failed transfer, a batch's
    failed rows, a reversed bill payment); True when sent. ``text`` is the message or a callable
    making it (only called when there is a subscriber). An SMS gateway outage is logged with
    ``reference`` only (the text and the phone are customer data) and undoes nothing."""
    subscription = SmsSubscription.objects.filter(sub_account_id=sub_account_id,
                                                  active=True).first()
    if subscription is None:
        return False
    try:
        sms_send(phone=subscription.phone, text=text() if callable(text) else text,
                 purpose=purpose)
    except Exception:
        logger.warning("SMS %s for %s not sent", purpose, reference, exc_info=True)
        return False
    return True


def sms_code_issue(*, phone: str, purpose: str, operation_digest: str, customer=None,
                   action: str | None = None, ip: str | None = None) -> None:
    """Send a fresh code for this operation to ``phone``; older unused ones for it stop working.

    ``customer`` is who asked (the caps count per customer); without it, the customer whose
    reserved phone this is (registration sends to the reserved phone). ``action`` is what the
    text says the customer is doing ("向尾号0047的账户转账¥88.00"); else the purpose's label.
    Refusals (too soon, a cap reached) raise ToolError; a cap's refusal is audited first (a
    caller inside a transaction commits that row and raises after, as ``operation_sms_send``).
    """
    _phone_check(phone)
    now = timezone.now()
    if customer is None:
        customer = _customer_of_phone(phone)
    # A rare race of two requests in the same instant may send two codes; both stay bound
    # to their operation and the newer supersedes the older, so nothing is weakened.
    if sms_code_wait_seconds(phone=phone, purpose=purpose, now=now):
        raise ToolError("验证码发送过于频繁，请稍后再试", code="sms_too_soon")
    refusal = _caps_refusal(phone=phone, customer=customer, now=now)
    if refusal is not None:
        reason, message = refusal
        with transaction.atomic():
            _refusal_audit(customer_id=getattr(customer, "pk", None), phone=phone,
                           purpose=purpose, reason=reason, ip=ip)
        logger.warning("SMS code refused: %s (purpose %s)", reason, purpose)
        raise ToolError(message, code=f"sms_{reason}")
    with transaction.atomic():
        SmsCode.objects.filter(phone=phone, purpose=purpose, operation_digest=operation_digest,
                               used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        code = f"{secrets.randbelow(10**6):06d}"
        ttl = int(settings.SMS_CODE_TTL_SECONDS)
        sms_code = SmsCode.objects.create(
            phone=phone, purpose=purpose, operation_digest=operation_digest,
            customer_id=getattr(customer, "pk", None),
            code_hash=_code_hash(phone=phone, purpose=purpose,
                                 operation_digest=operation_digest, code=code),
            expires_at=now + timedelta(seconds=ttl),
        )
        doing = action or f"进行{sms_purpose_label(purpose)}"
        text = (f"{SMS_SIGNATURE}您正在{doing}，验证码{{}}，"
                f"{max(ttl // 60, 1)}分钟内有效，切勿告知他人。")
        _sms_deliver(phone=phone, text=text.format(code), outbox_text=text.format("******"),
                     purpose=purpose, sms_code=sms_code)


def sms_code_wait_seconds(*, phone: str, purpose: str, now: datetime | None = None) -> int:
    """Seconds until another code may be sent to ``phone`` for ``purpose`` (0: now)."""
    now = now or timezone.now()
    last = (SmsCode.objects.filter(phone=phone, purpose=purpose,
                                   created_at__gt=now - SMS_CODE_THROTTLE)
            .order_by("-created_at").values_list("created_at", flat=True).first())
    if last is None:
        return 0
    left = (last + SMS_CODE_THROTTLE - now).total_seconds()
    return max(int(left + 0.999), 0)


def _customer_of_phone(phone: str):
    from accounts.models import Customer

    return Customer.objects.filter(phone=phone).order_by("pk").first()


def _day_start(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))


def _caps_refusal(*, phone: str, customer, now: datetime) -> tuple[str, str] | None:
    """The abuse cap this code would break, as (reason, message); None when none is."""
    if customer is not None:
        today = SmsCode.objects.filter(customer_id=customer.pk, created_at__gte=_day_start(now))
        if today.count() >= int(settings.SMS_CODES_PER_CUSTOMER_DAY):
            return ("customer_daily", "今日短信验证码发送次数已达上限，请明日再试")
        phones = set(today.values_list("phone", flat=True).distinct())
        if phone not in phones and len(phones) >= int(settings.SMS_PHONES_PER_CUSTOMER_DAY):
            return ("phones_daily", "今日接收验证码的手机号码数量已达上限，请明日再试")
    recent = SmsCode.objects.filter(created_at__gt=now - timedelta(seconds=60)).count()
    if recent >= int(settings.SMS_CODES_GLOBAL_PER_MINUTE):
        return ("global_rate", "短信发送繁忙，请稍后再试")
    return None


def sms_code_verify(*, phone: str, purpose: str, operation_digest: str, code: str) -> bool:
    """True once for the live code of exactly this (phone, purpose, operation digest).

    The use or the wrong try is written before this answers (security/tools/errors.py)."""
    code = (code or "").strip()
    with transaction.atomic():
        return _code_check(phone=phone, purpose=purpose, operation_digest=operation_digest,
                           code=code)


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


def _sms_deliver(*, phone: str, text: str, outbox_text: str, purpose: str,
                 sms_code: SmsCode | None = None) -> SmsMessage:
    _phone_check(phone)
    backend = sms_backend()
    message = SmsMessage.objects.create(
        phone=phone, purpose=purpose[:32], backend=backend.name[:32], code=sms_code,
        text=(text if backend.outbox_holds_codes else outbox_text)[:300],
    )

    def deliver() -> None:
        backend.send(phone=phone, text=text)

    # robust: a gateway failure is logged and never undoes what already committed; the customer
    # asks for a new code after the throttle interval.
    transaction.on_commit(deliver, robust=True)
    return message


def sms_text_for_staff(message: SmsMessage, *, now: datetime | None = None) -> str:
    """The outbox text as staff may read it: a code is masked while it can still be used."""
    code = message.code
    live = code is not None and (code.used_at is None
                                 and code.expires_at > (now or timezone.now())
                                 and code.failures < SMS_CODE_MAX_FAILURES)
    if code is None and not _CODE_IN_TEXT.search(message.text):
        return message.text
    if live or code is None:  # a code not linked to its row: masked, to be safe
        return _CODE_IN_TEXT.sub("验证码******", message.text)
    return message.text


def _refusal_audit(*, customer_id: int | None, phone: str, purpose: str, reason: str,
                   ip: str | None) -> None:
    audit_record(action="sms.refused", outcome=AuditOutcome.FAILURE, customer_id=customer_id,
                 object_ref=f"phone:{mask_phone(phone)}", ip_address=ip,
                 detail={"reason": reason, "purpose": purpose, "phone": mask_phone(phone)})


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
    if live is None:  # no live code for this operation: never sent, used, expired
        return False
    expected = _code_hash(phone=phone, purpose=purpose, operation_digest=operation_digest,
                          code=code)
    if _CODE_SHAPE.fullmatch(code) and constant_time_compare(live.code_hash, expected):
        live.used_at = now
        live.save(update_fields=["used_at"])
        return True
    live.failures += 1
    live.save(update_fields=["failures"])
    return False
