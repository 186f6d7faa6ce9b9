"""Reads of 客户服务, 安全中心 and 网银日志查询, each scoped to the logged-in customer.

Anything a URL or a form names by id is looked up *through* the customer: another customer's
id is indistinguishable from one that does not exist (404), so ids cannot be probed.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Customer, LinkedMedium, SubAccount, SubAccountStatus
from ebank.core.models import AuditEvent
from ebank.limits.engine import EffectiveLimits
from ebank.limits.models import LimitChannel, LimitKind, LimitLevel, LimitPolicy
from ebank.limits.selectors import effective_limits
from security.models import (
    CustomerMessage,
    MobileAgreementStatus,
    MobileBankingAgreement,
    SecurityTool,
    SmsSubscription,
    ToolStatus,
    User,
)
from security.tools.services import limit_subject_for

# --- security tools and limits -------------------------------------------------------------------


def has_active_tool(*, user: User) -> bool:
    """A USBKey or token that can sign now; a locked one cannot (X-TOOLS)."""
    return SecurityTool.objects.filter(user=user, status=ToolStatus.ACTIVE).exists()


def security_tools_for_user(*, user: User) -> QuerySet[SecurityTool]:
    return SecurityTool.objects.filter(user=user).order_by("-issued_at", "-id")


@dataclass(frozen=True)
class LimitOverview:
    """What the 限额管理 page shows: what binds now, what each level set, the self-service caps."""

    effective: EffectiveLimits
    customer_single: Decimal | None
    customer_daily: Decimal | None
    branch_single: Decimal | None
    branch_daily: Decimal | None
    bank_single: Decimal | None
    bank_daily: Decimal | None
    self_service_single: Decimal
    self_service_daily: Decimal
    has_security_tool: bool


def limit_overview(*, user: User) -> LimitOverview:
    subject = limit_subject_for(user=user)
    effective = effective_limits(subject=subject)
    branch = LimitPolicy.objects.filter(level=LimitLevel.BRANCH, scope=subject.branch_code,
                                        channel=LimitChannel.TRANSFER).first()
    bank = LimitPolicy.objects.filter(level=LimitLevel.BANK, scope="",
                                      channel=LimitChannel.TRANSFER).first()
    return LimitOverview(
        effective=effective,
        customer_single=effective.set_at(LimitLevel.CUSTOMER, LimitKind.SINGLE),
        customer_daily=effective.set_at(LimitLevel.CUSTOMER, LimitKind.DAILY),
        branch_single=branch.single_limit if branch else None,
        branch_daily=branch.daily_limit if branch else None,
        bank_single=bank.single_limit if bank else None,
        bank_daily=bank.daily_limit if bank else None,
        self_service_single=settings.SELF_SERVICE_SINGLE_CAP,
        self_service_daily=settings.SELF_SERVICE_DAILY_CAP,
        has_security_tool=subject.has_security_tool,
    )


# --- linked accounts -----------------------------------------------------------------------------


def linked_media_for_customer(*, customer: Customer) -> QuerySet[LinkedMedium]:
    """The customer's 网银关联账户 in their display order."""
    return (LinkedMedium.objects.filter(customer=customer)
            .select_related("medium", "customer").order_by("position", "id"))


def linked_medium_get_for_customer(*, customer: Customer, pk: int) -> LinkedMedium:
    try:
        return linked_media_for_customer(customer=customer).get(pk=pk)
    except (LinkedMedium.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("账户不存在") from exc


def linked_medium_label(link: LinkedMedium) -> str:
    """Alias (default: the account name) and the masked number, as every account list shows it."""
    name = link.alias or f"{link.customer.name} {link.medium.get_kind_display()}"
    return f"{name} {link.medium.masked_number}"


def sub_accounts_for_sms(*, customer: Customer) -> QuerySet[SubAccount]:
    """Open sub-accounts of linked media: what 短信服务签约 may choose."""
    return (SubAccount.objects
            .filter(medium__link__customer=customer, medium__customer=customer,
                    status=SubAccountStatus.OPEN)
            .select_related("medium", "medium__link").order_by("medium__link__position", "seq"))


# --- 客户服务 --------------------------------------------------------------------------------------


def mobile_agreement_live(*, user: User) -> MobileBankingAgreement | None:
    """The agreement that is not cancelled (at most one, by constraint)."""
    return (MobileBankingAgreement.objects.filter(user=user)
            .exclude(status=MobileAgreementStatus.CANCELLED).prefetch_related("media").first())


def sms_subscriptions_for_user(*, user: User, active_only: bool = True) -> QuerySet[SmsSubscription]:
    rows = SmsSubscription.objects.filter(user=user).select_related("sub_account__medium")
    if active_only:
        rows = rows.filter(active=True)
    return rows.order_by("-active", "-created_at", "-id")


def sms_subscription_get_for_user(*, user: User, pk: int) -> SmsSubscription:
    try:
        return sms_subscriptions_for_user(user=user).get(pk=pk)
    except (SmsSubscription.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("签约记录不存在") from exc


def _day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """Asia/Shanghai calendar days as aware datetimes: [start of from, start of the day after to)."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), tz) if date_from else None
    end = (timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), tz)
           if date_to else None)
    return start, end


def messages_for_user(*, user: User, date_from: date | None = None,
                      date_to: date | None = None) -> QuerySet[CustomerMessage]:
    rows = CustomerMessage.objects.filter(user=user)
    start, end = _day_bounds(date_from, date_to)
    if start:
        rows = rows.filter(created_at__gte=start)
    if end:
        rows = rows.filter(created_at__lt=end)
    return rows.order_by("-created_at", "-id")


def message_get_for_user(*, user: User, pk: int) -> CustomerMessage:
    try:
        return CustomerMessage.objects.get(user=user, pk=pk)
    except (CustomerMessage.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("留言不存在") from exc


# --- 网银日志查询 ----------------------------------------------------------------------------------

AUDIT_DEFAULT_DAYS = 30


def audit_default_range(*, today: date | None = None) -> tuple[date, date]:
    """The last 30 days including today (Asia/Shanghai)."""
    today = today or timezone.localdate()
    return today - timedelta(days=AUDIT_DEFAULT_DAYS - 1), today


def audit_events_for_customer(*, customer: Customer, date_from: date | None,
                              date_to: date | None) -> QuerySet[AuditEvent]:
    rows = AuditEvent.objects.filter(customer_id=customer.pk)
    start, end = _day_bounds(date_from, date_to)
    if start:
        rows = rows.filter(occurred_at__gte=start)
    if end:
        rows = rows.filter(occurred_at__lt=end)
    return rows.order_by("-occurred_at", "-id")
