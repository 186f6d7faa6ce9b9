"""The wealth tests' world: tests/customer_world's personas (张伟 with a USBKey, 李娜 without a
tool) and a shelf of products, on a fixed week of June 2026.

* ``MONDAY`` 2026-06-08 is a trading day; 2026-06-19 (端午节, a Friday) is a holiday when a test
  asks for ``dragon_boat`` (the calendar is empty otherwise: weekends are the only days off).
* ``shelf``: an open R2 product, an open R3 product, a closed R2 product in its 募集期
  (2026-06-01…2026-06-12, 成立 06-15, 到期 12-15), a private R3 product with a 24-hour 冷静期,
  and 薪加利 (R1). Each open product has a 净值 of 1.0000 published for the Friday before.
* ``assess(customer, "C3")`` records a 风险测评 result directly (the questionnaire's own tests
  take the test through its page).
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from ebank.clearing.calendar import calendar_invalidate
from ebank.clearing.models import Holiday, HolidayKind
from tests.customer_world import World, world_build
from wealth.models import Nav, ProductKind, RiskAssessment, RiskLevel
from wealth.products import product_create

MONDAY = date(2026, 6, 8)
FRIDAY_BEFORE = date(2026, 6, 5)
DRAGON_BOAT = date(2026, 6, 19)


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware instant at ``hour:minute`` Asia/Shanghai on ``day`` (UTC+8)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    return world_build(settings, tmp_path)


@pytest.fixture
def dragon_boat(db):
    Holiday.objects.create(date=DRAGON_BOAT, kind=HolidayKind.HOLIDAY, name="端午节")
    calendar_invalidate()
    yield DRAGON_BOAT
    calendar_invalidate()


def product_make(code: str, *, kind=ProductKind.OPEN, risk=RiskLevel.R2, name=None,
                 start_date=date(2026, 1, 5), min_amount="1000.00", step_amount="100.00",
                 issuer="安徽农金资管", **fields):
    return product_create(code=code, name=name or f"测试理财{code}", issuer=issuer,
                          kind=kind, risk_level=risk, start_date=start_date,
                          min_amount=Decimal(min_amount), step_amount=Decimal(step_amount),
                          **fields)


def nav_publish(product, day: date, nav="1.0000", *, income_per_10k=None, seven_day_yield=None):
    return Nav.objects.update_or_create(product=product, date=day, defaults={
        "nav": Decimal(nav),
        "income_per_10k": Decimal(income_per_10k) if income_per_10k is not None else None,
        "seven_day_yield": Decimal(seven_day_yield) if seven_day_yield is not None else None,
        "published_by": "test"})[0]


@pytest.fixture
def shelf(world):
    with time_machine.travel(shanghai(FRIDAY_BEFORE, 20), tick=False):
        open_r2 = product_make("LC2001", name="安农稳健开放1号", purchase_fee_rate=Decimal("0.5"),
                               redeem_fee_rate=Decimal("0.2"), min_redeem_shares=Decimal("100"))
        open_r3 = product_make("LC3001", risk=RiskLevel.R3, name="安农平衡开放3号")
        closed = product_make("LC2101", kind=ProductKind.CLOSED, name="安农定开181天",
                              raise_start=date(2026, 6, 1), raise_end=date(2026, 6, 12),
                              start_date=date(2026, 6, 15), end_date=date(2026, 12, 15),
                              min_amount="10000.00", step_amount="1000.00",
                              subscribe_fee_rate=Decimal("0"), benchmark="3.10%")
        private = product_make("SM3001", risk=RiskLevel.R3, name="安农私享1号", private=True,
                               cooling_hours=24, min_amount="1000.00")
        xjl = product_make("XJL001", kind=ProductKind.XJL, risk=RiskLevel.R1, name="薪加利",
                           min_amount="1.00", step_amount="0.01", issuer="安农基金管理有限公司")
        for product in (open_r2, open_r3, private):
            nav_publish(product, FRIDAY_BEFORE)
        nav_publish(xjl, FRIDAY_BEFORE, income_per_10k="0.4521", seven_day_yield="1.6500")
    return SimpleNamespace(open_r2=open_r2, open_r3=open_r3, closed=closed, private=private,
                           xjl=xjl)


def assess(customer, level: str, *, taken_at: datetime | None = None, score: int = 50):
    from django.utils import timezone

    from ebank.core.clock import SHANGHAI
    from wealth.risk.scoring import valid_until

    taken_at = taken_at or shanghai(date(2026, 6, 1), 10)
    taken_on = timezone.localtime(taken_at, SHANGHAI).date()
    return RiskAssessment.objects.create(customer=customer, level=level, score=score,
                                         answers={}, taken_at=taken_at,
                                         valid_until=valid_until(taken_on))
