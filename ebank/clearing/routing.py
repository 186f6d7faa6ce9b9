"""Which clearing channel carries an inter-bank transfer, and when it executes (FEATURES.md
"Clearing rules", manual 跨行转账 notes 3–4). Pure functions: no database, no settings; callers
pass the calendar (``WorkCalendar.load()``) or use ``selectors.execution_plan_for``.

Channels
    ≤ 50,000.00 (inclusive) goes through 网银互联 (IBPS), open 7×24; anything above through the
    large-value system 大额支付 (HVPS).

The HVPS session of a working day D runs from 20:30 of the day before D to 17:00 of D, as a
half-open interval: 20:30:00 is inside, 17:00:00 is outside (the manual calls 17:00–20:30
非交易时间). The evening part (20:30–24:00 of D−1) belongs to D's session only when D is a
working day, whatever D−1 is. So Sunday 21:00 before a working Monday is real time, while
Friday 21:00 before a Saturday is not. The manual only says 前一日20:30 and lists 周一至周四 as
the days whose evenings are 非交易时间 — looser text that we read as above, which is also how
the PBOC large-value system opens the next working day's session the evening before.

Outside a session, an HVPS transfer is reserved (预约) to 09:00 of the next working day after the
date it would have executed on; it is then listed in 预约交易管理 and takes balance and daily
limit when it runs.

Arrival modes
    实时到账 executes now; 普通到账 executes after a delay under 4 hours (default 2 h);
    次日到账 at 09:00 of the next calendar day. For HVPS the session rule is applied to that
    instant: if it falls outside a session the transfer is reserved as above.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import models

from ebank.core.clock import SHANGHAI

from .calendar import WorkCalendar

IBPS_MAX_AMOUNT = Decimal("50000.00")
HVPS_SESSION_CLOSE = time(17, 0)
HVPS_EVENING_OPEN = time(20, 30)
RESERVED_EXECUTION_TIME = time(9, 0)
NEXT_DAY_EXECUTION_TIME = time(9, 0)
DEFAULT_NORMAL_DELAY = timedelta(hours=2)
MAX_NORMAL_DELAY = timedelta(hours=4)  # the manual promises 普通到账 within 4 hours


class Channel(models.TextChoices):
    IBPS = "IBPS", "网银互联"
    HVPS = "HVPS", "大额支付"


class ArrivalMode(models.TextChoices):
    REAL_TIME = "REAL_TIME", "实时到账"
    NORMAL = "NORMAL", "普通到账"
    NEXT_DAY = "NEXT_DAY", "次日到账"


@dataclass(frozen=True)
class ExecutionPlan:
    channel: Channel
    execute_at: datetime  # aware, Asia/Shanghai
    immediate: bool  # execute now, in the customer's request
    reserved: bool  # pushed by HVPS to a later session: a 预约交易 (TRF-RESERVED)
    reason: str  # what the confirmation page tells the customer


def route(amount: Decimal, *, ibps_max_amount: Decimal = IBPS_MAX_AMOUNT) -> Channel:
    _check_amount(amount)
    return Channel.IBPS if amount <= ibps_max_amount else Channel.HVPS


def hvps_session_day(at: datetime, calendar: WorkCalendar) -> date | None:
    """The working day whose HVPS session contains ``at``, or None outside every session."""
    local = _to_shanghai(at)
    today = local.date()
    if local.time() < HVPS_SESSION_CLOSE and calendar.is_working_day(today):
        return today
    tomorrow = today + timedelta(days=1)
    if local.time() >= HVPS_EVENING_OPEN and calendar.is_working_day(tomorrow):
        return tomorrow
    return None


def hvps_session_open(at: datetime, calendar: WorkCalendar) -> bool:
    return hvps_session_day(at, calendar) is not None


def plan_execution(
    *,
    amount: Decimal,
    mode: ArrivalMode,
    submitted_at: datetime,
    calendar: WorkCalendar,
    normal_delay: timedelta = DEFAULT_NORMAL_DELAY,
    next_day_at: time = NEXT_DAY_EXECUTION_TIME,
    ibps_max_amount: Decimal = IBPS_MAX_AMOUNT,
) -> ExecutionPlan:
    channel = route(amount, ibps_max_amount=ibps_max_amount)
    mode = ArrivalMode(mode)
    if not timedelta(0) < normal_delay < MAX_NORMAL_DELAY:
        raise ValueError(f"普通到账 delay must be above 0 and under 4 hours, got {normal_delay}")
    submitted = _to_shanghai(submitted_at)

    if mode == ArrivalMode.REAL_TIME:
        wanted, immediate = submitted, True
        wanted_text = "实时汇出"
    elif mode == ArrivalMode.NORMAL:
        wanted, immediate = _shift(submitted, normal_delay), False
        wanted_text = f"普通到账，将于{_fmt(wanted)}汇出"
    else:
        wanted = datetime.combine(submitted.date() + timedelta(days=1), next_day_at, SHANGHAI)
        immediate = False
        wanted_text = f"次日到账，将于{_fmt(wanted)}汇出"

    if channel == Channel.IBPS or hvps_session_open(wanted, calendar):
        system = "网银互联系统" if channel == Channel.IBPS else "大额支付系统"
        return ExecutionPlan(channel, wanted, immediate, False, f"经{system}{wanted_text}")

    execute_day = calendar.next_working_day(wanted.date())
    execute_at = datetime.combine(execute_day, RESERVED_EXECUTION_TIME, SHANGHAI)
    if mode != ArrivalMode.REAL_TIME:
        why = "预计汇出时间不在大额支付系统工作时间内"
    elif calendar.is_working_day(wanted.date()):
        why = "已过大额支付系统当日17:00截止时间"
    else:
        why = "非工作日提交大额汇款"
    reason = f"{why}，系统预约至下一工作日（{execute_at:%Y年%m月%d日}）9:00后汇出，可在预约交易管理中查看或删除"
    return ExecutionPlan(channel, execute_at, False, True, reason)


def _check_amount(amount: Decimal) -> None:
    # A float here would already have lost a fen somewhere upstream; refuse it loudly.
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, got {type(amount).__name__}")
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"amount must be positive, got {amount}")


def _to_shanghai(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("business times must be timezone-aware")
    return at.astimezone(SHANGHAI)


def _shift(at: datetime, delta: timedelta) -> datetime:
    # Elapsed time, not wall-clock time: add in UTC. (Shanghai has no DST today, but the answer
    # must not depend on that.)
    return (at.astimezone(UTC) + delta).astimezone(SHANGHAI)


def _fmt(at: datetime) -> str:
    return f"{at:%m月%d日 %H:%M}"
