from datetime import date
from decimal import Decimal

import pytest

from ebank.clearing.models import Holiday, HolidayKind
from ebank.clearing.routing import ArrivalMode, Channel
from ebank.clearing.selectors import execution_plan_for

from .conftest import sh

pytestmark = pytest.mark.django_db


def test_execution_plan_for_uses_the_database_calendar_and_settings(settings):
    settings.NORMAL_ARRIVAL_DELAY_MINUTES = 90
    settings.NEXT_DAY_EXECUTION_HOUR = 10
    Holiday.objects.create(date=date(2026, 10, 8), kind=HolidayKind.HOLIDAY, name="测试")

    normal = execution_plan_for(amount=Decimal("100.00"), mode=ArrivalMode.NORMAL,
                                submitted_at=sh("2026-03-10 10:00"))
    assert normal.execute_at == sh("2026-03-10 11:30")

    next_day = execution_plan_for(amount=Decimal("100.00"), mode=ArrivalMode.NEXT_DAY,
                                  submitted_at=sh("2026-03-10 10:00"))
    assert next_day.execute_at == sh("2026-03-11 10:00")

    large = execution_plan_for(amount=Decimal("50000.01"), mode=ArrivalMode.REAL_TIME,
                               submitted_at=sh("2026-10-07 21:00"))
    assert (large.channel, large.reserved, large.execute_at) == (
        Channel.HVPS, True, sh("2026-10-09 09:00"))
