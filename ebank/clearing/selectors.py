"""Reads of the clearing reference data, and the execution plan with the configured delays."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Length

from .calendar import WorkCalendar
from .models import BankCode
from .routing import ArrivalMode, ExecutionPlan, plan_execution

BANK_CODE_SEARCH_LIMIT = 20
BANK_CODE_SEARCH_MAX = 100


def bank_code_search(query: str, *, limit: int = BANK_CODE_SEARCH_LIMIT) -> list[BankCode]:
    """联行号查询 (TRF-CNAPS): digits search by code prefix; words search the bank's name.

    "工商 合肥 营业部" finds the rows whose 行名 contains all three words, in any order. An empty
    query finds nothing rather than the first page of a 100,000-row table.
    """
    limit = max(1, min(limit, BANK_CODE_SEARCH_MAX))
    words = (query or "").split()  # str.split also splits on the full-width space U+3000
    if not words:
        return []
    if len(words) == 1 and words[0].isdigit():
        rows = BankCode.objects.filter(code__startswith=words[0]).order_by("code")
    else:
        condition = Q()
        for word in words:
            condition &= Q(name__icontains=word)
        # The shortest names first: a 营业部 or 分行 before the sub-branches whose names contain it.
        rows = BankCode.objects.filter(condition).order_by(Length("name"), "code")
    return list(rows[:limit])


def bank_code_get(code: str) -> BankCode | None:
    return BankCode.objects.filter(code=(code or "").strip()).first()


def execution_plan_for(
    *, amount: Decimal, mode: ArrivalMode, submitted_at: datetime,
    calendar: WorkCalendar | None = None,
) -> ExecutionPlan:
    """``routing.plan_execution`` with the calendar in the database and the delays in settings."""
    return plan_execution(
        amount=amount,
        mode=mode,
        submitted_at=submitted_at,
        calendar=calendar if calendar is not None else WorkCalendar.load(),
        normal_delay=timedelta(minutes=settings.NORMAL_ARRIVAL_DELAY_MINUTES),
        next_day_at=time(settings.NEXT_DAY_EXECUTION_HOUR),
        ibps_max_amount=settings.IBPS_MAX_AMOUNT,
    )
