import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import (
    dispatch_due,
    due_work_cancel,
    due_work_schedule,
    run_due_work_item,
)
from tests.duework import handlers
from tests.duework.handlers import FAIL, RECORD, WAIT_FOR_RELEASE


@pytest.mark.django_db
def test_pending_work_is_cancelled_and_never_runs():
    work = due_work_schedule(kind=RECORD, key="normal-arrival:7",
                             due_at=timezone.now() + timedelta(hours=2))

    assert due_work_cancel(work=work) is True

    assert work.status == DueWorkStatus.CANCELLED
    work.refresh_from_db()
    assert work.status == DueWorkStatus.CANCELLED
    assert work.finished_at is not None
    assert dispatch_due(now=timezone.now() + timedelta(days=1)) == 0
    assert due_work_cancel(work=work) is False


@pytest.mark.django_db
def test_work_that_ran_or_failed_cannot_be_cancelled(settings):
    settings.DUEWORK_MAX_ATTEMPTS = 1
    done = due_work_schedule(kind=RECORD, key="done", due_at=timezone.now())
    failed = due_work_schedule(kind=FAIL, key="failed", due_at=timezone.now())
    dispatch_due()

    assert due_work_cancel(work=done) is False
    assert due_work_cancel(work=failed) is False
    assert DueWork.objects.get(pk=done.pk).status == DueWorkStatus.DONE
    assert DueWork.objects.get(pk=failed.pk).status == DueWorkStatus.FAILED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_work_running_right_now_can_be_neither_cancelled_nor_claimed_again():
    work = due_work_schedule(kind=WAIT_FOR_RELEASE, key="running", due_at=timezone.now())
    handlers.handler_started.clear()
    handlers.release_handler.clear()
    results: list[int] = []

    def worker():
        try:
            results.append(dispatch_due())
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert handlers.handler_started.wait(10)
        # Both answer at once instead of queueing behind the running worker's row lock.
        assert due_work_cancel(work=work) is False
        assert run_due_work_item(work.pk) is False
        assert dispatch_due() == 0
    finally:
        handlers.release_handler.set()
        thread.join(30)

    assert results == [1]
    work.refresh_from_db()
    assert work.status == DueWorkStatus.DONE
