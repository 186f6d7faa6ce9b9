"""Small builders shared by the limit tests."""

from datetime import date
from decimal import Decimal

from ebank.limits.engine import LimitSubject
from ebank.limits.models import LimitChannel, LimitLevel, LimitPolicy

D = Decimal
DAY = date(2026, 3, 2)  # a fixed business day: no test depends on when it runs

ALICE = LimitSubject(customer_id=1001, branch_code="3401", has_security_tool=True)
TOOLLESS_BOB = LimitSubject(customer_id=1002, branch_code="3401", has_security_tool=False)


def policy(level: str, single: str | None, daily: str | None, *, scope: str = "",
           channel: str = LimitChannel.TRANSFER) -> LimitPolicy:
    """Write a policy row directly, bypassing the hierarchy check (tests build odd states)."""
    if level == LimitLevel.CHANNEL:
        scope = channel
    return LimitPolicy.objects.create(
        level=level, scope=scope, channel=channel,
        single_limit=None if single is None else D(single),
        daily_limit=None if daily is None else D(daily),
    )
