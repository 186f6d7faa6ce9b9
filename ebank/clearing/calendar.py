"""The business calendar (X-CAL): which dates are working days.

A working day is Monday–Friday, except a statutory day off (法定节假日), plus a weekend day the
State Council's notice turns into a working day (调休工作日). ``WorkCalendar`` is a plain value
so routing and its tests need no database; ``WorkCalendar.load()`` builds it from ``Holiday``.

Caching: every transfer asks for the calendar, and the rows change a few times a year, so each
process keeps the calendar it built. It is rebuilt when the ``Holiday`` rows change
(``calendar_invalidate()``, called by ``holidays_load`` and the admin, bumps a version in the
shared Django cache so every process sees it) and, because the embedded default's cache is per
process, in any case after ``CALENDAR_MAX_AGE`` so another process's change is never missed for
long.
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache

CALENDAR_MAX_AGE = 300.0  # seconds
_VERSION_KEY = "clearing:calendar_version"

# A far bound for the search in next_working_day: a calendar that declares a year of days off in
# a row is broken data, and an endless loop would hang every transfer.
_MAX_DAYS_OFF_IN_A_ROW = 366


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = day
        for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within a year after {day:%Y-%m-%d}: check the holidays")

    @classmethod
    def load(cls) -> "WorkCalendar":
        """The calendar in the database, built at most once per change (see the module doc)."""
        return _cache.get(build=_build_from_db)


def calendar_invalidate() -> None:
    """Make every process rebuild its calendar at its next ``WorkCalendar.load()``."""
    _cache.clear()
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:  # the key is not in the cache yet
        cache.set(_VERSION_KEY, 1, timeout=None)


def _build_from_db() -> WorkCalendar:
    from .models import Holiday, HolidayKind

    holidays: set[date] = set()
    makeup_workdays: set[date] = set()
    for day, kind in Holiday.objects.values_list("date", "kind"):
        (makeup_workdays if kind == HolidayKind.MAKEUP_WORKDAY else holidays).add(day)
    return WorkCalendar(frozenset(holidays), frozenset(makeup_workdays))


class _ProcessCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calendar: WorkCalendar | None = None
        self._version: int | None = None
        self._built_at = 0.0

    def get(self, *, build) -> WorkCalendar:
        version = cache.get(_VERSION_KEY, 0)
        with self._lock:
            fresh = time.monotonic() - self._built_at < CALENDAR_MAX_AGE
            if self._calendar is not None and self._version == version and fresh:
                return self._calendar
        # Built outside the lock: two threads may both build once, which is harmless, and no
        # thread waits on another's database query.
        calendar = build()
        with self._lock:
            self._calendar, self._version, self._built_at = calendar, version, time.monotonic()
        return calendar

    def clear(self) -> None:
        with self._lock:
            self._calendar = None


_cache = _ProcessCache()
