"""Celery tasks: kicks only. The rows in the database are the schedule (see services.py).

Every task is idempotent (a duplicate delivery finds nothing due, the row locked, or the nightly
steps DONE for the date), which is what makes the project-wide ``acks_late`` safe for them.
"""

from celery import shared_task
from django.core.management import call_command

from . import services

DISPATCH_BATCH = 100


@shared_task(name="ebank.duework.tasks.dispatch_due_work")
def dispatch_due_work() -> int:
    """Beat, every minute: run what is due."""
    ran = services.dispatch_due(limit=DISPATCH_BATCH)
    if ran == DISPATCH_BATCH:
        # A backlog (09:00, when the reserved transfers fall due): hand the rest to the next
        # free worker instead of holding this one for minutes; skip_locked lets them share.
        dispatch_due_work.delay()
    return ran


@shared_task(name="ebank.duework.tasks.run_due_work_item")
def run_due_work_item(work_id: int) -> bool:
    """Run one row now (kicked on commit by due_work_schedule for work due within a minute)."""
    return services.run_due_work_item(work_id)


@shared_task(name="ebank.duework.tasks.run_nightly_batch")
def run_nightly_batch() -> None:
    """Beat, shortly after midnight: the nightly batch (日终), the same command an operator runs."""
    call_command("run_nightly_batch")
