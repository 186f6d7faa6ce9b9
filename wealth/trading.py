"""Trading days and the 15:00 cut-off (DOMAIN-RULES §5), on the bank's business calendar.

A trading day (交易日) is a working day of ebank.clearing's calendar that is not a Saturday or
Sunday: the exchanges do not open on a 调休 weekend working day. An order placed before 15:00
(Asia/Shanghai) on a trading day trades that day (its 净值 prices it, confirmed T+1); any later
order trades the next trading day.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ebank.clearing.calendar import WorkCalendar
from ebank.core.clock import SHANGHAI

CUTOFF = time(15, 0)
_MAX_DAYS = 366


def is_trading_day(day: date, calendar: WorkCalendar | None = None) -> bool:
    calendar = calendar or WorkCalendar.load()
    return day.weekday() < 5 and calendar.is_working_day(day)


def next_trading_day(day: date, calendar: WorkCalendar | None = None) -> date:
    """The first trading day strictly after ``day``."""
    calendar = calendar or WorkCalendar.load()
    candidate = day
    for _ in range(_MAX_DAYS):
        candidate += timedelta(days=1)
        if is_trading_day(candidate, calendar):
            return candidate
    raise ValueError(f"no trading day within a year after {day:%Y-%m-%d}: check the holidays")


def trade_date_for(at: datetime | None = None, calendar: WorkCalendar | None = None) -> date:
    """The trading day an order placed at ``at`` (default: now) trades on."""
    calendar = calendar or WorkCalendar.load()
    local = timezone.localtime(at or timezone.now(), SHANGHAI)
    day = local.date()
    if is_trading_day(day, calendar) and local.time() < CUTOFF:
        return day
    return next_trading_day(day, calendar)


def cutoff_at(day: date) -> datetime:
    """15:00 Asia/Shanghai of ``day`` (an aware datetime)."""
    return datetime.combine(day, CUTOFF, tzinfo=SHANGHAI)


def confirm_date_for(trade_date: date, calendar: WorkCalendar | None = None) -> date:
    """T+1: the trading day after ``trade_date``, whose nightly run confirms the order."""
    return next_trading_day(trade_date, calendar)
