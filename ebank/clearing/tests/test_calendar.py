from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ebank.clearing.calendar import WorkCalendar, calendar_invalidate
from ebank.clearing.models import Holiday, HolidayKind
from ebank.clearing.services import BUILTIN_HOLIDAY_FILES, holidays_load

from .conftest import calendar_from_files

d = date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-03-09", True),   # an ordinary Monday
        ("2026-03-07", False),  # an ordinary Saturday
        ("2026-01-01", False),  # 元旦
        ("2026-01-04", True),   # Sunday worked for 元旦
        ("2026-02-14", True),   # Saturday worked for 春节
        ("2026-02-23", False),  # 春节, a Monday
        ("2026-02-28", True),   # Saturday worked for 春节
        ("2026-04-06", False),  # 清明, a Monday
        ("2026-05-05", False),  # 劳动节, a Tuesday
        ("2026-05-09", True),   # Saturday worked for 劳动节
        ("2026-06-19", False),  # 端午, a Friday
        ("2026-09-20", True),   # Sunday worked for 国庆
        ("2026-09-25", False),  # 中秋, a Friday
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),   # Saturday worked for 国庆
        ("2027-02-05", False),  # provisional 2027: 除夕
        ("2027-10-01", False),
    ],
)
def test_is_working_day(cal, day, working):
    assert cal.is_working_day(d(day)) is working


@pytest.mark.parametrize(
    ("day", "next_day"),
    [
        ("2026-03-06", "2026-03-09"),  # Friday → Monday
        ("2026-03-09", "2026-03-10"),  # strictly after
        ("2026-09-30", "2026-10-08"),  # over the National Day holiday
        ("2026-10-09", "2026-10-10"),  # onto a make-up Saturday
        ("2026-02-13", "2026-02-14"),  # onto a make-up Saturday before 春节
        ("2026-02-14", "2026-02-24"),  # over 春节
        ("2026-04-03", "2026-04-07"),  # over 清明 (Sat–Mon)
        ("2026-12-31", "2027-01-04"),
    ],
)
def test_next_working_day(cal, day, next_day):
    assert cal.next_working_day(d(day)) == d(next_day)


def test_empty_calendar_is_monday_to_friday():
    plain = WorkCalendar()
    assert [plain.is_working_day(d("2026-03-02") + timedelta(days=i)) for i in range(7)] == [
        True, True, True, True, True, False, False]


def test_a_calendar_without_working_days_fails_loudly():
    start = d("2026-01-01")
    never = WorkCalendar(holidays=frozenset(start + timedelta(days=i) for i in range(800)))
    with pytest.raises(ValueError):
        never.next_working_day(start)


_CAL = calendar_from_files(*BUILTIN_HOLIDAY_FILES)


@hsettings(max_examples=300, deadline=None, database=None)
@given(day=st.dates(min_value=d("2025-12-01"), max_value=d("2027-12-31")))
def test_next_working_day_is_the_first_working_day_after(day):
    found = _CAL.next_working_day(day)
    assert found > day
    assert _CAL.is_working_day(found)
    between = (day + timedelta(days=i) for i in range(1, (found - day).days))
    assert not any(_CAL.is_working_day(x) for x in between)


@pytest.mark.django_db
def test_load_reads_the_database_and_caches_until_invalidated(django_capture_on_commit_callbacks):
    assert WorkCalendar.load().is_working_day(d("2026-10-01"))  # nothing loaded yet

    with django_capture_on_commit_callbacks(execute=True):
        holidays_load(paths=BUILTIN_HOLIDAY_FILES)
    loaded = WorkCalendar.load()
    assert not loaded.is_working_day(d("2026-10-01"))
    assert loaded.is_working_day(d("2026-10-10"))
    assert loaded == calendar_from_files(*BUILTIN_HOLIDAY_FILES)

    # A row written behind the loader's back is not seen until someone invalidates.
    Holiday.objects.create(date=d("2026-03-10"), kind=HolidayKind.HOLIDAY, name="测试")
    assert WorkCalendar.load() is loaded
    calendar_invalidate()
    assert not WorkCalendar.load().is_working_day(d("2026-03-10"))


@pytest.mark.django_db
def test_invalidation_waits_for_commit(django_capture_on_commit_callbacks):
    before = WorkCalendar.load()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        holidays_load(paths=BUILTIN_HOLIDAY_FILES)
    assert WorkCalendar.load() is before
    assert len(callbacks) == 1
