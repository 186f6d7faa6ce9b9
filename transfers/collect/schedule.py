"""When an 自动归集 plan runs, and ending plans (used by 签约协议管理's 解约 too).

A plan runs on its dates at 09:00 Asia/Shanghai: 每日 every day, 每周 on its weekday (1 Monday –
7 Sunday), 每月 on its day (1–28, so every month has it). Each run is one DueWork row (kind
``transfers.collect_run``, key ``<plan pk>:<date>``); the run schedules the next one in its
own transaction, so a plan has at most one pending row.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ebank.core.clock import SHANGHAI
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import due_work_cancel, due_work_schedule
from transfers.models import CollectionFrequency, CollectionPlan, CollectionPlanStatus

DUE_KIND = "transfers.collect_run"
RUN_AT = time(9, 0)


def next_run_date(*, frequency: str, day: int, after: date) -> date:
    """The plan's first run date strictly after ``after``."""
    candidate = after + timedelta(days=1)
    if frequency == CollectionFrequency.DAILY:
        return candidate
    if frequency == CollectionFrequency.WEEKLY:
        return candidate + timedelta(days=(day - candidate.isoweekday()) % 7)
    if candidate.day <= day:
        return candidate.replace(day=day)
    first_next = (candidate.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next.replace(day=day)


def run_key(plan: CollectionPlan, on: date) -> str:
    return f"{plan.pk}:{on:%Y-%m-%d}"


def run_due_at(on: date) -> datetime:
    return datetime.combine(on, RUN_AT, tzinfo=SHANGHAI)


def plan_schedule(*, plan: CollectionPlan, on: date) -> None:
    """Set the plan's next run to ``on`` and store its DueWork row (in the caller's transaction)."""
    plan.next_run_on = on
    plan.save(update_fields=["next_run_on"])
    due_work_schedule(kind=DUE_KIND, key=run_key(plan, on), due_at=run_due_at(on),
                      payload={"plan_id": plan.pk, "date": on.isoformat()})


def plan_end(*, plan: CollectionPlan, reason: str) -> None:
    """撤销 a plan (locked by the caller): no further run; its pending row is cancelled."""
    if plan.status != CollectionPlanStatus.ACTIVE:
        return
    plan.status = CollectionPlanStatus.CANCELLED
    plan.cancelled_at = timezone.now()
    plan.cancel_reason = reason[:128]
    plan.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    for work in DueWork.objects.filter(kind=DUE_KIND, key__startswith=f"{plan.pk}:",
                                       status=DueWorkStatus.PENDING):
        due_work_cancel(work=work)


def plans_end_for_agreement(*, agreement_id: int, reason: str) -> int:
    """End every active plan that pulls through the agreement (解约, 他行解除, 过期)."""
    plans = list(CollectionPlan.objects.select_for_update()
                 .filter(agreement_id=agreement_id, status=CollectionPlanStatus.ACTIVE)
                 .order_by("pk"))
    for plan in plans:
        plan_end(plan=plan, reason=reason)
    return len(plans)
