"""Login, lockout, password change and online registration (SEC-LOGIN, SEC-LOCK, SEC-FORCE,
SEC-SESSION, SEC-REG-ONLINE).

How the pieces fit:

* ``user_login_check`` decides whether a login name and password may log in. Every refusal —
  unknown name, wrong password, locked, suspended or cancelled — raises the same
  :class:`LoginRefused` with the same message, so the page never tells an attacker which one it
  was. A wrong password is counted on the user row (locked ``select_for_update``, so two
  concurrent guesses both count); the fifth in a row locks login until the next Asia/Shanghai
  business day. Failures and their audit rows commit in their own transaction before the
  refusal is raised.
* The view then calls Django's ``login()`` (which rotates the session key) and
  ``user_login_record``: last/previous login time and IP, the pending login name applied, the
  new session recorded as the user's one live session and the previous one ended.
* ``user_password_change`` serves both the forced change at first login and 安全中心 › 密码管理.
* ``user_register_online`` creates the tool-less user of 网上自助注册 once the wizard
  (security/views/auth.py) has checked the core records and the SMS code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

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
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_account_number, mask_phone
from ebank.core.models import AuditOutcome
from ebank.limits.engine import business_day

from .models import RegistrationChannel, User, UserStatus

MAX_FAILED_LOGINS = 5
LOGIN_FAILED_MESSAGE = "登录名、密码或附加码错误；如连续输错5次，登录将被锁定至次日"
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

    Writes only on refusal (the failure count, the lock, the audit row), committed before the
    refusal is raised.
    """
    user, reason = _login_attempt_record(login_name=login_name, password=password,
                                         ip_address=ip_address)
    if user is None:
        raise LoginRefused(code=reason)
    return user


@transaction.atomic(durable=True)
def _login_attempt_record(*, login_name: str, password: str,
                          ip_address: str | None) -> tuple[User | None, str]:
    found = user_identify(login_name=login_name)
    if found is None:
        # Spend the time of one hash so that an unknown name answers as slowly as a known one.
        User().set_password(password)
        audit_record(action="login_failed", outcome=AuditOutcome.FAILURE, ip_address=ip_address,
                     detail={"reason": "unknown_user"})
        return None, "unknown_user"
    user = User.objects.select_for_update().get(pk=found.pk)
    today = business_day()
    reason = ""
    if user.status != UserStatus.ACTIVE:
        reason = f"status_{user.status}"
    elif user_login_locked(user=user, today=today):
        reason = "locked"
    elif not user.check_password(password):
        stale_lock = user.login_locked_on is not None
        user.failed_logins = (0 if stale_lock else user.failed_logins) + 1
        user.login_locked_on = today if user.failed_logins >= MAX_FAILED_LOGINS else None
        user.save(update_fields=["failed_logins", "login_locked_on"])
        reason = "locked_now" if user.login_locked_on else "wrong_password"
    if reason:
        audit_record(action="login_failed", outcome=AuditOutcome.FAILURE, actor=user,
                     customer_id=user.customer_id, ip_address=ip_address,
                     detail={"reason": reason, "failed_logins": user.failed_logins})
        return None, reason
    return user, ""


def _session_end(session_key: str) -> None:
    if session_key:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        store(session_key=session_key).delete()


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


# --- passwords -----------------------------------------------------------------------------------


def password_problems(*, password: str, user: User | None = None) -> list[str]:
    """The Django password validators' messages for ``password`` (empty: acceptable)."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    """Change the login password (forced at first login, or 安全中心 › 密码管理).

    Django's session hash changes with the password, so every other session of the user ends;
    the caller rotates its own session key (``update_session_auth_hash``) and binds it. A wrong
    原密码 is audited in a transaction of its own and then refused.
    """
    if not user.check_password(old_password):
        _password_change_failure_record(user=user)
        raise BusinessError("原密码错误")
    if new_password == old_password:
        raise BusinessError("新密码不能与原密码相同")
    problems = password_problems(password=new_password, user=user)
    if problems:
        raise BusinessError("；".join(problems))
    return _password_set(user=user, old_password=old_password, new_password=new_password)


@transaction.atomic(durable=True)
def _password_change_failure_record(*, user: User) -> None:
    audit_record(action="password_change", outcome=AuditOutcome.FAILURE, actor=user,
                 customer_id=user.customer_id, detail={"reason": "wrong_old_password"})


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


def login_name_problems(*, login_name: str) -> list[str]:
    """Why ``login_name`` cannot be a new 登录名 (empty: it can)."""
    if not LOGIN_NAME_RE.fullmatch(login_name):
        return ["登录名应为4至20位字母、数字或下划线"]
    if login_name.isdigit():
        return ["登录名不能全部为数字"]
    if ID_NUMBER_SHAPE_RE.fullmatch(login_name):
        return ["登录名不能使用证件号码"]
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
