import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ebank.duework.models import BatchStepRun, BatchStepStatus, DueWork
from ebank.duework.services import batch_step_run, due_work_schedule
from tests.duework.handlers import RECORD

BUSINESS_DATE = date(2025, 3, 21)


@pytest.mark.django_db
def test_a_step_runs_once_per_business_date():
    ran: list[date] = []

    assert batch_step_run(step="interest_accrual", business_date=BUSINESS_DATE, fn=ran.append)
    assert not batch_step_run(step="interest_accrual", business_date=BUSINESS_DATE, fn=ran.append)
    assert batch_step_run(step="interest_accrual", business_date=BUSINESS_DATE + timedelta(1),
                          fn=ran.append)
    assert batch_step_run(step="card_statements", business_date=BUSINESS_DATE, fn=ran.append)

    assert ran == [BUSINESS_DATE, BUSINESS_DATE + timedelta(1), BUSINESS_DATE]
    run = BatchStepRun.objects.get(step="interest_accrual", business_date=BUSINESS_DATE)
    assert (run.status, run.attempts, run.last_error) == (BatchStepStatus.DONE, 1, "")
    assert run.started_at <= run.finished_at


def _schedule_maturities_then_break(business_date: date) -> None:
    due_work_schedule(kind=RECORD, key=f"maturity:{business_date}:1", due_at=timezone.now())
    raise RuntimeError("rate table missing for 2025-03-21")


@pytest.mark.django_db
def test_a_failed_step_is_rolled_back_recorded_and_rerun():
    with pytest.raises(RuntimeError):
        batch_step_run(step="maturities", business_date=BUSINESS_DATE,
                       fn=_schedule_maturities_then_break)

    assert not DueWork.objects.exists()
    run = BatchStepRun.objects.get(step="maturities", business_date=BUSINESS_DATE)
    assert (run.status, run.attempts) == (BatchStepStatus.FAILED, 1)
    assert run.last_error == "RuntimeError: rate table missing for 2025-03-21"

    def schedule_maturities(business_date: date) -> None:
        due_work_schedule(kind=RECORD, key=f"maturity:{business_date}:1", due_at=timezone.now())

    assert batch_step_run(step="maturities", business_date=BUSINESS_DATE, fn=schedule_maturities)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.last_error) == (BatchStepStatus.DONE, 2, "")
    assert DueWork.objects.filter(key="maturity:2025-03-21:1").count() == 1


@pytest.mark.django_db
def test_a_crashed_step_leaves_nothing_behind_and_reruns():
    def crash(business_date: date) -> None:
        due_work_schedule(kind=RECORD, key="half-done", due_at=timezone.now())
        raise SystemExit("worker killed")  # not an Exception: nothing gets to record it

    with pytest.raises(SystemExit):
        batch_step_run(step="lock_reset", business_date=BUSINESS_DATE, fn=crash)

    assert not DueWork.objects.exists()
    assert BatchStepRun.objects.get(step="lock_reset").status == BatchStepStatus.PENDING
    assert batch_step_run(step="lock_reset", business_date=BUSINESS_DATE, fn=lambda d: None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runners_of_the_same_step_run_it_once():
    ran: list[date] = []
    results: list[bool] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def slow_step(business_date: date) -> None:
        ran.append(business_date)
        time.sleep(0.3)

    def runner():
        try:
            barrier.wait(5)
            results.append(batch_step_run(step="loss_report_release",
                                          business_date=BUSINESS_DATE, fn=slow_step))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(results) == [False, True]
    assert ran == [BUSINESS_DATE]
