"""Login, lockout, password change and online registration (SEC-LOGIN, SEC-LOCK, SEC-FORCE,
SEC-SESSION, SEC-REG-ONLINE).

How the pieces fit:

* ``user_login_check`` decides whether a login name and password may log in. Every refusal —
  unknown name, wrong password, locked, suspended or cancelled — does the same work (one
  password hash, :func:`_password_work`) and raises :class:`LoginRefused` whose message comes
  only from the count of failures *of the typed identifier* today (:func:`login_failures_count`,
  kept in the cache, known name or not): "还可尝试N次", then "已锁定至次日，或请到柜面解锁". So
  neither the time nor the words tell an attacker whether the name exists or is locked.
  Whether a *known* user may log in is decided on the user row alone: a wrong password is
  counted there (locked ``select_for_update``, so two concurrent guesses both count); the
  fifth in a row — at login or in a session (:func:`user_password_confirm`) — locks login until
  the next Asia/Shanghai business day. Failures and their audit rows commit in their own
  transaction before the refusal is raised.
* The view then calls Django's ``login()`` (which rotates the session key) and
  ``user_login_record``: last/previous login time and IP, the pending login name applied, the
  new session recorded as the user's one live session and the previous one ended.
* ``user_password_change`` serves both the forced change at first login and 安全中心 › 密码管理.
* ``user_register_online`` creates the tool-less user of 网上自助注册 once the wizard
  (security/identity/views.py) has checked the core records and the SMS code.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, is_password_usable, make_password
from django.contrib.sessions.backends.base import UpdateError
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string, salted_hmac

from accounts.models import (
    Customer,
    IdType,
    LinkedMedium,
    Medium,
    MediumKind,
    MediumStatus,
)
from accounts.services import customer_find_by_id_number, pin_matches
from ebank.core.audit import audit_record
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number, mask_phone
from ebank.core.models import AuditOutcome

from ..models import RegistrationChannel, User, UserStatus

MAX_FAILED_LOGINS = 5
# A refused form (附加码, malformed input): nothing was checked, nothing is counted.
LOGIN_FAILED_MESSAGE = "登录名、密码或附加码错误；如连续输错5次，登录将被锁定至次日"
LOGIN_LOCKED_MESSAGE = "登录密码已连续输错5次，已锁定至次日，或请到柜面解锁"
IN_SESSION_LOCKED_MESSAGE = ("网银登录密码已连续输错5次，登录已锁定至次日，您已退出登录；"
                             "如需当日解锁请携带有效身份证件到我行任意网点办理")
LOGIN_LOCK_HINT = "连续输错5次登录密码将锁定至次日，如需当日解锁请携带有效身份证件到我行任意网点办理"
REGISTER_MISMATCH_MESSAGE = "您输入的卡号/账号、交易密码、姓名或证件信息与我行记录不符，请核对后重新输入"

# Media that pay by 交易密码 and may register e-banking (the counter rule: 卡或结算户活期存折).
REGISTRABLE_KINDS = (MediumKind.DEBIT_CARD, MediumKind.CURRENT_PASSBOOK,
                     MediumKind.CURRENT_ONEBOOK)
LOGIN_NAME_RE = re.compile(r"^[A-Za-z0-9_]{4,20}$")
# An 18-character resident ID number: a login name shaped like one would shadow ID login.
ID_NUMBER_SHAPE_RE = re.compile(r"^\d{17}[\dXx]$")


class LoginRefused(BusinessError):
    code = "login_refused"
    default_message = LOGIN_FAILED_MESSAGE


class LoginLockedOut(Exception):  # noqa: N818 - an outcome, not a programming error
    """A wrong 登录密码 in a session locked the user: ``CustomerSessionMiddleware`` logs the
    session out and shows :data:`IN_SESSION_LOCKED_MESSAGE` (not a BusinessError, so that no
    form view catches it)."""


def login_attempts_left_message(failures: int) -> str:
    """The words of a refused login after ``failures`` failures of the typed identifier."""
    left = MAX_FAILED_LOGINS - failures
    if left <= 0:
        return LOGIN_LOCKED_MESSAGE
    return f"登录名或登录密码错误，还可尝试{left}次"


# --- the same work on every path -----------------------------------------------------------------


def _dummy_hash() -> str:
    """A hash made with the configured default hasher, to check a password against when there
    is no user (or no usable hash): remade only when the hasher setting changes."""
    hashers = tuple(settings.PASSWORD_HASHERS)
    if _DUMMY.get("hashers") != hashers:
        _DUMMY.update(hashers=hashers, encoded=make_password(get_random_string(24)))
    return _DUMMY["encoded"]


_DUMMY: dict = {}


def _password_work(user: User | None, password: str) -> bool:
    """Whether ``password`` is the user's, computed with exactly one password hash whatever the
    case — no user, a locked, suspended or cancelled one, an unusable hash — so that no refusal
    answers sooner than another (ASVS 6.3.x; the timing told a locked account apart)."""
    if user is None or not is_password_usable(user.password):
        check_password(password, _dummy_hash())
        return False
    return user.check_password(password)


# --- failures per typed identifier ---------------------------------------------------------------


def _failures_key(login_name: str, day: date) -> str:
    # Keyed by a keyed hash of the identifier (an ID number or a phone never sits in the cache
    # in clear) and by the business day, so a new day starts from nothing whatever the cache's
    # clock says.
    digest = salted_hmac("security.login-failures", login_name.strip().casefold()).hexdigest()
    return f"login-failures:{day.isoformat()}:{digest}"


def login_failures_count(*, login_name: str, add: bool = False) -> int:
    """Today's failed logins typed with ``login_name`` (known or not); ``add`` counts one more.

    In the cache (Redis in production: ``incr`` is atomic). Losing it loses only the words of
    the message: whether a known user may log in is decided on the user row.
    """
    key = _failures_key(login_name, business_day())
    if not add:
        return int(cache.get(key, 0))
    cache.add(key, 0, timeout=2 * 24 * 3600)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=2 * 24 * 3600)
        return 1


def login_failures_forget(*, login_name: str) -> None:
    cache.delete(_failures_key(login_name, business_day()))


# --- login -------------------------------------------------------------------------------------


def user_identify(*, login_name: str) -> User | None:
    """The customer user a login name designates, or None.

    In order: 登录名; a pending new 登录名 (it works from the next login on, see
    ``user_login_record``); the number of a medium linked to the customer's e-banking; the ID
    number or the reserved phone where the customer enabled that in 登录设置管理. Staff never log
    in here (the admin has its own login).
    """
    name = login_name.strip()
    if not name:
        return None
    customers = User.objects.filter(customer__isnull=False)
    user = customers.filter(username=name).first()
    if user is not None:
        return user
    user = customers.filter(pending_username=name).first()
    if user is not None:
        return user
    link = LinkedMedium.objects.filter(medium__number=name).only("customer_id").first()
    if link is not None:
        user = customers.filter(customer_id=link.customer_id).first()
        if user is not None:
            return user
    for id_type in IdType.values:
        customer = customer_find_by_id_number(id_type=id_type, id_number=name)
        if customer is not None:
            user = customers.filter(customer=customer, login_by_id_number=True).first()
            if user is not None:
                return user
    by_phone = list(customers.filter(customer__phone=name, login_by_phone=True)[:2])
    # A phone shared by two customers designates neither.
    return by_phone[0] if len(by_phone) == 1 else None


def user_login_locked(*, user: User, today: date | None = None) -> bool:
    return user.login_locked_on is not None and user.login_locked_on >= (today or business_day())


def user_login_check(*, login_name: str, password: str, ip_address: str | None = None) -> User:
    """The user if ``login_name``/``password`` may log in now; else :class:`LoginRefused`.

    Writes only on refusal (the failure counts, the lock, the audit row), committed before the
    refusal is raised. Every path computes one password hash.
    """
    user, reason = _login_attempt_record(login_name=login_name, password=password,
                                         ip_address=ip_address)
    if user is None:
        failures = (login_failures_count(login_name=login_name) if reason == "identifier_locked"
                    else login_failures_count(login_name=login_name, add=True))
        raise LoginRefused(login_attempts_left_message(failures), code=reason)
    login_failures_forget(login_name=login_name)
    return user


@transaction.atomic(durable=True)
def _login_attempt_record(*, login_name: str, password: str,
                          ip_address: str | None) -> tuple[User | None, str]:
    found = user_identify(login_name=login_name)
    identifier_locked = login_failures_count(login_name=login_name) >= MAX_FAILED_LOGINS
    if found is None:
        _password_work(None, password)
        reason = "identifier_locked" if identifier_locked else "unknown_user"
        audit_record(action="login_failed", outcome=AuditOutcome.FAILURE, ip_address=ip_address,
                     detail={"reason": reason})
        return None, reason
    user = User.objects.select_for_update().get(pk=found.pk)
    # The hash first, whatever follows: a locked or suspended user costs what a wrong password
    # costs. Its result counts only for an active, unlocked user.
    right = _password_work(user, password)
    today = business_day()
    reason = ""
    if user.status != UserStatus.ACTIVE:
        reason = f"status_{user.status}"
    elif user_login_locked(user=user, today=today):
        reason = "locked"
    elif not right:
        _failure_count(user, today)
        reason = "locked_now" if user.login_locked_on else "wrong_password"
    if reason:
        audit_record(action="login_failed", outcome=AuditOutcome.FAILURE, actor=user,
                     customer_id=user.customer_id, ip_address=ip_address,
                     detail={"reason": reason, "failed_logins": user.failed_logins})
        return None, reason
    if identifier_locked:
        # A known user typed the right password under an identifier whose count today says
        # locked: the user row decides (it is not locked), the identifier's words start over.
        login_failures_forget(login_name=login_name)
    return user, ""


def _failure_count(user: User, today: date) -> None:
    """One more wrong password on the (locked) user row; the fifth locks login until tomorrow."""
    stale_lock = user.login_locked_on is not None
    user.failed_logins = (0 if stale_lock else user.failed_logins) + 1
    user.login_locked_on = today if user.failed_logins >= MAX_FAILED_LOGINS else None
    user.save(update_fields=["failed_logins", "login_locked_on"])


def user_password_confirm(*, user: User, password: str, action: str,
                          ip_address: str | None = None,
                          wrong_message: str = "网银登录密码错误") -> None:
    """The 登录密码 asked by a form inside a session (登录设置管理, 个人资料变更, 密码管理 …).

    A wrong one counts toward the login lock (the same count as login, on the user row): the
    refusal says how many tries are left; the fifth locks login until tomorrow and raises
    :class:`LoginLockedOut`, on which the middleware logs the session out. A right one clears
    the count. One password hash either way.
    """
    if _password_work(user, password or ""):
        if user.failed_logins:
            User.objects.filter(pk=user.pk).update(failed_logins=0)
            user.failed_logins = 0
        return
    failures, locked = _in_session_failure_record(user=user, action=action,
                                                  ip_address=ip_address)
    if locked:
        raise LoginLockedOut(action)
    raise BusinessError(f"{wrong_message}，还可尝试{MAX_FAILED_LOGINS - failures}次",
                        code="wrong_login_password")


@transaction.atomic(durable=True)
def _in_session_failure_record(*, user: User, action: str,
                               ip_address: str | None) -> tuple[int, bool]:
    locked = User.objects.select_for_update().get(pk=user.pk)
    _failure_count(locked, business_day())
    user.failed_logins, user.login_locked_on = locked.failed_logins, locked.login_locked_on
    audit_record(action=action, outcome=AuditOutcome.FAILURE, actor=locked,
                 customer_id=locked.customer_id, ip_address=ip_address,
                 detail={"reason": "wrong_login_password", "failed_logins": locked.failed_logins,
                         "locked": locked.login_locked_on is not None})
    return locked.failed_logins, locked.login_locked_on is not None


# What a session ended by a newer login still holds: no login, only this mark, so that its
# browser's next request is told why (security.identity.middleware) instead of silently finding itself
# logged out.
SESSION_ENDED_KEY = "_ended_by"
SESSION_ENDED_BY_OTHER_LOGIN = "other_login"


def _session_end(session_key: str) -> None:
    """End the session ``session_key``: everything in it is replaced by the end mark (the row
    lives on only until its idle expiry). A session already gone stays gone."""
    if not session_key:
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    store.clear()  # not loaded: its data is simply replaced
    store[SESSION_ENDED_KEY] = SESSION_ENDED_BY_OTHER_LOGIN
    with contextlib.suppress(UpdateError):  # the row is gone already: gone is ended too
        store.save()


@transaction.atomic(durable=True)
def user_login_record(*, user: User, session_key: str, ip_address: str | None,
                      previous_login_at: datetime | None) -> User:
    """Record a successful login; ``session_key`` is the new (rotated) key.

    ``previous_login_at`` is the user's ``last_login`` as it was before Django's ``login()``
    stamped the current one. The previous live session is ended: one live session per user.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    old_session_key = user.live_session_key
    user.previous_login_at = previous_login_at
    user.previous_login_ip = user.last_login_ip
    user.last_login_ip = ip_address
    user.failed_logins = 0
    user.login_locked_on = None
    user.live_session_key = session_key
    fields = ["previous_login_at", "previous_login_ip", "last_login_ip", "failed_logins",
              "login_locked_on", "live_session_key"]
    detail: dict = {}
    if user.pending_username:
        taken = User.objects.filter(username=user.pending_username).exclude(pk=user.pk).exists()
        if not taken:
            detail["username_changed_from"] = user.username
            user.username = user.pending_username
            fields.append("username")
        user.pending_username = ""
        fields.append("pending_username")
    user.save(update_fields=fields)
    if old_session_key and old_session_key != session_key:
        _session_end(old_session_key)
        detail["ended_previous_session"] = True
    audit_record(action="login", actor=user, customer_id=user.customer_id,
                 ip_address=ip_address, detail=detail)
    return user


@transaction.atomic(durable=True)
def user_logout_record(*, user: User, session_key: str | None, ip_address: str | None) -> None:
    User.objects.filter(pk=user.pk, live_session_key=session_key or "").update(
        live_session_key="")
    audit_record(action="logout", actor=user, customer_id=user.customer_id,
                 ip_address=ip_address)


def user_session_bind(*, user: User, session_key: str) -> None:
    """Make ``session_key`` the user's live session (after a step-up rotated the key).

    One UPDATE, atomic by itself, run after the new session row exists and the old one is
    gone: should the process stop in between, the new session is not the live one and the
    customer logs in again — the rotation fails closed, and costs no transaction of its own.
    """
    User.objects.filter(pk=user.pk).update(live_session_key=session_key)
    user.live_session_key = session_key


@transaction.atomic(durable=True)
def user_login_unlock(*, user: User, acting_user: User) -> User:
    """A teller's unlock: the customer may log in again today."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"failed_logins": user.failed_logins,
              "login_locked_on": user.login_locked_on.isoformat() if user.login_locked_on else None}
    user.failed_logins = 0
    user.login_locked_on = None
    user.save(update_fields=["failed_logins", "login_locked_on"])
    audit_record(action="login_unlock", actor=acting_user, customer_id=user.customer_id,
                 object_ref=f"user:{user.pk}", detail=before)
    return user


# --- staff admin login ---------------------------------------------------------------------------

STAFF_LOGIN_FAILED_MESSAGE = "用户名、密码或动态口令错误；连续输错5次，账号将被锁定，须由总行解锁"  # noqa: S105
STAFF_LOCKED_MESSAGE = "您的柜员账号已因连续输错被锁定，请联系总行解锁"


def staff_named(username: str) -> User | None:
    """The member of staff a typed admin user name designates, or None."""
    if not username:
        return None
    return User.objects.filter(username=username, customer__isnull=True, is_staff=True).first()


@transaction.atomic(durable=True)
def staff_login_failure_record(*, user: User, ip_address: str | None) -> User:
    """A wrong password or 动态口令 of a staff user; the fifth in a row locks the admin login
    until head office unlocks it."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.failed_logins += 1
    fields = ["failed_logins"]
    if user.failed_logins >= MAX_FAILED_LOGINS and user.staff_locked_at is None:
        user.staff_locked_at = timezone.now()
        fields.append("staff_locked_at")
    user.save(update_fields=fields)
    audit_record(action="staff_login_failed", outcome=AuditOutcome.FAILURE, actor=user,
                 ip_address=ip_address,
                 detail={"failed_logins": user.failed_logins,
                         "locked": user.staff_locked_at is not None})
    return user


def staff_login_success_record(*, user: User) -> None:
    if user.failed_logins:
        User.objects.filter(pk=user.pk).update(failed_logins=0)
        user.failed_logins = 0


# --- passwords -----------------------------------------------------------------------------------


def password_problems(*, password: str, user: User | None = None) -> list[str]:
    """The Django password validators' messages for ``password`` (empty: acceptable)."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def user_password_change(*, user: User, old_password: str, new_password: str,
                         ip_address: str | None = None) -> User:
    """Change the login password (forced at first login, or 安全中心 › 密码管理).

    Django's session hash changes with the password, so every other session of the user ends;
    the caller rotates its own session key (``update_session_auth_hash``) and binds it. A wrong
    原密码 counts toward the login lock (:func:`user_password_confirm`), audited in a
    transaction of its own, and is refused.
    """
    user_password_confirm(user=user, password=old_password, action="password_change",
                          ip_address=ip_address, wrong_message="原密码错误")
    if new_password == old_password:
        raise BusinessError("新密码不能与原密码相同")
    problems = password_problems(password=new_password, user=user)
    if problems:
        raise BusinessError("；".join(problems))
    return _password_set(user=user, old_password=old_password, new_password=new_password)


@transaction.atomic(durable=True)
def _password_set(*, user: User, old_password: str, new_password: str) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    # Checked again under the lock: a concurrent change must not be overwritten silently.
    if not locked.check_password(old_password):
        raise BusinessError("原密码错误")
    locked.set_password(new_password)
    locked.must_change_password = False
    locked.password_changed_at = timezone.now()
    locked.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit_record(action="password_change", actor=locked, customer_id=locked.customer_id)
    user.password = locked.password
    user.must_change_password = False
    user.password_changed_at = locked.password_changed_at
    return user


# --- online registration (网上自助注册) ---------------------------------------------------------


@dataclass(frozen=True)
class RegistrationMatch:
    customer: Customer
    medium: Medium


def _medium_pin_check(*, medium: Medium, pin: str) -> bool:
    """The 交易密码 check, counting failures with the medium lock rules of accounts/pin.py.

    Without that module (an older tree) a PIN locked today is still refused, but nothing is
    counted. A lock is told as such: only someone who typed the right card, name and ID number
    gets this far.
    """
    try:
        from accounts import pin as medium_pin
    except ImportError:
        medium_pin = None
    if medium_pin is None:
        if medium.pin_locked_on is not None and medium.pin_locked_on >= business_day():
            raise BusinessError("交易密码已连续输错3次，该账户今日网上交易已锁定，请明日再试或到柜面办理")
        return pin_matches(medium=medium, pin=pin)
    try:
        medium_pin.medium_pin_check(medium=medium, pin=pin)
    except medium_pin.PinLocked:
        raise
    except BusinessError:
        return False
    return True


def registration_match(*, number: str, pin: str, name: str, id_type: str,
                       id_number: str) -> RegistrationMatch:
    """The customer and medium the typed data designate, or :class:`BusinessError`.

    Everything but the 交易密码 is compared first, so that PIN failures (which lock the medium)
    are only counted for someone who already knows the card, name and ID number; every mismatch
    before that gives one generic message.
    """
    number = number.strip()
    customer = None
    if id_type in IdType.values and id_number.strip():
        customer = customer_find_by_id_number(id_type=id_type, id_number=id_number)
    medium = Medium.objects.filter(number=number).select_related("customer").first()
    if (customer is None or medium is None or medium.customer_id != customer.pk
            or customer.name != name.strip() or medium.kind not in REGISTRABLE_KINDS
            or medium.status != MediumStatus.NORMAL
            or (medium.kind != MediumKind.DEBIT_CARD and not medium.is_settlement)):
        raise BusinessError(REGISTER_MISMATCH_MESSAGE)
    if not _medium_pin_check(medium=medium, pin=pin):
        raise BusinessError(REGISTER_MISMATCH_MESSAGE)
    existing = User.objects.filter(customer=customer).first()
    if existing is not None:
        if existing.status == UserStatus.CANCELLED:
            raise BusinessError("您的个人网上银行已注销，如需重新开通请携带有效身份证件到我行网点办理")
        raise BusinessError("您已开通个人网上银行，请直接登录；如忘记登录密码请到我行网点办理重置")
    return RegistrationMatch(customer=customer, medium=medium)


def registration_digest(*, customer_id: int, medium_id: int, nonce: str) -> str:
    """What the registration SMS code is bound to: this customer, this medium, this wizard run."""
    text = f"register-online:{customer_id}:{medium_id}:{nonce}"
    return hashlib.sha256(text.encode()).hexdigest()


def login_name_shape_problems(*, login_name: str) -> list[str]:
    """Why ``login_name`` cannot be a 登录名 whoever holds it (empty: its shape is fine)."""
    if not LOGIN_NAME_RE.fullmatch(login_name):
        return ["登录名应为4至20位字母、数字或下划线"]
    if login_name.isdigit():
        return ["登录名不能全部为数字"]
    if ID_NUMBER_SHAPE_RE.fullmatch(login_name):
        return ["登录名不能使用证件号码"]
    return []


def login_name_problems(*, login_name: str) -> list[str]:
    """Why ``login_name`` cannot be a new 登录名 (empty: it can)."""
    shape = login_name_shape_problems(login_name=login_name)
    if shape:
        return shape
    taken = User.objects.filter(Q(username__iexact=login_name)
                                | Q(pending_username__iexact=login_name)).exists()
    if taken:
        return ["该登录名已被使用，请更换"]
    return []


@transaction.atomic(durable=True)
def user_register_online(*, customer: Customer, medium: Medium, username: str,
                         password_hash: str, ip_address: str | None = None) -> User:
    """Create the e-banking user of 网上自助注册: no security tool, so partial service.

    ``password_hash`` was made by ``make_password`` when the customer typed the password
    (the wizard keeps no clear password between steps).
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if User.objects.filter(customer=customer).exists():
        raise BusinessError("您已开通个人网上银行，请直接登录")
    problems = login_name_problems(login_name=username)
    if problems:
        raise BusinessError(problems[0])
    medium = Medium.objects.get(pk=medium.pk, customer=customer)
    now = timezone.now()
    try:
        with transaction.atomic():
            user = User.objects.create(
                username=username, password=password_hash, customer=customer,
                first_name=customer.name, registration_channel=RegistrationChannel.ONLINE,
                registered_at=now, password_changed_at=now,
            )
    except IntegrityError as exc:
        raise BusinessError("该登录名已被使用，请更换") from exc
    if not LinkedMedium.objects.filter(medium=medium).exists():
        last = LinkedMedium.objects.filter(customer=customer).order_by("-position").first()
        LinkedMedium.objects.create(customer=customer, medium=medium,
                                    position=(last.position + 1) if last else 1)
    audit_record(action="register_online", actor=user, customer_id=customer.pk,
                 object_ref=f"user:{user.pk}", ip_address=ip_address,
                 detail={"medium": mask_account_number(medium.number)})
    return user


def password_hash_make(password: str) -> str:
    return make_password(password)


# --- reads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedMediumRow:
    name: str
    kind: str
    masked_number: str
    status: str


def linked_media_summary(*, customer: Customer) -> list[LinkedMediumRow]:
    """The customer's linked media for the home page (masked numbers; balances come later)."""
    links = (LinkedMedium.objects.filter(customer=customer).select_related("medium")
             .order_by("position"))
    return [
        LinkedMediumRow(
            name=link.alias or customer.name,
            kind=link.medium.get_kind_display(),
            masked_number=mask_account_number(link.medium.number),
            status=link.medium.get_status_display(),
        )
        for link in links
    ]


def registration_review(*, customer: Customer, medium: Medium, username: str) -> dict[str, str]:
    return {
        "name": customer.name,
        "id_type": customer.get_id_type_display(),
        "id_number": customer.id_number_masked,
        "medium_kind": medium.get_kind_display(),
        "medium_number": mask_account_number(medium.number),
        "phone": mask_phone(customer.phone),
        "username": username,
    }
