"""Scheduling, cancelling and running deferred work; running nightly-batch steps once per date.

Exactly once
------------
:func:`dispatch_due` takes one row at a time, each in a transaction of its own:

1. claim: ``SELECT … WHERE status = 'pending' AND due_at <= now ORDER BY due_at, id LIMIT 1
   FOR UPDATE SKIP LOCKED`` — a second worker skips the locked row instead of waiting for it;
2. run the row's handler *inside that transaction* (in a savepoint);
3. mark the row DONE (or record the failure) and commit — handler effects and status together.

The row lock is the lease: there is no "running" status a dead worker could leave behind, no
lease timeout to tune. A worker killed between 2 and 3 rolls everything back and the row is
claimable again as soon as PostgreSQL notices the dropped connection. The ledger's idempotency
keys (derived from ``work.pk`` by handlers) are the second fence: even a row run twice by some
future bug posts nothing twice. On SQLite (the embedded default) there are no row locks, but
its IMMEDIATE transactions let one writer in at a time, which serialises dispatchers instead.

Handlers run inside the dispatcher's transaction, so they call the inner (plain ``atomic``)
variants of business services; the ``durable=True`` top-level services would refuse to nest.
Keep them short and free of long waits on outside systems: the row stays locked while they run.

Lock order: a DueWork row comes before the business rows its handler locks (a transfer, then
ledger accounts). :func:`due_work_cancel` is called by services that already hold a business
row, i.e. in the opposite order, so it never waits for a DueWork lock: a row that is running
right now simply cannot be cancelled any more.
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ebank.core.audit import audit_record
from ebank.core.errors import BusinessError, IdempotencyConflict

from .models import BatchStepRun, BatchStepStatus, DueWork, DueWorkStatus
from .registry import handler_for

logger = logging.getLogger(__name__)

# Rows due later than this are left to the every-minute dispatcher: broker ETAs are never the
# copy of a schedule (Redis redelivers long-waiting ETA tasks after visibility_timeout).
KICK_HORIZON = timedelta(minutes=1)
RETRY_BASE_DELAY = timedelta(minutes=1)
RETRY_MAX_DELAY = timedelta(hours=1)
LAST_ERROR_MAX_CHARS = 500


class PermanentFailure(Exception):
    """Raised by a handler when trying again cannot help: the row fails at once with ``reason``.

    ``reason`` is what the customer reads (e.g. "收款账户已销户"), so write it in their words.
    A business refusal raised by a service (a :class:`BusinessError` such as 余额不足) is
    otherwise retried with backoff; re-raise it as ``PermanentFailure(exc.message)`` where a
    retry makes no sense.
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


# --- scheduling ---------------------------------------------------------------------------------


def due_work_schedule(*, kind: str, key: str, due_at: datetime,
                      payload: dict[str, Any] | None = None) -> DueWork:
    """Store work to run at ``due_at``; the same ``(kind, key)`` again returns the first row.

    Joins the caller's transaction, so the work exists exactly when the business change that
    asked for it commits. With ``DUEWORK_KICK == "celery"`` a row due within a minute also
    kicks a worker after commit; a rolled-back caller kicks nothing. Payload: ids and plain
    JSON values only (money as strings); never secrets — the admin shows it.
    """
    if handler_for(kind) is None:
        raise ValueError(f"no due-work handler registered for kind {kind!r}")
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be timezone-aware")
    # What the JSON column gives back, so a replay compares like with like (tuples → lists).
    payload = json.loads(json.dumps(payload or {}))
    with transaction.atomic():
        try:
            with transaction.atomic():
                work = DueWork.objects.create(kind=kind, key=key, payload=payload, due_at=due_at)
        except IntegrityError:
            work = DueWork.objects.get(kind=kind, key=key)
            if work.payload != payload:
                raise IdempotencyConflict() from None
            return work
        _kick_on_commit_if_near(work)
    return work


def due_work_cancel(*, work: DueWork) -> bool:
    """Cancel work that has not run yet; False when it already ran, failed or is running now.

    Joins the caller's transaction (普通到账 cancellation locks its transfer, then calls this).
    """
    with transaction.atomic():
        # skip_locked: a locked row is being run by a dispatcher this very moment; waiting for
        # it would invert the lock order (see the module docstring) and could deadlock.
        locked = (DueWork.objects.select_for_update(skip_locked=True)
                  .filter(pk=work.pk, status=DueWorkStatus.PENDING).first())
        if locked is None:
            return False
        locked.status = DueWorkStatus.CANCELLED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
    work.status, work.finished_at = locked.status, locked.finished_at
    logger.info("due work %s %s:%s cancelled", work.pk, work.kind, work.key)
    return True


@transaction.atomic(durable=True)
def due_work_retry(*, work: DueWork, acting_user) -> bool:
    """Staff put a FAILED row back to PENDING, due now (admin action 立即重试)."""
    locked = DueWork.objects.select_for_update().get(pk=work.pk)
    if locked.status != DueWorkStatus.FAILED:
        return False
    locked.status = DueWorkStatus.PENDING
    locked.due_at = timezone.now()
    locked.attempts = 0
    locked.started_at = None
    locked.finished_at = None
    locked.save(update_fields=["status", "due_at", "attempts", "started_at", "finished_at"])
    audit_record(action="duework.retry", actor=acting_user, object_ref=f"duework:{locked.pk}",
                 channel="admin", detail={"kind": locked.kind, "key": locked.key})
    _kick_on_commit_if_near(locked)
    return True


def _kick_on_commit_if_near(work: DueWork) -> None:
    if settings.DUEWORK_KICK != "celery" or work.due_at > timezone.now() + KICK_HORIZON:
        return
    work_id, due_at = work.pk, work.due_at

    def kick() -> None:
        # Imported here: tasks.py imports this module.
        from .tasks import run_due_work_item as run_due_work_item_task

        countdown = max(0.0, (due_at - timezone.now()).total_seconds())
        try:
            run_due_work_item_task.apply_async(args=[work_id], countdown=countdown)
        except Exception:
            # The kick only saves waiting for the next beat; a broker outage must not turn a
            # committed request into an error page.
            logger.warning("could not kick due work %s; the dispatcher will run it", work_id,
                           exc_info=True)

    transaction.on_commit(kick)


# --- running -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    work_id: int
    kind: str
    key: str
    status: str
    attempts: int
    seconds: float
    error: str


def dispatch_due(*, now: datetime | None = None, limit: int = 100,
                 should_stop: Callable[[], bool] | None = None) -> int:
    """Run up to ``limit`` due PENDING rows, one transaction each; return how many ran.

    ``should_stop`` is asked between rows (the poller's SIGTERM handling): a row is never left
    half-run, and one in progress finishes before the dispatcher returns.
    """
    ran = 0
    while ran < limit and not (should_stop and should_stop()):
        outcome = _claim_and_run(now=now or timezone.now())
        if outcome is None:
            break
        ran += 1
    return ran


def run_due_work_item(work_id: int, *, now: datetime | None = None) -> bool:
    """Run one row if it is still due and PENDING and nobody holds it; False otherwise.

    What a Celery kick calls: a duplicate or late delivery finds the row DONE (or locked by the
    worker that got the first copy) and does nothing.
    """
    return _claim_and_run(now=now or timezone.now(), work_id=work_id) is not None


def _claim_and_run(*, now: datetime, work_id: int | None = None) -> _Outcome | None:
    with transaction.atomic(durable=True):
        claim = DueWork.objects.select_for_update(skip_locked=True).filter(
            status=DueWorkStatus.PENDING, due_at__lte=now
        )
        if work_id is not None:
            claim = claim.filter(pk=work_id)
        work = claim.order_by("due_at", "id").first()
        if work is None:
            return None
        outcome = _run_claimed(work, now=now)
    # Logged after COMMIT so the log never reports work that was rolled back.
    _log_outcome(outcome)
    return outcome


def _run_claimed(work: DueWork, *, now: datetime) -> _Outcome:
    started = time.monotonic()
    work.attempts += 1
    work.started_at = timezone.now()
    # Before the handler, so a handler that kills its worker outright still leaves its row id
    # in the log (the rollback leaves no trace on the row itself).
    logger.info("due work %s %s:%s starting attempt %s", work.pk, work.kind, work.key,
                work.attempts)
    handler = handler_for(work.kind)
    if handler is None:
        # A row written by a newer release, or a removed kind: fail it visibly rather than
        # crash the dispatcher; 立即重试 picks it up once a worker knows the kind.
        _mark_failed(work, f"未知的任务类型：{work.kind}")
    else:
        try:
            with transaction.atomic():
                handler(work)
                if connection.vendor == "postgresql":
                    # Deferred constraints (the ledger's balance trigger, foreign keys) would
                    # otherwise fire at COMMIT, outside this savepoint, and the error could not
                    # be recorded on the row: it would be retried every minute forever.
                    connection.check_constraints()
        except PermanentFailure as exc:
            _mark_failed(work, exc.reason)
        except Exception as exc:
            _mark_retry_or_failed(work, exc, now=now)
        else:
            work.status = DueWorkStatus.DONE
            work.last_error = ""
            work.finished_at = timezone.now()
    work.save(update_fields=["status", "attempts", "due_at", "last_error", "started_at",
                             "finished_at"])
    return _Outcome(work.pk, work.kind, work.key, work.status, work.attempts,
                    time.monotonic() - started, work.last_error)


def _mark_failed(work: DueWork, reason: str) -> None:
    work.status = DueWorkStatus.FAILED
    work.last_error = reason[:LAST_ERROR_MAX_CHARS]
    work.finished_at = timezone.now()


def _mark_retry_or_failed(work: DueWork, exc: Exception, *, now: datetime) -> None:
    # The traceback is for operators (the log); the row keeps only what a customer may read.
    logger.error("due work %s %s:%s raised on attempt %s", work.pk, work.kind, work.key,
                 work.attempts, exc_info=exc)
    if isinstance(exc, BusinessError):
        reason = exc.message
    else:
        reason = f"系统处理异常 [{type(exc).__name__}]"
    if work.attempts >= work.max_attempts:
        _mark_failed(work, reason)
        return
    work.last_error = f"{reason}（第{work.attempts}次执行失败，将自动重试）"[:LAST_ERROR_MAX_CHARS]
    work.due_at = now + retry_delay(work.attempts)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(RETRY_BASE_DELAY * (2 ** (attempts - 1)), RETRY_MAX_DELAY)


def _log_outcome(outcome: _Outcome) -> None:
    # kind, key and id only: payloads may carry account numbers and are never logged.
    if outcome.status == DueWorkStatus.DONE:
        logger.info("due work %s %s:%s done in %.3fs (attempt %s)", outcome.work_id,
                    outcome.kind, outcome.key, outcome.seconds, outcome.attempts)
    elif outcome.status == DueWorkStatus.FAILED:
        logger.warning("due work %s %s:%s FAILED after %s attempt(s): %s", outcome.work_id,
                       outcome.kind, outcome.key, outcome.attempts, outcome.error)
    else:
        logger.warning("due work %s %s:%s attempt %s failed, will retry: %s", outcome.work_id,
                       outcome.kind, outcome.key, outcome.attempts, outcome.error)


# --- nightly batch (日终) ---------------------------------------------------------------------


def batch_step_run(*, step: str, business_date: date,
                   fn: Callable[[date], int | None]) -> bool:
    """Run ``fn(business_date)`` once per (step, business date); False when it was already done.

    ``fn`` runs in one transaction together with the DONE mark, holding the step's row lock:
    a crash rolls the step back whole and a rerun redoes it; a second runner (beat and an
    operator at once) waits for the first and then skips. A step that raises is recorded as
    FAILED with the error and the exception propagates, so the batch stops at the failed step.
    The row keeps the count ``fn`` returned (an ``int``; anything else records no count) and how
    long the attempt took.
    """
    BatchStepRun.objects.get_or_create(step=step, business_date=business_date)
    started_at = timezone.now()
    started = time.monotonic()
    try:
        with transaction.atomic(durable=True):
            run = BatchStepRun.objects.select_for_update().get(step=step,
                                                               business_date=business_date)
            if run.status == BatchStepStatus.DONE:
                logger.info("batch step %s for %s already done; skipped", step, business_date)
                return False
            result = fn(business_date)
            run.status = BatchStepStatus.DONE
            run.attempts += 1
            run.count = result if isinstance(result, int) and not isinstance(result, bool) else None
            run.last_error = ""
            run.duration = timedelta(seconds=time.monotonic() - started)
            run.started_at, run.finished_at = started_at, timezone.now()
            run.save(update_fields=["status", "attempts", "count", "duration", "last_error",
                                    "started_at", "finished_at"])
    except Exception as exc:
        with transaction.atomic(durable=True):
            run = BatchStepRun.objects.select_for_update().get(step=step,
                                                               business_date=business_date)
            run.status = BatchStepStatus.FAILED
            run.attempts += 1
            run.count = None
            run.last_error = f"{type(exc).__name__}: {exc}"[:LAST_ERROR_MAX_CHARS]
            run.duration = timedelta(seconds=time.monotonic() - started)
            run.started_at, run.finished_at = started_at, timezone.now()
            run.save(update_fields=["status", "attempts", "count", "duration", "last_error",
                                    "started_at", "finished_at"])
        logger.exception("batch step %s for %s failed", step, business_date)
        raise
    logger.info("batch step %s for %s done in %.1fs", step, business_date,
                run.duration.total_seconds())
    return True
