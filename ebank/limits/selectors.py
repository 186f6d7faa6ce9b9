"""Reads of the limit engine: which limits bind a customer, and may an amount move now.

Nothing here locks or writes; ``services.limit_consume`` is the locked, writing twin of
``limit_check`` and shares its rules (``engine``).
"""

from datetime import date
from decimal import Decimal

from django.db.models import Q

from .engine import (
    ZERO,
    EffectiveLimits,
    LimitDecision,
    LimitSubject,
    business_day,
    check_amount,
    compose,
    decide,
)
from .models import DailyLimitUsage, LimitChannel, LimitLevel, LimitPolicy


def _policy_filter(*, subject: LimitSubject, channel: str) -> Q:
    # Match (level, scope) pairs, never scope alone: a branch code may look like a customer id.
    wanted = Q(level=LimitLevel.BANK, scope="") | Q(level=LimitLevel.CHANNEL, scope=channel)
    wanted |= Q(level=LimitLevel.CUSTOMER, scope=str(subject.customer_id))
    if subject.branch_code:
        wanted |= Q(level=LimitLevel.BRANCH, scope=subject.branch_code)
    if not subject.has_security_tool:
        wanted |= Q(level=LimitLevel.TOOLLESS, scope="")
    return Q(channel=channel) & wanted


def effective_limits(*, subject: LimitSubject,
                     channel: str = LimitChannel.TRANSFER) -> EffectiveLimits:
    """The single and daily limits binding ``subject`` on ``channel``, and where each comes from.

    One query. The tightest limit set at any applicable level wins; a customer who set nothing is
    bound by the branch (else the bank) limit, which is the same rule since branch ≤ bank.
    """
    rows = LimitPolicy.objects.filter(_policy_filter(subject=subject, channel=channel)) \
        .values_list("level", "single_limit", "daily_limit")
    return compose(subject=subject, channel=channel, rows=list(rows))


def limit_usage(*, subject: LimitSubject, channel: str = LimitChannel.TRANSFER,
                on: date | None = None) -> Decimal:
    """What the customer has already moved on ``channel`` on the business day (Asia/Shanghai)."""
    used = DailyLimitUsage.objects.filter(
        customer_id=subject.customer_id, day=business_day(on), channel=channel,
    ).values_list("used", flat=True).first()
    return used if used is not None else ZERO


def limit_check(*, subject: LimitSubject, amount: Decimal,
                channel: str = LimitChannel.TRANSFER, on: date | None = None) -> LimitDecision:
    """Would ``amount`` pass now? Read-only: forms and confirmation pages ask this early so the
    customer learns before signing; ``limit_consume`` asks again under the lock at execution."""
    check_amount(amount)
    return decide(limits=effective_limits(subject=subject, channel=channel), amount=amount,
                  used=limit_usage(subject=subject, channel=channel, on=on))
