"""Writes of 客户服务 and 安全中心: typed, keyword-only, each with its audit row.

Two kinds of change live here:

* settings the manual confirms with the 登录密码 (登录设置管理, 个人资料变更) or with nothing
  (预留信息变更, 留言, 短信服务, 手机银行暂停/启用): done here, in one transaction with the audit row;
* settings the manual confirms with a 交易密码 and/or a security tool (限额管理, 核心预留手机号管理,
  手机银行签约/解约/密码重置): here they are only *started* (``*_start``), which validates what was
  typed and opens a PendingOperation (X-CONFIRM); ``operations.py`` holds the executors the
  confirmation page runs once, after the PIN and the tool have been checked.

A wrong 登录密码 is refused with an audit row written in its own transaction, so the attempt
stays on record although nothing else is written; it counts toward the login lock like a wrong
password at login (``security.identity.services.user_password_confirm``: five in a row lock login and end
the session).
"""

import hashlib
import logging
from datetime import date
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Customer, LinkedMedium, MediumStatus, SubAccount
from ebank.clearing.calendar import WorkCalendar
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.masking import mask_phone
from ebank.core.money import format_cny
from ebank.limits.models import LimitLevel
from ebank.limits.services import limit_policy_validate
from security.confirm.services import operation_start
from security.identity.services import user_password_confirm
from security.models import (
    CustomerMessage,
    MobileAgreementStatus,
    MobileBankingAgreement,
    PendingOperation,
    SmsSubscription,
    User,
)
from security.tools.services import sms_code_issue, sms_code_verify

from . import selectors

logger = logging.getLogger(__name__)

# Operation kinds registered by operations.py (the confirmation page looks them up by name).
KIND_LIMIT_CHANGE = "security.limit_change"
KIND_CORE_PHONE_CHANGE = "security.core_phone_change"
KIND_MOBILE_SIGN = "security.mobile_sign"
KIND_MOBILE_CANCEL = "security.mobile_cancel"
KIND_MOBILE_PASSWORD_RESET = "security.mobile_password_reset"  # noqa: S105 - a kind name

# SMS code purposes (an SmsCode is valid only for its phone, purpose and operation digest; the
# tools module words the text by purpose: "您正在进行预留手机号变更…").
PURPOSE_PHONE_CHANGE = "phone_change"
PURPOSE_MOBILE_SIGN = "mobile_banking"


def _customer(user: User) -> Customer:
    if user.customer_id is None:
        raise BusinessError("仅网银客户可办理此业务")
    return user.customer


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _login_password_check(*, user: User, password: str, action: str,
                          ip_address: str | None) -> None:
    """Refuse a wrong 登录密码: it counts toward the login lock (security.identity.services), audited in a
    transaction of its own; the fifth locks login and logs the session out."""
    user_password_confirm(user=user, password=password, action=action, ip_address=ip_address)


# --- 预留信息变更 ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def reserved_message_change(*, user: User, message: str, ip_address: str | None = None) -> User:
    _customer(user)
    user.reserved_message = message
    user.save(update_fields=["reserved_message"])
    # The text itself stays out of the log: it is the customer's anti-phishing secret.
    audit_record(action="reserved_message_change", actor=user, customer_id=user.customer_id,
                 object_ref=f"user:{user.pk}", ip_address=ip_address)
    return user


# --- 限额管理 -------------------------------------------------------------------------------------


def limit_change_validate(*, user: User, single_limit: Decimal | None,
                          daily_limit: Decimal | None) -> None:
    """Refuse limits above the branch/bank/self-service caps (BusinessError, in Chinese)."""
    customer = _customer(user)
    overview = selectors.limit_overview(user=user)
    if (single_limit, daily_limit) == (overview.customer_single, overview.customer_daily):
        raise BusinessError("新限额与当前客户自设限额相同")
    limit_policy_validate(level=LimitLevel.CUSTOMER, scope=str(customer.pk),
                          branch_code=customer.branch.code,
                          single_limit=single_limit, daily_limit=daily_limit)


def limit_change_start(*, user: User, single_limit: Decimal | None,
                       daily_limit: Decimal | None) -> PendingOperation:
    """Validate the new 客户单笔/日累计限额 and open its confirmation (tool needed, X-TOOLS)."""
    limit_change_validate(user=user, single_limit=single_limit, daily_limit=daily_limit)

    def shown(value: Decimal | None) -> str:
        return format_cny(value) if value is not None else "不设置（按我行限额）"

    return operation_start(
        user=user, kind=KIND_LIMIT_CHANGE, back_url=reverse("security:limits"),
        payload={"single_limit": None if single_limit is None else str(single_limit),
                 "daily_limit": None if daily_limit is None else str(daily_limit)},
        summary=[("客户单笔限额", shown(single_limit)), ("客户日累计限额", shown(daily_limit))],
    )


# --- 登录设置管理 ----------------------------------------------------------------------------------


def login_name_taken(*, user: User, login_name: str) -> bool:
    """Unique across current and pending login names of every user, ignoring case."""
    return (User.objects.filter(Q(username__iexact=login_name)
                                | Q(pending_username__iexact=login_name))
            .exclude(pk=user.pk).exists())


@transaction.atomic(durable=True)
def _login_settings_save(*, user: User, new_login_name: str, login_by_id_number: bool,
                         login_by_phone: bool, ip_address: str | None) -> User:
    customer = _customer(user)
    if new_login_name and connection.vendor == "postgresql":
        # Two customers choosing the same new name at once would both pass the check below:
        # serialise on the name itself (SQLite serialises every writer anyway).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                           [f"login_name:{new_login_name.lower()}"])
    if new_login_name and login_name_taken(user=user, login_name=new_login_name):
        raise BusinessError("该登录名已被使用，请更换", code="login_name_taken")
    if login_by_phone and not user.login_by_phone and User.objects.filter(
            login_by_phone=True, customer__phone=customer.phone).exclude(pk=user.pk).exists():
        raise BusinessError("该手机号已被其他客户设置为登录方式，不能开通手机号登录")
    fields = ["login_by_id_number", "login_by_phone"]
    previous = {"login_by_id_number": user.login_by_id_number,
                "login_by_phone": user.login_by_phone}
    user.login_by_id_number = login_by_id_number
    user.login_by_phone = login_by_phone
    if new_login_name:
        user.pending_username = new_login_name
        fields.append("pending_username")
    user.save(update_fields=fields)
    audit_record(
        action="login_settings_change", actor=user, customer_id=user.customer_id,
        object_ref=f"user:{user.pk}", ip_address=ip_address,
        detail={"new_login_name": new_login_name or None, **{f"previous_{k}": v for k, v in
                previous.items()}, "login_by_id_number": login_by_id_number,
                "login_by_phone": login_by_phone},
    )
    return user


def login_settings_change(*, user: User, password: str, new_login_name: str,
                          login_by_id_number: bool, login_by_phone: bool,
                          ip_address: str | None = None) -> User:
    """登录设置管理: a new login name (from the next login) and the ID/phone login switches."""
    _login_password_check(user=user, password=password, action="login_settings_change",
                          ip_address=ip_address)
    return _login_settings_save(user=user, new_login_name=new_login_name,
                                login_by_id_number=login_by_id_number,
                                login_by_phone=login_by_phone, ip_address=ip_address)


# --- 个人资料变更 ----------------------------------------------------------------------------------


def _phone_change_digest(*, customer: Customer, new_phone: str) -> str:
    # Both codes are bound to this customer's change to this number: a code sent for another
    # number (or another customer) does not verify.
    return _digest("profile_phone", customer.pk, customer.phone, new_phone)


def profile_phone_new_code_send(*, user: User, new_phone: str) -> None:
    customer = _customer(user)
    if new_phone == customer.phone:
        raise BusinessError("新手机号码与原手机号码相同")
    sms_code_issue(phone=new_phone, purpose=PURPOSE_PHONE_CHANGE, customer=customer,
                   operation_digest=_phone_change_digest(customer=customer, new_phone=new_phone))


def profile_phone_new_verify(*, user: User, new_phone: str, code: str) -> None:
    """Step 1 of 手机号码变更: the code sent to the new phone; then a code goes to the old one."""
    customer = _customer(user)
    if new_phone == customer.phone:
        raise BusinessError("新手机号码与原手机号码相同")
    digest = _phone_change_digest(customer=customer, new_phone=new_phone)
    if not sms_code_verify(phone=new_phone, purpose=PURPOSE_PHONE_CHANGE, operation_digest=digest,
                           code=code):
        raise BusinessError("新手机号码验证码错误或已失效", code="wrong_sms_code")
    sms_code_issue(phone=customer.phone, purpose=PURPOSE_PHONE_CHANGE, operation_digest=digest,
                   customer=customer)


def profile_phone_old_code_resend(*, user: User, new_phone: str) -> None:
    customer = _customer(user)
    sms_code_issue(phone=customer.phone, purpose=PURPOSE_PHONE_CHANGE, customer=customer,
                   operation_digest=_phone_change_digest(customer=customer, new_phone=new_phone))


def profile_phone_change(*, user: User, new_phone: str, old_code: str, password: str,
                         ip_address: str | None = None) -> Customer:
    """Step 2: the code sent to the old phone and the 登录密码 → the reserved phone changes.

    The caller passes ``new_phone`` only after step 1 verified it (the view keeps it in the
    session): the new-phone code was spent there and cannot be checked twice.
    """
    customer = _customer(user)
    _login_password_check(user=user, password=password, action="profile_phone_change",
                          ip_address=ip_address)
    digest = _phone_change_digest(customer=customer, new_phone=new_phone)
    if not sms_code_verify(phone=customer.phone, purpose=PURPOSE_PHONE_CHANGE,
                           operation_digest=digest, code=old_code):
        raise BusinessError("原手机号码验证码错误或已失效", code="wrong_sms_code")
    return customer_phone_set(user=user, customer=customer, new_phone=new_phone,
                              action="profile_phone_change", ip_address=ip_address)


@transaction.atomic
def customer_phone_set(*, user: User, customer: Customer, new_phone: str, action: str,
                       ip_address: str | None = None, detail: dict | None = None) -> Customer:
    """Change the reserved phone (one number for the core and the e-channels, see the docs)."""
    old_phone = customer.phone
    customer.phone = new_phone
    customer.save(update_fields=["phone"])
    audit_record(action=action, actor=user, customer_id=customer.pk,
                 object_ref=f"customer:{customer.pk}", ip_address=ip_address,
                 detail={"old_phone": mask_phone(old_phone), "new_phone": mask_phone(new_phone),
                         **(detail or {})})
    return customer


def profile_other_change(*, user: User, address: str, postcode: str, email: str, password: str,
                         ip_address: str | None = None) -> Customer:
    """其他信息变更: 联系地址, 邮政编码, 电子邮箱, confirmed with the 登录密码."""
    customer = _customer(user)
    _login_password_check(user=user, password=password, action="profile_other_change",
                          ip_address=ip_address)
    with transaction.atomic(durable=True):
        customer.address, customer.postcode, customer.email = address, postcode, email
        customer.save(update_fields=["address", "postcode", "email"])
        audit_record(action="profile_other_change", actor=user, customer_id=customer.pk,
                     object_ref=f"customer:{customer.pk}", ip_address=ip_address,
                     detail={"fields": ["address", "postcode", "email"]})
    return customer


# --- 核心预留手机号管理 -----------------------------------------------------------------------------


def core_phone_change_start(*, user: User, link: LinkedMedium,
                            new_phone: str) -> PendingOperation:
    """Open the confirmation: 交易密码 of the chosen account, then the 安全认证方式."""
    customer = _customer(user)
    if link.customer_id != customer.pk:
        raise BusinessError("账户不存在")
    if link.medium.status != MediumStatus.NORMAL:
        raise BusinessError("该账户状态不正常，不能办理")
    if new_phone == customer.phone:
        raise BusinessError("新核心预留手机号与当前预留手机号相同")
    return operation_start(
        user=user, kind=KIND_CORE_PHONE_CHANGE, back_url=reverse("security:core_phone"), medium=link.medium,
        payload={"linked_medium_id": link.pk, "new_phone": new_phone},
        summary=[("网银关联账户", selectors.linked_medium_label(link)),
                 ("原核心预留手机号", mask_phone(customer.phone)),
                 ("新核心预留手机号", new_phone)],
    )


# --- 留言管理 -------------------------------------------------------------------------------------


def message_due_date(*, created_on: date, calendar: WorkCalendar | None = None) -> date:
    """The manual's "两个工作日内受理并予以回复": the second working day after the message."""
    calendar = calendar or WorkCalendar.load()
    return calendar.next_working_day(calendar.next_working_day(created_on))


@transaction.atomic(durable=True)
def message_create(*, user: User, subject: str, content: str,
                   ip_address: str | None = None) -> CustomerMessage:
    _customer(user)
    message = CustomerMessage.objects.create(
        user=user, subject=subject, content=content,
        due_date=message_due_date(created_on=timezone.localdate()),
    )
    audit_record(action="message_create", actor=user, customer_id=user.customer_id,
                 object_ref=f"customer_message:{message.pk}", ip_address=ip_address)
    return message


# --- 手机银行管理 ----------------------------------------------------------------------------------


def _mobile_sign_digest(*, user: User) -> str:
    return _digest("mobile_sign", user.pk, user.customer.phone)


def mobile_sign_code_send(*, user: User) -> None:
    customer = _customer(user)
    if selectors.mobile_agreement_live(user=user) is not None:
        raise BusinessError("您已签约手机银行")
    sms_code_issue(phone=customer.phone, purpose=PURPOSE_MOBILE_SIGN, customer=customer,
                   operation_digest=_mobile_sign_digest(user=user))


def _require_tool(user: User, what: str) -> None:
    # The confirmation flow refuses tool-less customers too; saying so before the customer
    # fills in the rest of the form is kinder.
    if not selectors.has_active_tool(user=user):
        raise BusinessError(f"{what}须使用安全认证工具（USBKey或数字令牌），请携带有效身份证件到"
                            "我行网点申领", code="tool_required")


def mobile_sign_start(*, user: User, links: list[LinkedMedium], password: str,
                      code: str) -> PendingOperation:
    """签约: SMS code, accounts, the agreement (ticked in the form) and the mobile password."""
    customer = _customer(user)
    _require_tool(user, "手机银行签约")
    if selectors.mobile_agreement_live(user=user) is not None:
        raise BusinessError("您已签约手机银行")
    if not links:
        raise BusinessError("请选择手机银行关联账户")
    if any(link.customer_id != customer.pk for link in links):
        raise BusinessError("账户不存在")
    if not sms_code_verify(phone=customer.phone, purpose=PURPOSE_MOBILE_SIGN,
                           operation_digest=_mobile_sign_digest(user=user), code=code):
        raise BusinessError("手机验证码错误或已失效", code="wrong_sms_code")
    return operation_start(
        user=user, kind=KIND_MOBILE_SIGN, back_url=reverse("security:mobile"),
        # Only the hash travels in the payload: the confirmation row never holds the password.
        payload={"linked_medium_ids": [link.pk for link in links],
                 "password_hash": make_password(password)},
        summary=[("业务", "手机银行专业版签约"),
                 ("手机号码", mask_phone(customer.phone)),
                 ("关联账户", "；".join(selectors.linked_medium_label(link) for link in links))],
    )


def mobile_cancel_start(*, user: User) -> PendingOperation:
    _require_tool(user, "手机银行解约")
    agreement = selectors.mobile_agreement_live(user=user)
    if agreement is None:
        raise BusinessError("您尚未签约手机银行")
    return operation_start(
        user=user, kind=KIND_MOBILE_CANCEL, back_url=reverse("security:mobile"), payload={"agreement_id": agreement.pk},
        summary=[("业务", "手机银行解约"),
                 ("签约时间", timezone.localtime(agreement.signed_at).strftime("%Y-%m-%d %H:%M"))],
    )


def mobile_password_reset_start(*, user: User, password: str) -> PendingOperation:
    _require_tool(user, "手机银行密码重置")
    agreement = selectors.mobile_agreement_live(user=user)
    if agreement is None:
        raise BusinessError("您尚未签约手机银行")
    return operation_start(
        user=user, kind=KIND_MOBILE_PASSWORD_RESET, back_url=reverse("security:mobile"),
        payload={"agreement_id": agreement.pk, "password_hash": make_password(password)},
        summary=[("业务", "手机银行登录密码重置")],
    )


@transaction.atomic(durable=True)
def mobile_toggle(*, user: User, suspend: bool, ip_address: str | None = None
                  ) -> MobileBankingAgreement:
    """暂停/启用: no tool needed (the manual asks only for 提交)."""
    agreement = (MobileBankingAgreement.objects.select_for_update().filter(user=user)
                 .exclude(status=MobileAgreementStatus.CANCELLED).first())
    if agreement is None:
        raise BusinessError("您尚未签约手机银行")
    wanted = MobileAgreementStatus.SUSPENDED if suspend else MobileAgreementStatus.ACTIVE
    if agreement.status == wanted:
        raise BusinessError("手机银行已暂停" if suspend else "手机银行已是正常状态")
    agreement.status = wanted
    agreement.save(update_fields=["status", "changed_at"])
    audit_record(action="mobile_suspend" if suspend else "mobile_resume", actor=user,
                 customer_id=user.customer_id, object_ref=f"mobile_agreement:{agreement.pk}",
                 ip_address=ip_address)
    return agreement


# --- 短信服务管理 ----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def sms_subscribe(*, user: User, sub_account: SubAccount, threshold: Decimal, phone: str,
                  ip_address: str | None = None) -> SmsSubscription:
    customer = _customer(user)
    if sub_account.medium.customer_id != customer.pk:
        raise BusinessError("账户不存在")
    if SmsSubscription.objects.filter(sub_account=sub_account, active=True).exists():
        raise BusinessError("该子账户已签约短信服务", code="sms_already_subscribed")
    try:
        # The partial unique index settles a race between two submissions for one sub-account.
        with transaction.atomic():
            subscription = SmsSubscription.objects.create(
                user=user, sub_account=sub_account, threshold=threshold, phone=phone)
    except IntegrityError as exc:
        raise BusinessError("该子账户已签约短信服务", code="sms_already_subscribed") from exc
    audit_record(action="sms_subscribe", actor=user, customer_id=customer.pk,
                 object_ref=f"sms_subscription:{subscription.pk}", ip_address=ip_address,
                 detail={"threshold": str(threshold), "phone": mask_phone(phone)})
    return subscription


@transaction.atomic(durable=True)
def sms_unsubscribe(*, user: User, subscription: SmsSubscription,
                    ip_address: str | None = None) -> SmsSubscription:
    """关闭服务 for one sub-account."""
    locked = SmsSubscription.objects.select_for_update().filter(
        pk=subscription.pk, user=user, active=True).first()
    if locked is None:
        raise BusinessError("该子账户未签约短信服务或已解约")
    locked.active = False
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["active", "cancelled_at"])
    audit_record(action="sms_unsubscribe", actor=user, customer_id=user.customer_id,
                 object_ref=f"sms_subscription:{locked.pk}", ip_address=ip_address)
    return locked
