from datetime import datetime

import pytest

from ebank.clearing.calendar import WorkCalendar, calendar_invalidate
from ebank.clearing.models import HolidayKind
from ebank.clearing.services import BUILTIN_HOLIDAY_FILES, holiday_rows_read
from ebank.core.clock import SHANGHAI


def calendar_from_files(*paths) -> WorkCalendar:
    rows = [row for path in paths for row in holiday_rows_read(path)]
    return WorkCalendar(
        holidays=frozenset(r.date for r in rows if r.kind == HolidayKind.HOLIDAY),
        makeup_workdays=frozenset(r.date for r in rows if r.kind == HolidayKind.MAKEUP_WORKDAY),
    )


def sh(text: str) -> datetime:
    """'2026-10-09 21:00' as an Asia/Shanghai business time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The shipped 2026 and 2027 calendar, without the database."""
    return calendar_from_files(*BUILTIN_HOLIDAY_FILES)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Test transactions roll back Holiday rows that a process-wide cached calendar would keep.
    calendar_invalidate()
    yield
    calendar_invalidate()
