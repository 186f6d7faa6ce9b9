"""卡内预约转存 schedules: the 31st in a short month, weekly days, the end date."""

from datetime import date

import pytest

from deposits.models import PlanFrequency
from deposits.plans import plan_next_run, plan_run_days

MONTHLY, WEEKLY = PlanFrequency.MONTHLY, PlanFrequency.WEEKLY


def test_the_31st_runs_on_a_short_month_s_last_day_and_back_on_the_31st():
    assert plan_run_days(frequency=MONTHLY, run_day=31, starts_on=date(2026, 1, 1),
                         count=5) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                      date(2026, 4, 30), date(2026, 5, 31)]


def test_a_leap_february_and_the_year_end():
    assert plan_run_days(frequency=MONTHLY, run_day=30, starts_on=date(2027, 12, 31),
                         count=3) == [date(2028, 1, 30), date(2028, 2, 29), date(2028, 3, 30)]


@pytest.mark.parametrize(("after", "expected"), [
    (date(2026, 6, 15), date(2026, 6, 15)),   # the day itself counts
    (date(2026, 6, 16), date(2026, 7, 15)),
    (date(2026, 12, 16), date(2027, 1, 15)),
])
def test_monthly_next_run(after, expected):
    assert plan_next_run(frequency=MONTHLY, run_day=15, on_or_after=after) == expected


def test_weekly_runs_on_its_weekday():
    # 2026-06-15 is a Monday.
    assert plan_run_days(frequency=WEEKLY, run_day=5, starts_on=date(2026, 6, 15),
                         count=3) == [date(2026, 6, 19), date(2026, 6, 26), date(2026, 7, 3)]
    assert plan_next_run(frequency=WEEKLY, run_day=1, on_or_after=date(2026, 6, 15)) == \
        date(2026, 6, 15)


def test_nothing_after_the_end_date():
    assert plan_run_days(frequency=MONTHLY, run_day=10, starts_on=date(2026, 1, 1), count=12,
                         ends_on=date(2026, 3, 9)) == [date(2026, 1, 10), date(2026, 2, 10)]
    assert plan_next_run(frequency=MONTHLY, run_day=10, on_or_after=date(2026, 3, 11),
                         ends_on=date(2026, 3, 31)) is None
