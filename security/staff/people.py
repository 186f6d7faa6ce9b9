"""员工管理: head office creates staff, issues their 动态口令, resets passwords, locks and unlocks.

Every function here is a service: all-or-nothing (``transaction.atomic(durable=True)``), one
audit row (channel ``admin``, ``object_ref`` ``user:<id>``), and it checks its caller itself
(the admin is not the only guard):

* only head office acts (role 总行管理员 *and* a head-office branch or superuser:
  ``people_manager``);
* nobody acts on themselves (another head-office member locks, resets or re-issues for you);
* only a superuser acts on a superuser (a head-office member could otherwise take over one).

Placement rule: a member of staff works at exactly one branch. The role 总行管理员 goes with a
head-office branch and a head-office branch only takes that role, because the branch alone
decides whom someone sees (``User.is_head_office``): a 柜员 placed at head office would see
every branch's customers.

动态口令 (TOTP): ``staff_otp_issue`` makes a new *unconfirmed* device and returns it so the page
can show its QR code and secret once; the staff member's current device keeps working. Only
when a code from the new device is typed back (``staff_otp_enrol``) is it confirmed and every
other device of theirs deleted, so a mis-scanned QR code never locks anyone out silently. A
lost device is dealt with by 锁定 first, then a new issue.
"""

from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Branch
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.models import AuditOutcome

from ..models import User, UserSession
from .roles import Role, has_role, staff_role_set

STAFF_DEVICE_NAME = "柜面管理动态口令"

NOT_HEAD_OFFICE = "仅总行管理员可办理员工管理"
NOT_YOURSELF = "不能对本人办理此项操作，请由其他总行管理员办理"
NOT_STAFF = "该用户不是本行员工"
SUPERUSER_ONLY = "只有超级管理员可以对超级管理员办理此项操作"


def people_manager(user) -> bool:
    """Whether ``user`` may use 员工管理: the head-office role at a head-office branch."""
    # The branch first: it is on the row already, the role costs a query.
    return bool(getattr(user, "is_head_office", False) and has_role(user, Role.HEAD_OFFICE))


def _staff_locked_for_change(*, acting_user: User, staff: User) -> User:
    """The member of staff's row, locked, after every check that applies to all actions."""
    if not people_manager(acting_user):
        raise BusinessError(NOT_HEAD_OFFICE)
    row = User.objects.select_for_update().filter(pk=staff.pk).first()
    if row is None or row.customer_id is not None or not row.is_staff:
        raise BusinessError(NOT_STAFF)
    if row.pk == acting_user.pk:
        raise BusinessError(NOT_YOURSELF)
    if row.is_superuser and not acting_user.is_superuser:
        raise BusinessError(SUPERUSER_ONLY)
    return row


def _audit(*, action: str, acting_user: User, staff: User, detail: dict | None = None,
           outcome: str = AuditOutcome.SUCCESS) -> None:
    audit_record(action=action, actor=acting_user, channel="admin", outcome=outcome,
                 object_ref=f"user:{staff.pk}",
                 detail={"username": staff.username, **(detail or {})})


def _sessions_end(staff: User) -> int:
    """End every session of ``staff`` (they are logged out on their next click)."""
    deleted, _ = UserSession.objects.filter(user=staff).delete()
    return deleted


def _password_checked(password: str, *, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise BusinessError("；".join(exc.messages)) from exc


def placement_problem(*, branch: Branch, role: str) -> str | None:
    """Why ``role`` cannot be held at ``branch`` (the placement rule above), or None."""
    if role == Role.HEAD_OFFICE and not branch.is_head_office:
        return "总行管理员只能设在总行"
    if role != Role.HEAD_OFFICE and branch.is_head_office:
        return "总行只设总行管理员（总行员工可查看所有行社的客户）"
    return None


@transaction.atomic(durable=True)
def staff_create(*, acting_user: User, username: str, name: str, branch: Branch, role: str,
                 password: str) -> User:
    """新增员工: an active staff user at ``branch`` in ``role``, with no 动态口令 yet (they
    cannot log in before ``staff_otp_issue`` and enrolment)."""
    if not people_manager(acting_user):
        raise BusinessError(NOT_HEAD_OFFICE)
    username = username.strip()
    if not username:
        raise BusinessError("请输入用户名")
    if username.isdigit():
        # Customers log in with their card number; a digits-only staff name could take one.
        raise BusinessError("员工用户名不能全为数字")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise BusinessError("用户名只能包含字母、数字和 @ . + - _") from exc
    if User.objects.filter(username__iexact=username).exists():
        raise BusinessError("该用户名已被使用")
    if role not in Role.values:
        raise BusinessError("请选择角色")
    problem = placement_problem(branch=branch, role=role)
    if problem:
        raise BusinessError(problem)
    staff = User(username=username, first_name=name.strip(), branch=branch, is_staff=True,
                 password_changed_at=timezone.now(), must_change_password=True)
    _password_checked(password, user=staff)
    staff.set_password(password)
    staff.save()
    staff_role_set(staff, role)
    _audit(action="staff_create", acting_user=acting_user, staff=staff,
           detail={"branch": branch.code, "role": str(role)})
    return staff


STAFF_MUST_CHANGE_MESSAGE = "您的密码由总行设置，请先修改密码后再办理业务"


@transaction.atomic(durable=True)
def staff_password_changed(*, user: User) -> None:
    """A member of staff changed their own password (the admin's 修改密码): a temporary one no
    longer stands in the way."""
    User.objects.filter(pk=user.pk).update(must_change_password=False,
                                           password_changed_at=timezone.now())
    user.must_change_password = False
    audit_record(action="staff_password_change", actor=user, channel="admin",
                 object_ref=f"user:{user.pk}")


@transaction.atomic(durable=True)
def staff_password_reset(*, acting_user: User, staff: User, password: str) -> User:
    """重置密码: a new temporary password typed by head office; the failure count is cleared and
    the staff member's sessions end. A lock stays (unlocking is its own decision)."""
    staff = _staff_locked_for_change(acting_user=acting_user, staff=staff)
    _password_checked(password, user=staff)
    staff.set_password(password)
    staff.failed_logins = 0
    staff.password_changed_at = timezone.now()
    staff.must_change_password = True
    staff.save(update_fields=["password", "failed_logins", "password_changed_at",
                              "must_change_password"])
    ended = _sessions_end(staff)
    _audit(action="staff_password_reset", acting_user=acting_user, staff=staff,
           detail={"sessions_ended": ended})
    return staff


@transaction.atomic(durable=True)
def staff_lock(*, acting_user: User, staff: User) -> User:
    """锁定: the admin login refused until 解锁; every open session ends now."""
    staff = _staff_locked_for_change(acting_user=acting_user, staff=staff)
    if staff.staff_locked_at is not None:
        raise BusinessError("该员工已处于锁定状态")
    staff.staff_locked_at = timezone.now()
    staff.save(update_fields=["staff_locked_at"])
    ended = _sessions_end(staff)
    _audit(action="staff_lock", acting_user=acting_user, staff=staff, detail={"sessions_ended": ended})
    return staff


@transaction.atomic(durable=True)
def staff_unlock(*, acting_user: User, staff: User) -> User:
    """解锁: a lock by five failed logins or by 锁定 ends; the failure count starts again."""
    staff = _staff_locked_for_change(acting_user=acting_user, staff=staff)
    if staff.staff_locked_at is None:
        raise BusinessError("该员工未被锁定")
    before = {"failed_logins": staff.failed_logins,
              "staff_locked_at": staff.staff_locked_at.isoformat()}
    staff.failed_logins = 0
    staff.staff_locked_at = None
    staff.save(update_fields=["failed_logins", "staff_locked_at"])
    _audit(action="staff_login_unlock", acting_user=acting_user, staff=staff, detail=before)
    return staff


@transaction.atomic(durable=True)
def staff_deactivate(*, acting_user: User, staff: User) -> User:
    """停用: the account stays (its audit rows name it) but can no longer log in."""
    staff = _staff_locked_for_change(acting_user=acting_user, staff=staff)
    if not staff.is_active:
        raise BusinessError("该员工已停用")
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    ended = _sessions_end(staff)
    _audit(action="staff_deactivate", acting_user=acting_user, staff=staff,
           detail={"sessions_ended": ended})
    return staff


@transaction.atomic(durable=True)
def staff_activate(*, acting_user: User, staff: User) -> User:
    """启用: a deactivated member of staff may log in again."""
    staff = _staff_locked_for_change(acting_user=acting_user, staff=staff)
    if staff.is_active:
        raise BusinessError("该员工未停用")
    staff.is_active = True
    staff.save(update_fields=["is_active"])
    _audit(action="staff_activate", acting_user=acting_user, staff=staff)
    return staff


@dataclass(frozen=True)
class IssuedDevice:
    """What the issuing page shows once: the otpauth URI (for the QR code) and the secret."""

    device: TOTPDevice
    config_url: str
    secret_base32: str


@transaction.atomic(durable=True)
def staff_otp_issue(*, acting_user: User, staff: User) -> IssuedDevice:
    """发放动态口令: a new unconfirmed device (any earlier unconfirmed one is dropped). The
    staff member's confirmed device keeps working until the new one is enrolled."""
    staff = _staff_locked_for_change(acting_user=acting_user, staff=staff)
    TOTPDevice.objects.filter(user=staff, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=staff, name=STAFF_DEVICE_NAME, confirmed=False)
    _audit(action="staff_otp_issue", acting_user=acting_user, staff=staff,
           detail={"device": device.pk})
    return IssuedDevice(device=device, config_url=device.config_url,
                        secret_base32=b32encode(device.bin_key).decode())


def staff_otp_pending(*, staff: User) -> TOTPDevice | None:
    """The issued device waiting for its first code, if any."""
    return TOTPDevice.objects.filter(user=staff, confirmed=False).order_by("-pk").first()


def staff_otp_enrol(*, acting_user: User, staff: User, token: str) -> TOTPDevice:
    """Enrolment: a code from the new device confirms it and retires every other device of the
    staff member. A wrong code leaves it unconfirmed; the refusal (and django-otp's throttle
    count) is committed before the error is raised."""
    device, refused = _staff_otp_enrol(acting_user=acting_user, staff=staff, token=token)
    if refused:
        raise BusinessError(refused)
    return device


@transaction.atomic(durable=True)
def _staff_otp_enrol(*, acting_user: User, staff: User, token: str):
    staff = _staff_locked_for_change(acting_user=acting_user, staff=staff)
    device = (TOTPDevice.objects.select_for_update()
              .filter(user=staff, confirmed=False).order_by("-pk").first())
    if device is None:
        raise BusinessError("没有待启用的动态口令，请重新发放")
    token = (token or "").strip()
    if not (token.isdigit() and len(token) == device.digits) or not device.verify_token(token):
        _audit(action="staff_otp_enrol", acting_user=acting_user, staff=staff,
               outcome=AuditOutcome.FAILURE, detail={"device": device.pk})
        return device, "动态口令错误，请核对手机上显示的6位数字后重新输入"
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    retired = TOTPDevice.objects.filter(user=staff).exclude(pk=device.pk)
    retired_ids = list(retired.values_list("pk", flat=True))
    retired.delete()
    _audit(action="staff_otp_enrol", acting_user=acting_user, staff=staff,
           detail={"device": device.pk, "retired": retired_ids})
    return device, None
