"""Exactly once under concurrency, on PostgreSQL: racing workers and a worker killed mid-run."""

import os
import signal
import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due, due_work_schedule, run_due_work_item
from ebank.ledger.models import Entry
from tests.duework.handlers import HANG_FILE_ENV, POST_TRANSFER, transfer_payload
from tests.duework.support import subprocess_env, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKER = (
    "import django; django.setup(); import tests.duework.handlers; "
    "from ebank.duework.services import dispatch_due; dispatch_due()"
)


def _race(worker_count: int, work_fn) -> list:
    """Start ``worker_count`` threads at the same instant, each on its own connection."""
    barrier = threading.Barrier(worker_count)
    results: list = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait(10)
            results.append(work_fn())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(worker_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


def test_two_workers_dispatching_the_same_due_row_run_it_once(clearing_account,
                                                              customer_account):
    work = due_work_schedule(
        kind=POST_TRANSFER, key="transfer:race", due_at=timezone.now(),
        payload=transfer_payload(from_id=clearing_account.pk, to_id=customer_account.pk,
                                 amount="250.00", hold_seconds=0.5),
    )

    results = _race(2, dispatch_due)

    assert sorted(results) == [0, 1]
    assert Entry.objects.filter(reference="transfer:race").count() == 1
    work.refresh_from_db()
    assert (work.status, work.attempts) == (DueWorkStatus.DONE, 1)
    customer_account.refresh_from_db()
    assert customer_account.balance == Decimal("250.00")


def test_a_kick_racing_the_dispatcher_runs_the_row_once(clearing_account, customer_account):
    work = due_work_schedule(
        kind=POST_TRANSFER, key="transfer:kick-race", due_at=timezone.now(),
        payload=transfer_payload(from_id=clearing_account.pk, to_id=customer_account.pk,
                                 amount="1.00", hold_seconds=0.3),
    )
    calls = iter([dispatch_due, lambda: int(run_due_work_item(work.pk))])

    results = _race(2, lambda: next(calls)())

    assert sorted(results) == [0, 1]
    assert Entry.objects.filter(reference="transfer:kick-race").count() == 1


def test_four_workers_share_a_backlog_and_each_row_runs_once(clearing_account,
                                                            customer_account):
    for n in range(20):
        due_work_schedule(
            kind=POST_TRANSFER, key=f"transfer:backlog-{n}", due_at=timezone.now(),
            payload=transfer_payload(from_id=clearing_account.pk, to_id=customer_account.pk,
                                     amount="1.00", hold_seconds=0.02),
        )

    results = _race(4, dispatch_due)

    assert sum(results) == 20
    assert Entry.objects.count() == 20
    assert not DueWork.objects.exclude(status=DueWorkStatus.DONE).exists()
    customer_account.refresh_from_db()
    assert customer_account.balance == Decimal("20.00")


def _claimable(work_id: int) -> bool:
    with transaction.atomic():
        return (DueWork.objects.select_for_update(skip_locked=True)
                .filter(pk=work_id, status=DueWorkStatus.PENDING).exists())


def test_a_worker_killed_mid_run_posts_nothing_and_the_row_runs_again(
        tmp_path, clearing_account, customer_account):
    work = due_work_schedule(
        kind=POST_TRANSFER, key="transfer:killed", due_at=timezone.now(),
        payload=transfer_payload(from_id=clearing_account.pk, to_id=customer_account.pk,
                                 amount="888.00"),
    )
    hang_file = tmp_path / "posted-and-hanging"
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER], cwd=settings.BASE_DIR,
            env=subprocess_env(**{HANG_FILE_ENV: str(hang_file)}),
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: hang_file.exists() or worker.poll() is not None, timeout=30,
                   what="the worker to post")
        assert hang_file.exists(), log_path.read_text()

        # The worker has posted inside its open transaction and holds the row: nobody sees
        # the posting and nobody else can claim the row.
        assert not Entry.objects.exists()
        assert not _claimable(work.pk)
        assert run_due_work_item(work.pk) is False

        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    # PostgreSQL rolls the dead worker's transaction back as soon as it sees the socket close.
    wait_until(lambda: _claimable(work.pk), timeout=15, what="the row lock to be released")
    work.refresh_from_db()
    assert (work.status, work.attempts, work.started_at) == (DueWorkStatus.PENDING, 0, None)
    assert not Entry.objects.exists()
    customer_account.refresh_from_db()
    assert customer_account.balance == Decimal("0.00")

    assert dispatch_due() == 1

    assert Entry.objects.filter(reference="transfer:killed").count() == 1
    work.refresh_from_db()
    assert (work.status, work.attempts) == (DueWorkStatus.DONE, 1)
    customer_account.refresh_from_db()
    assert customer_account.balance == Decimal("888.00")
