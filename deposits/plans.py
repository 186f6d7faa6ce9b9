"""卡内预约转存 schedules (DEP-PLAN): which days a plan runs.

Monthly on ``run_day`` (a day a month lacks — the 29th to 31st — runs on that month's last day);
weekly on ISO weekday ``run_day``. ``plan_run_days`` lists them from a start; ``plan_next_run``
gives the first on or after a day, within the plan's end.
"""

import calendar
from datetime import date, timedelta

from .models import PlanFrequency


def _monthly_on(year: int, month: int, run_day: int) -> date:
    return date(year, month, min(run_day, calendar.monthrange(year, month)[1]))


def plan_next_run(*, frequency: str, run_day: int, on_or_after: date,
                  ends_on: date | None = None) -> date | None:
    """The first scheduled day on or after ``on_or_after``; None past ``ends_on``."""
    if frequency == PlanFrequency.WEEKLY:
        day = on_or_after + timedelta(days=(run_day - on_or_after.isoweekday()) % 7)
    else:
        day = _monthly_on(on_or_after.year, on_or_after.month, run_day)
        if day < on_or_after:
            year, month = (on_or_after.year + on_or_after.month // 12,
                           on_or_after.month % 12 + 1)
            day = _monthly_on(year, month, run_day)
    return None if ends_on is not None and day > ends_on else day


def plan_run_days(*, frequency: str, run_day: int, starts_on: date, count: int,
                  ends_on: date | None = None) -> list[date]:
    """Up to ``count`` scheduled days from ``starts_on`` (the plan's page shows the next few)."""
    days: list[date] = []
    day = starts_on
    while len(days) < count:
        found = plan_next_run(frequency=frequency, run_day=run_day, on_or_after=day,
                              ends_on=ends_on)
        if found is None:
            break
        days.append(found)
        day = found + timedelta(days=1)
    return days
