"""The clearing rules as a table (FEATURES.md "Clearing rules"), on the real 2026 calendar.

2026-03-02 is a Monday, so in March: Fri 06, Sat 07, Sun 08, Mon 09, Tue 10, Wed 11.
"""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ebank.clearing.routing import (
    ArrivalMode,
    Channel,
    hvps_session_day,
    hvps_session_open,
    plan_execution,
    route,
)
from ebank.clearing.services import BUILTIN_HOLIDAY_FILES
from ebank.core.clock import SHANGHAI

from .conftest import calendar_from_files, sh

D = Decimal
SMALL = D("20000.00")
LARGE = D("100000.00")
RT, NORMAL, NEXT = ArrivalMode.REAL_TIME, ArrivalMode.NORMAL, ArrivalMode.NEXT_DAY
IMMEDIATE, SCHEDULED, RESERVED = "immediate", "scheduled", "reserved"

# (id, amount, mode, submitted (Shanghai), expected channel, expected execute_at or None for
# "the submitted instant", expected kind)
CASES = [
    # HVPS real time: the session runs from 20:30 the day before to 17:00 of a working day
    ("hvps-fri-1730-reserved-to-monday", LARGE, RT, "2026-03-06 17:30", "HVPS", "2026-03-09 09:00", RESERVED),
    ("hvps-mon-2045-real-time", LARGE, RT, "2026-03-09 20:45", "HVPS", None, IMMEDIATE),
    ("hvps-fri-2100-to-monday-0900", LARGE, RT, "2026-03-06 21:00", "HVPS", "2026-03-09 09:00", RESERVED),
    ("hvps-sat-1000-to-monday-0900", LARGE, RT, "2026-03-07 10:00", "HVPS", "2026-03-09 09:00", RESERVED),
    ("hvps-sun-2029-to-monday-0900", LARGE, RT, "2026-03-08 20:29", "HVPS", "2026-03-09 09:00", RESERVED),
    ("hvps-sun-2100-real-time", LARGE, RT, "2026-03-08 21:00", "HVPS", None, IMMEDIATE),
    ("hvps-mon-0300-real-time", LARGE, RT, "2026-03-09 03:00", "HVPS", None, IMMEDIATE),
    ("hvps-tue-165959-real-time", LARGE, RT, "2026-03-10 16:59:59", "HVPS", None, IMMEDIATE),
    ("hvps-tue-1700-reserved", LARGE, RT, "2026-03-10 17:00", "HVPS", "2026-03-11 09:00", RESERVED),
    ("hvps-tue-202959-reserved", LARGE, RT, "2026-03-10 20:29:59", "HVPS", "2026-03-11 09:00", RESERVED),
    ("hvps-tue-2030-real-time", LARGE, RT, "2026-03-10 20:30", "HVPS", None, IMMEDIATE),
    # the 7-day National Day holiday, with make-up Sunday 09-20 and Saturday 10-10
    ("hvps-national-day-eve-1730", LARGE, RT, "2026-09-30 17:30", "HVPS", "2026-10-08 09:00", RESERVED),
    ("hvps-national-day-eve-2100", LARGE, RT, "2026-09-30 21:00", "HVPS", "2026-10-08 09:00", RESERVED),
    ("hvps-national-day-0103-1200", LARGE, RT, "2026-10-03 12:00", "HVPS", "2026-10-08 09:00", RESERVED),
    ("hvps-last-holiday-evening-real-time", LARGE, RT, "2026-10-07 21:00", "HVPS", None, IMMEDIATE),
    ("hvps-makeup-saturday-1000-real-time", LARGE, RT, "2026-10-10 10:00", "HVPS", None, IMMEDIATE),
    ("hvps-fri-2100-before-makeup-saturday", LARGE, RT, "2026-10-09 21:00", "HVPS", None, IMMEDIATE),
    ("hvps-makeup-saturday-2100-to-monday", LARGE, RT, "2026-10-10 21:00", "HVPS", "2026-10-12 09:00", RESERVED),
    ("hvps-sat-2100-before-makeup-sunday", LARGE, RT, "2026-09-19 21:00", "HVPS", None, IMMEDIATE),
    ("hvps-mid-autumn-eve-1800", LARGE, RT, "2026-09-24 18:00", "HVPS", "2026-09-28 09:00", RESERVED),
    ("hvps-sun-2100-before-qingming-monday", LARGE, RT, "2026-04-05 21:00", "HVPS", "2026-04-07 09:00", RESERVED),
    ("hvps-spring-festival-fri-2100-before-makeup-sat", LARGE, RT, "2026-02-13 21:00", "HVPS", None, IMMEDIATE),
    ("hvps-new-year-eve-2027-provisional", LARGE, RT, "2026-12-31 18:00", "HVPS", "2027-01-04 09:00", RESERVED),
    # the channel boundary: 50,000.00 inclusive is IBPS (7×24), one fen more is HVPS
    ("ibps-50000.00-sunday-night", D("50000.00"), RT, "2026-03-08 03:00", "IBPS", None, IMMEDIATE),
    ("hvps-50000.01-sunday-night", D("50000.01"), RT, "2026-03-08 03:00", "HVPS", "2026-03-09 09:00", RESERVED),
    ("ibps-0.01", D("0.01"), RT, "2026-10-03 12:00", "IBPS", None, IMMEDIATE),
    ("ibps-during-national-day", SMALL, RT, "2026-10-03 12:00", "IBPS", None, IMMEDIATE),
    # 普通到账: two hours later, then the HVPS window applies to that instant
    ("ibps-normal-2330-to-0130", SMALL, NORMAL, "2026-03-10 23:30", "IBPS", "2026-03-11 01:30", SCHEDULED),
    ("ibps-normal-fri-2330-to-sat-0130", SMALL, NORMAL, "2026-03-06 23:30", "IBPS", "2026-03-07 01:30", SCHEDULED),
    ("hvps-normal-tue-2330-to-wed-0130", LARGE, NORMAL, "2026-03-10 23:30", "HVPS", "2026-03-11 01:30", SCHEDULED),
    ("hvps-normal-fri-2330-to-monday", LARGE, NORMAL, "2026-03-06 23:30", "HVPS", "2026-03-09 09:00", RESERVED),
    ("hvps-normal-mon-1400-to-1600", LARGE, NORMAL, "2026-03-09 14:00", "HVPS", "2026-03-09 16:00", SCHEDULED),
    ("hvps-normal-mon-1600-past-close", LARGE, NORMAL, "2026-03-09 16:00", "HVPS", "2026-03-10 09:00", RESERVED),
    ("hvps-normal-mon-1900-into-evening", LARGE, NORMAL, "2026-03-09 19:00", "HVPS", "2026-03-09 21:00", SCHEDULED),
    ("hvps-normal-sun-1900-into-monday-session", LARGE, NORMAL, "2026-03-08 19:00", "HVPS", "2026-03-08 21:00", SCHEDULED),
    # 次日到账: 09:00 of the next calendar day, then the HVPS window applies
    ("ibps-next-day-fri-to-sat-0900", SMALL, NEXT, "2026-03-06 15:00", "IBPS", "2026-03-07 09:00", SCHEDULED),
    ("ibps-next-day-0030-to-same-night-0900", SMALL, NEXT, "2026-03-10 00:30", "IBPS", "2026-03-11 09:00", SCHEDULED),
    ("ibps-next-day-national-day", SMALL, NEXT, "2026-09-30 10:00", "IBPS", "2026-10-01 09:00", SCHEDULED),
    ("hvps-next-day-thu-to-fri", LARGE, NEXT, "2026-03-05 15:00", "HVPS", "2026-03-06 09:00", SCHEDULED),
    ("hvps-next-day-fri-to-monday", LARGE, NEXT, "2026-03-06 15:00", "HVPS", "2026-03-09 09:00", RESERVED),
    ("hvps-next-day-sun-to-monday", LARGE, NEXT, "2026-03-08 15:00", "HVPS", "2026-03-09 09:00", SCHEDULED),
    ("hvps-next-day-national-day-eve", LARGE, NEXT, "2026-09-30 10:00", "HVPS", "2026-10-08 09:00", RESERVED),
    ("hvps-next-day-to-makeup-saturday", LARGE, NEXT, "2026-10-09 10:00", "HVPS", "2026-10-10 09:00", SCHEDULED),
]


@pytest.mark.parametrize(
    ("amount", "mode", "submitted", "channel", "execute_at", "kind"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_plan_execution(cal, amount, mode, submitted, channel, execute_at, kind):
    submitted_at = sh(submitted)
    plan = plan_execution(amount=amount, mode=mode, submitted_at=submitted_at, calendar=cal)

    assert plan.channel == Channel(channel)
    assert plan.execute_at == (sh(execute_at) if execute_at else submitted_at)
    assert plan.execute_at.tzinfo == SHANGHAI
    assert plan.immediate == (kind == IMMEDIATE)
    assert plan.reserved == (kind == RESERVED)
    if kind == RESERVED:
        assert "预约至下一工作日" in plan.reason and "预约交易管理" in plan.reason
    else:
        assert ("大额支付系统" if channel == "HVPS" else "网银互联系统") in plan.reason


def test_submitted_in_another_zone_is_read_as_shanghai_time(cal):
    friday_2100_shanghai = datetime(2026, 3, 6, 13, 0, tzinfo=UTC)
    plan = plan_execution(amount=LARGE, mode=RT, submitted_at=friday_2100_shanghai, calendar=cal)
    assert plan.reserved
    assert plan.execute_at == sh("2026-03-09 09:00")
    assert plan.execute_at.tzinfo == SHANGHAI


def test_reason_says_why_it_was_reserved(cal):
    after_close = plan_execution(amount=LARGE, mode=RT, submitted_at=sh("2026-03-10 18:00"), calendar=cal)
    saturday = plan_execution(amount=LARGE, mode=RT, submitted_at=sh("2026-03-07 10:00"), calendar=cal)
    assert "17:00" in after_close.reason and "2026年03月11日" in after_close.reason
    assert "非工作日" in saturday.reason


def test_normal_delay_is_configurable_but_under_four_hours(cal):
    plan = plan_execution(amount=SMALL, mode=NORMAL, submitted_at=sh("2026-03-10 10:00"),
                          calendar=cal, normal_delay=timedelta(minutes=225))
    assert plan.execute_at == sh("2026-03-10 13:45")
    for bad in (timedelta(hours=4), timedelta(0), timedelta(minutes=-5)):
        with pytest.raises(ValueError):
            plan_execution(amount=SMALL, mode=NORMAL, submitted_at=sh("2026-03-10 10:00"),
                           calendar=cal, normal_delay=bad)


def test_next_day_hour_is_configurable(cal):
    plan = plan_execution(amount=SMALL, mode=NEXT, submitted_at=sh("2026-03-10 10:00"),
                          calendar=cal, next_day_at=time(8, 30))
    assert plan.execute_at == sh("2026-03-11 08:30")


def test_naive_times_and_float_amounts_are_refused(cal):
    with pytest.raises(ValueError):
        plan_execution(amount=SMALL, mode=RT, submitted_at=datetime(2026, 3, 10, 10), calendar=cal)
    with pytest.raises(TypeError):
        route(50000.0)
    for bad in (D("0"), D("-1"), D("NaN")):
        with pytest.raises(ValueError):
            route(bad)


@pytest.mark.parametrize(
    ("amount", "channel"),
    [("0.01", "IBPS"), ("49999.99", "IBPS"), ("50000", "IBPS"), ("50000.00", "IBPS"),
     ("50000.001", "HVPS"), ("50000.01", "HVPS"), ("1000000.00", "HVPS")],
)
def test_route_at_the_boundary(amount, channel):
    assert route(D(amount)) == Channel(channel)


@pytest.mark.parametrize(
    ("at", "session_day"),
    [
        ("2026-03-10 00:00", "2026-03-10"),
        ("2026-03-10 16:59:59", "2026-03-10"),
        ("2026-03-10 17:00", None),
        ("2026-03-10 20:30", "2026-03-11"),
        ("2026-03-06 20:30", None),  # Friday evening: Saturday has no session
        ("2026-03-08 20:30", "2026-03-09"),  # Sunday evening opens Monday's session
        ("2026-10-07 23:59:59", "2026-10-08"),
        ("2026-10-10 12:00", "2026-10-10"),  # make-up Saturday
    ],
)
def test_hvps_session_day(cal, at, session_day):
    expected = datetime.fromisoformat(session_day).date() if session_day else None
    assert hvps_session_day(sh(at), cal) == expected
    assert hvps_session_open(sh(at), cal) == (expected is not None)


# --- properties -------------------------------------------------------------------------------

# Hypothesis tests cannot take function-scoped fixtures.
_CAL = calendar_from_files(*BUILTIN_HOLIDAY_FILES)

submitted_times = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 20),
    timezones=st.sampled_from([SHANGHAI, UTC, ZoneInfo("America/New_York")]),
    allow_imaginary=False,
)
amounts = st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2)
modes = st.sampled_from(list(ArrivalMode))


@hsettings(max_examples=400, deadline=None, database=None)
@given(amount=amounts, mode=modes, submitted_at=submitted_times)
def test_plan_properties(amount, mode, submitted_at):
    plan = plan_execution(amount=amount, mode=mode, submitted_at=submitted_at, calendar=_CAL)

    assert plan.execute_at >= submitted_at
    assert plan.execute_at.tzinfo == SHANGHAI
    assert plan.channel == (Channel.IBPS if amount <= D("50000.00") else Channel.HVPS)
    assert plan.immediate == (mode == ArrivalMode.REAL_TIME and not plan.reserved)
    if plan.immediate:
        # Compared in UTC: Python never calls an ambiguous wall time (a DST fold in New York)
        # equal to a time in another zone.
        assert plan.execute_at.astimezone(UTC) == submitted_at.astimezone(UTC)
    if plan.reserved:
        assert plan.channel == Channel.HVPS
        assert plan.execute_at > submitted_at
        assert _CAL.is_working_day(plan.execute_at.date())
        assert plan.execute_at.timetz().replace(tzinfo=None) == time(9, 0)
    elif plan.channel == Channel.HVPS:
        assert hvps_session_open(plan.execute_at, _CAL)
    if plan.channel == Channel.IBPS and mode == ArrivalMode.NORMAL:
        assert plan.execute_at - submitted_at == timedelta(hours=2)


@hsettings(max_examples=300, deadline=None, database=None)
@given(submitted_at=submitted_times)
def test_hvps_real_time_is_reserved_exactly_when_outside_a_session(submitted_at):
    plan = plan_execution(amount=LARGE, mode=RT, submitted_at=submitted_at, calendar=_CAL)
    assert plan.reserved == (not hvps_session_open(submitted_at, _CAL))
    if plan.reserved:
        submitted_day = submitted_at.astimezone(SHANGHAI).date()
        assert plan.execute_at.date() == _CAL.next_working_day(submitted_day)
