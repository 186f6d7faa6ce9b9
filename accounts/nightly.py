"""The nightly batch (日终) steps that belong to accounts, and the loop that runs a step list.

A step is ``fn(business_date)``: idempotent per (step, business date) because
:func:`ebank.duework.services.batch_step_run` runs it once, in one transaction with its DONE
mark. ``manage.py run_nightly_batch [--date YYYY-MM-DD]`` holds the whole ordered list (every
app's steps; management commands may import any app) and beat starts it shortly after midnight
through :func:`run_nightly_batch_task`.

Business date: the Asia/Shanghai day being closed, i.e. yesterday when the batch runs after
midnight. PIN locks need no step: a lock holds for the day it was set and the next check after
that day clears it (accounts/pin.py).
"""

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from ebank.core.clock import SHANGHAI, business_day
from ebank.duework.services import batch_step_run

from .models import Medium, MediumStatus
from .pages.selectors import oral_loss_reported_at
from .pages.services import LOSS_AUTO_RELEASE_DAYS, medium_loss_release

logger = logging.getLogger(__name__)

NightlyStep = tuple[str, Callable[[date], object]]


def loss_release_step(business_date: date) -> int:
    """账户挂失 note 1: release 口头挂失 reported at least five days before ``business_date``.

    The report's day is the Asia/Shanghai date of its audit row (``account_loss_report``). A
    medium in 口头挂失 with no such row was not reported online (a data fix, an old import):
    its five days cannot be counted, so it is left to staff and logged. 书面挂失 is never
    released here. Returns how many media were released.
    """
    cutoff = business_date - timedelta(days=LOSS_AUTO_RELEASE_DAYS)
    medium_ids = list(Medium.objects.filter(status=MediumStatus.ORAL_LOSS)
                      .order_by("pk").values_list("pk", flat=True))
    reported = oral_loss_reported_at(medium_ids=medium_ids)
    released = 0
    for medium_id in medium_ids:
        reported_at = reported.get(medium_id)
        if reported_at is None:
            logger.warning("medium %s is in oral loss without an online report; not released",
                           medium_id)
            continue
        reported_on = timezone.localdate(reported_at, timezone=SHANGHAI)
        if reported_on <= cutoff and medium_loss_release(
                medium_id=medium_id, channel="batch",
                reason=f"口头挂失{LOSS_AUTO_RELEASE_DAYS}天自动解挂（挂失日{reported_on:%Y-%m-%d}）"):
            released += 1
    logger.info("loss_report_release %s: %s released", business_date, released)
    return released


# This app's steps, in order; the command puts every app's lists together.
STEPS: tuple[NightlyStep, ...] = (
    ("loss_report_release", loss_release_step),
)


def default_business_date() -> date:
    """The day the batch closes: yesterday in Asia/Shanghai (it runs shortly after midnight)."""
    return business_day() - timedelta(days=1)


def nightly_batch_run(*, business_date: date, steps: Sequence[NightlyStep]) -> list[tuple[str, bool]]:
    """Run ``steps`` in order for ``business_date``; stops at (and re-raises) the first failure.

    Returns (step, ran) pairs: ran is False for a step already DONE for that date, so a rerun
    after a crash or a fix resumes at the first step not done.
    """
    results = []
    for step, fn in steps:
        results.append((step, batch_step_run(step=step, business_date=business_date, fn=fn)))
    return results


@shared_task(name="accounts.nightly.run_nightly_batch")
def run_nightly_batch_task() -> None:
    """Beat, shortly after midnight: the same command an operator runs."""
    from django.core.management import call_command

    call_command("run_nightly_batch")
