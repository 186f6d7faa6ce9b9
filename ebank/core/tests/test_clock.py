"""The bank's clock: the business date is Asia/Shanghai's, not UTC's nor the server's."""

from datetime import UTC, date, datetime

import time_machine
from django.test import override_settings

from ebank.core.clock import SHANGHAI, business_day


def test_the_business_day_turns_at_midnight_in_shanghai_not_utc():
    # 2026-11-23 16:30 UTC is 2026-11-24 00:30 in Shanghai.
    with time_machine.travel(datetime(2026, 11, 23, 16, 30, tzinfo=UTC), tick=False):
        assert business_day() == date(2026, 11, 24)
    with time_machine.travel(datetime(2026, 11, 23, 15, 59, 59, tzinfo=UTC), tick=False):
        assert business_day() == date(2026, 11, 23)


@override_settings(TIME_ZONE="America/New_York")
def test_the_business_day_ignores_the_sites_zone():
    with time_machine.travel(datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert business_day() == date(2026, 11, 24)


def test_a_given_day_is_kept():
    with time_machine.travel(datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert business_day(date(2026, 1, 2)) == date(2026, 1, 2)
