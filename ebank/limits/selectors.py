"""Reads of the limit engine: which limits bind a customer, and may an amount move now.

Nothing here locks or writes; ``services.limit_consume`` is the locked, writing twin of
``limit_check`` and shares its rules (``engine``).
"""

from datetime import date
from decimal import Decimal

from django.db import connection

from ebank.core.clock import business_day

from .engine import (
    ZERO,
    EffectiveLimits,
    LimitDecision,
    LimitSubject,
    check_amount,
    compose,
    decide,
    only_levels,
)
from .models import DailyLimitUsage, LimitChannel, LimitLevel, LimitPolicy


def _dec(value) -> Decimal | None:
    # PostgreSQL returns Decimal; the embedded SQLite returns int/float for NUMERIC columns.
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal("0.01"))


# One statement, no ORM compilation: this runs in the hot path of every external transfer.
# Match (level, scope) pairs, never scope alone: a branch code may look like a customer id.
POLICY_TABLE = LimitPolicy._meta.db_table


def policy_match_sql(alias: str = "") -> str:
    """The WHERE condition matching a subject's policies; columns qualified by ``alias``."""
    ch, lv, sc = (f"{alias}.{c}" if alias else c for c in ("channel", "level", "scope"))
    return (
        f"{ch} = %s AND (({lv} = %s AND {sc} = '') OR ({lv} = %s AND {sc} = %s) "
        f"OR ({lv} = %s AND {sc} = %s) OR ({lv} = %s AND {sc} = %s AND {sc} <> '') "
        f"OR ({lv} = %s AND {sc} = '' AND %s))"
    )


def policy_match_params(*, subject: LimitSubject, channel: str) -> list:
    return [
        channel,
        LimitLevel.BANK,
        LimitLevel.CHANNEL, channel,
        LimitLevel.CUSTOMER, str(subject.customer_id),
        LimitLevel.BRANCH, subject.branch_code or "",
        LimitLevel.TOOLLESS, not subject.has_security_tool,
    ]


_POLICY_ROWS_SQL = f"SELECT level, single_limit, daily_limit FROM {POLICY_TABLE} WHERE "
# The usage row rides along as a row whose level is NULL (a policy's level never is).
_USAGE_ROW_SQL = (f" UNION ALL SELECT NULL, used, NULL FROM {DailyLimitUsage._meta.db_table} "
                  "WHERE customer_id = %s AND day = %s AND channel = %s")


def effective_limits(*, subject: LimitSubject,
                     channel: str = LimitChannel.TRANSFER) -> EffectiveLimits:
    """The single and daily limits binding ``subject`` on ``channel``, and where each comes from.

    One query. The tightest limit set at any applicable level wins; a customer who set nothing is
    bound by the branch (else the bank) limit, which is the same rule since branch ≤ bank.
    """
    with connection.cursor() as cursor:
        cursor.execute(_POLICY_ROWS_SQL + policy_match_sql(),
                       policy_match_params(subject=subject, channel=channel))
        rows = [(level, _dec(single), _dec(daily)) for level, single, daily in cursor.fetchall()]
    return compose(subject=subject, channel=channel, rows=rows)


def _limits_and_usage(*, subject: LimitSubject, channel: str,
                      day: date) -> tuple[EffectiveLimits, Decimal]:
    """:func:`effective_limits` and :func:`limit_usage` in one statement (the forms' hot path)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _POLICY_ROWS_SQL + policy_match_sql() + _USAGE_ROW_SQL,
            [*policy_match_params(subject=subject, channel=channel), subject.customer_id,
             connection.ops.adapt_datefield_value(day), channel],
        )
        fetched = cursor.fetchall()
    rows = [(level, _dec(single), _dec(daily)) for level, single, daily in fetched
            if level is not None]
    used = next((_dec(single) for level, single, _daily in fetched if level is None), None)
    return (compose(subject=subject, channel=channel, rows=rows),
            used if used is not None else ZERO)


def limit_usage(*, subject: LimitSubject, channel: str = LimitChannel.TRANSFER,
                on: date | None = None) -> Decimal:
    """What the customer has already moved on ``channel`` on the business day (Asia/Shanghai)."""
    used = DailyLimitUsage.objects.filter(
        customer_id=subject.customer_id, day=business_day(on), channel=channel,
    ).values_list("used", flat=True).first()
    return used if used is not None else ZERO


def limit_check(*, subject: LimitSubject, amount: Decimal,
                channel: str = LimitChannel.TRANSFER, on: date | None = None,
                levels: tuple[str, ...] | None = None) -> LimitDecision:
    """Would ``amount`` pass now? Read-only: forms and confirmation pages ask this early so the
    customer learns before signing; ``limit_consume`` asks again under the lock at execution."""
    check_amount(amount)
    limits, used = _limits_and_usage(subject=subject, channel=channel, day=business_day(on))
    return decide(limits=only_levels(limits, levels), amount=amount, used=used)
