"""The hierarchy as a property: whatever the bank, branch, customer and tool-less levels set
(or leave unset), the effective limit is the tightest set one, and no sequence of consumptions
ever lets a single movement or the day's total pass it. A refusal names a level whose limit
really was broken, and names the customer's own limit only when no bank-side limit was.
"""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ebank.core.errors import LimitExceeded
from ebank.limits.engine import LimitSubject
from ebank.limits.models import DailyLimitUsage, LimitKind, LimitLevel
from ebank.limits.selectors import effective_limits, limit_check
from ebank.limits.services import limit_consume

from .helpers import DAY, policy

CUSTOMER_ID = 4242
BRANCH = "3402"

money = st.integers(min_value=1, max_value=3_000_000).map(lambda cents: Decimal(cents).scaleb(-2))
maybe_money = st.one_of(st.none(), money)


@st.composite
def level_limits(draw):
    """None (no row) or a row's (single, daily), each possibly unset, single ≤ daily."""
    if draw(st.booleans()):
        return None
    single, daily = draw(maybe_money), draw(maybe_money)
    if single is not None and daily is not None and single > daily:
        single, daily = daily, single
    return single, daily


def expected_caps(rows: dict, has_tool: bool) -> dict[tuple[str, str], Decimal]:
    """(level, kind) → limit, written from the rules in FEATURES.md X-LIMIT / X-TOOLS."""
    caps = {}
    for level, row in rows.items():
        if level == LimitLevel.TOOLLESS:
            continue
        if row is not None:
            for kind, value in zip((LimitKind.SINGLE, LimitKind.DAILY), row, strict=True):
                if value is not None:
                    caps[(level, kind)] = value
    if not has_tool:
        single, daily = rows.get(LimitLevel.TOOLLESS) or (None, None)
        daily = daily if daily is not None else settings.TOOLLESS_DAILY_CAP_DEFAULT
        caps[(LimitLevel.TOOLLESS, LimitKind.SINGLE)] = single if single is not None else daily
        caps[(LimitLevel.TOOLLESS, LimitKind.DAILY)] = daily
    return caps


def tightest(caps: dict, kind: str) -> Decimal | None:
    values = [v for (_level, k), v in caps.items() if k == kind]
    return min(values) if values else None


@pytest.mark.django_db
@hsettings(max_examples=150, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    rows=st.fixed_dictionaries({
        LimitLevel.BANK: level_limits(),
        LimitLevel.BRANCH: level_limits(),
        LimitLevel.CUSTOMER: level_limits(),
        LimitLevel.TOOLLESS: level_limits(),
    }),
    has_tool=st.booleans(),
    noise=st.booleans(),
    amounts=st.lists(money, max_size=12),
)
def test_tightest_set_level_binds_every_consumption(rows, has_tool, noise, amounts):
    subject = LimitSubject(customer_id=CUSTOMER_ID, branch_code=BRANCH, has_security_tool=has_tool)
    with transaction.atomic():
        scopes = {LimitLevel.BRANCH: BRANCH, LimitLevel.CUSTOMER: str(CUSTOMER_ID)}
        for level, row in rows.items():
            if row is not None:
                policy(level, *(None if v is None else str(v) for v in row),
                       scope=scopes.get(level, ""))
        if noise:
            # Rows that must never apply: another branch whose code equals our customer id,
            # another customer, and a product limit on another counter.
            policy(LimitLevel.BRANCH, "0.01", "0.01", scope=str(CUSTOMER_ID))
            policy(LimitLevel.CUSTOMER, "0.01", "0.01", scope="999999")
            policy(LimitLevel.CHANNEL, "0.01", "0.01", channel="quickpay")

        caps = expected_caps(rows, has_tool)
        limits = effective_limits(subject=subject)
        assert limits.single == tightest(caps, LimitKind.SINGLE)
        assert limits.daily == tightest(caps, LimitKind.DAILY)
        if limits.single is not None:
            assert caps[(limits.single_level, LimitKind.SINGLE)] == limits.single
        if limits.daily is not None:
            assert caps[(limits.daily_level, LimitKind.DAILY)] == limits.daily

        used = Decimal("0.00")
        for amount in amounts:
            would_break = [
                (level, kind) for (level, kind), cap in caps.items()
                if (kind == LimitKind.SINGLE and amount > cap)
                or (kind == LimitKind.DAILY and used + amount > cap)
            ]
            decision = limit_check(subject=subject, amount=amount, on=DAY)
            try:
                with transaction.atomic():
                    limit_consume(subject=subject, amount=amount, on=DAY)
            except LimitExceeded as refused:
                assert would_break, f"{amount} refused with nothing broken"
                assert (refused.level, refused.kind) in would_break
                bank_side_broken = [lk for lk in would_break if lk[0] != LimitLevel.CUSTOMER]
                if bank_side_broken:
                    assert refused.level != LimitLevel.CUSTOMER
                assert not decision.allowed
                assert (decision.stopped_by, decision.kind) == (refused.level, refused.kind)
                assert decision.message == refused.message
            else:
                assert not would_break, f"{amount} passed although {would_break} broken"
                assert decision.allowed
                used += amount
                if limits.single is not None:
                    assert amount <= limits.single
                if limits.daily is not None:
                    assert used <= limits.daily

        stored = DailyLimitUsage.objects.filter(customer_id=CUSTOMER_ID, day=DAY).first()
        assert (stored.used if stored else Decimal("0.00")) == used
        transaction.set_rollback(True)
