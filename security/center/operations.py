"""The X-CONFIRM executors of 安全中心 and 客户服务.

Each runs once, inside the confirmation flow's transaction, after the flow checked the 交易密码
(where ``requires_pin``) and the chosen 安全认证方式. The payload is exactly what the customer
saw; anything that may have changed since the form (a link removed, an agreement cancelled on
another tab) is checked again here and refused with a BusinessError, which the flow shows.

Registered on import: ``security/apps.py`` imports this module in ``ready()``.
"""

from decimal import Decimal

from django.db import transaction

from accounts.models import LinkedMedium, MediumStatus
from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError
from ebank.core.money import format_cny
from ebank.limits.models import LimitLevel
from ebank.limits.services import limit_policy_set
from security.confirm.registry import operation_kind
from security.models import MobileAgreementStatus, MobileBankingAgreement, PendingOperation

from .services import (
    KIND_CORE_PHONE_CHANGE,
    KIND_LIMIT_CHANGE,
    KIND_MOBILE_CANCEL,
    KIND_MOBILE_PASSWORD_RESET,
    KIND_MOBILE_SIGN,
    customer_phone_set,
)


def _decimal_or_none(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@operation_kind(KIND_LIMIT_CHANGE, title="限额管理", requires_pin=False, requires_tool=True,
                allow_sms=False)
def limit_change_execute(*, operation: PendingOperation) -> dict:
    """限额管理: the manual verifies with the USBKey; raising a limit needs a tool (X-TOOLS)."""
    user = operation.user
    customer = user.customer
    single = _decimal_or_none(operation.payload.get("single_limit"))
    daily = _decimal_or_none(operation.payload.get("daily_limit"))
    # limit_policy_set validates again: a bank or branch limit lowered since the form wins.
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(customer.pk),
                     branch_code=customer.branch.code, single_limit=single, daily_limit=daily,
                     acting_user_id=user.pk)
    shown_single = format_cny(single) if single is not None else "按我行限额"
    shown_daily = format_cny(daily) if daily is not None else "按我行限额"
    return {"message": f"限额修改成功：客户单笔限额{shown_single}，客户日累计限额{shown_daily}",
            "single_limit": operation.payload.get("single_limit"),
            "daily_limit": operation.payload.get("daily_limit")}


@operation_kind(KIND_CORE_PHONE_CHANGE, title="核心预留手机号管理", requires_pin=True,
                requires_tool=False, allow_sms=True)
def core_phone_change_execute(*, operation: PendingOperation) -> dict:
    """核心预留手机号管理: 交易密码 of the chosen account, then the tool (or an SMS code to the
    current phone: proof the customer still holds it; see docs/customer-service.md)."""
    user = operation.user
    customer = user.customer
    link = LinkedMedium.objects.select_related("medium").filter(
        pk=operation.payload["linked_medium_id"], customer=customer).first()
    if link is None or link.medium.status != MediumStatus.NORMAL:
        raise BusinessError("该账户已不是您的正常状态网银关联账户")
    new_phone = operation.payload["new_phone"]
    customer_phone_set(user=user, customer=customer, new_phone=new_phone,
                       action="core_phone_change",
                       detail={"medium": link.medium.masked_number,
                               "operation": operation.public_id})
    return {"message": "核心预留手机号变更成功，电子渠道预留手机号已同步更新"}


def _live_agreement(operation: PendingOperation, *, pk: int | None = None
                    ) -> MobileBankingAgreement:
    rows = (MobileBankingAgreement.objects.select_for_update().filter(user=operation.user)
            .exclude(status=MobileAgreementStatus.CANCELLED))
    if pk is not None:
        rows = rows.filter(pk=pk)
    agreement = rows.first()
    if agreement is None:
        raise BusinessError("您尚未签约手机银行")
    return agreement


@operation_kind(KIND_MOBILE_SIGN, title="手机银行签约", requires_pin=False, requires_tool=True)
def mobile_sign_execute(*, operation: PendingOperation) -> dict:
    user = operation.user
    ids = operation.payload["linked_medium_ids"]
    links = list(LinkedMedium.objects.select_related("medium")
                 .filter(pk__in=ids, customer=user.customer))
    if len(links) != len(set(ids)):
        raise BusinessError("所选账户已不是您的网银关联账户，请重新签约")
    if MobileBankingAgreement.objects.filter(user=user).exclude(
            status=MobileAgreementStatus.CANCELLED).exists():
        raise BusinessError("您已签约手机银行")
    with transaction.atomic():
        agreement = MobileBankingAgreement.objects.create(
            user=user, password_hash=operation.payload["password_hash"])
        agreement.media.set([link.medium for link in links])
        audit_record(action="mobile_sign", actor=user, customer_id=user.customer_id,
                     object_ref=f"mobile_agreement:{agreement.pk}",
                     detail={"media": [link.medium.masked_number for link in links],
                             "operation": operation.public_id})
    return {"message": "手机银行专业版签约成功", "agreement_id": agreement.pk}


@operation_kind(KIND_MOBILE_CANCEL, title="手机银行解约", requires_pin=False, requires_tool=True)
def mobile_cancel_execute(*, operation: PendingOperation) -> dict:
    agreement = _live_agreement(operation, pk=operation.payload["agreement_id"])
    agreement.status = MobileAgreementStatus.CANCELLED
    agreement.save(update_fields=["status", "changed_at"])
    audit_record(action="mobile_cancel", actor=operation.user,
                 customer_id=operation.user.customer_id,
                 object_ref=f"mobile_agreement:{agreement.pk}",
                 detail={"operation": operation.public_id})
    return {"message": "手机银行解约交易成功"}


@operation_kind(KIND_MOBILE_PASSWORD_RESET, title="手机银行密码重置", requires_pin=False,
                requires_tool=True, allow_sms=False)
def mobile_password_reset_execute(*, operation: PendingOperation) -> dict:
    """The manual asks for the USBKey here; an SMS code would be weaker than what it resets."""
    agreement = _live_agreement(operation, pk=operation.payload["agreement_id"])
    agreement.password_hash = operation.payload["password_hash"]
    agreement.save(update_fields=["password_hash", "changed_at"])
    audit_record(action="mobile_password_reset", actor=operation.user,
                 customer_id=operation.user.customer_id,
                 object_ref=f"mobile_agreement:{agreement.pk}",
                 detail={"operation": operation.public_id})
    return {"message": "手机银行密码重置成功"}
