from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due, due_work_schedule, retry_delay, run_due_work_item
from ebank.ledger.models import Entry
from tests.duework import handlers
from tests.duework.handlers import (
    FAIL,
    FLAKY,
    INSUFFICIENT,
    POST_THEN_FAIL,
    POST_TRANSFER,
    RECORD,
    REFUSE,
    transfer_payload,
)


@pytest.fixture(autouse=True)
def _clear_recorded_keys():
    handlers.recorded_keys.clear()


@pytest.mark.django_db
def test_a_due_row_runs_its_handler_and_is_done(clearing_account, customer_account):
    work = due_work_schedule(
        kind=POST_TRANSFER, key="transfer:1", due_at=timezone.now(),
        payload=transfer_payload(from_id=clearing_account.pk, to_id=customer_account.pk,
                                 amount="100.00"),
    )

    assert dispatch_due() == 1

    work.refresh_from_db()
    assert work.status == DueWorkStatus.DONE
    assert work.attempts == 1
    assert work.last_error == ""
    assert work.started_at is not None and work.finished_at is not None
    entry = Entry.objects.get(reference="transfer:1")
    assert entry.idempotency_key == f"duework:{work.pk}"
    customer_account.refresh_from_db()
    assert customer_account.balance == Decimal("100.00")
    assert dispatch_due() == 0


@pytest.mark.django_db
def test_rows_run_in_due_order_and_only_when_due():
    now = timezone.now()
    due_work_schedule(kind=RECORD, key="second", due_at=now - timedelta(minutes=1))
    due_work_schedule(kind=RECORD, key="future", due_at=now + timedelta(minutes=1))
    due_work_schedule(kind=RECORD, key="first", due_at=now - timedelta(minutes=2))
    due_work_schedule(kind=RECORD, key="third", due_at=now)

    assert dispatch_due(now=now, limit=2) == 2
    assert handlers.recorded_keys == ["first", "second"]
    assert dispatch_due(now=now) == 1
    assert handlers.recorded_keys == ["first", "second", "third"]
    assert DueWork.objects.get(key="future").status == DueWorkStatus.PENDING


@pytest.mark.django_db
def test_a_stop_request_is_honoured_between_rows():
    due_work_schedule(kind=RECORD, key="a", due_at=timezone.now())
    asked = []

    def stop_after_one() -> bool:
        asked.append(True)
        return len(asked) > 1

    assert dispatch_due(should_stop=stop_after_one) == 1


@pytest.mark.django_db
def test_a_failing_handler_is_retried_with_backoff_then_fails(settings):
    settings.DUEWORK_MAX_ATTEMPTS = 3
    t0 = timezone.now()
    work = due_work_schedule(kind=FAIL, key="f", due_at=t0)

    assert dispatch_due(now=t0) == 1
    work.refresh_from_db()
    assert (work.status, work.attempts) == (DueWorkStatus.PENDING, 1)
    assert work.due_at == t0 + timedelta(minutes=1)
    assert work.last_error == "系统处理异常 [RuntimeError]（第1次执行失败，将自动重试）"
    assert dispatch_due(now=t0 + timedelta(seconds=59)) == 0

    t1 = t0 + timedelta(minutes=1)
    assert dispatch_due(now=t1) == 1
    work.refresh_from_db()
    assert (work.status, work.attempts) == (DueWorkStatus.PENDING, 2)
    assert work.due_at == t1 + timedelta(minutes=2)

    assert dispatch_due(now=work.due_at) == 1
    work.refresh_from_db()
    assert (work.status, work.attempts) == (DueWorkStatus.FAILED, 3)
    # The exception text may carry account data: it goes to the log, never to the row.
    assert work.last_error == "系统处理异常 [RuntimeError]"
    assert work.finished_at is not None
    assert dispatch_due(now=t0 + timedelta(days=1)) == 0


def test_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(10) == timedelta(hours=1)


@pytest.mark.django_db
def test_a_handler_that_fails_after_posting_leaves_no_posting(clearing_account, customer_account):
    work = due_work_schedule(
        kind=POST_THEN_FAIL, key="transfer:2", due_at=timezone.now(),
        payload=transfer_payload(from_id=clearing_account.pk, to_id=customer_account.pk,
                                 amount="50.00"),
    )

    assert dispatch_due() == 1

    work.refresh_from_db()
    assert (work.status, work.attempts) == (DueWorkStatus.PENDING, 1)
    assert not Entry.objects.exists()
    customer_account.refresh_from_db()
    assert customer_account.balance == Decimal("0.00")


@pytest.mark.django_db
def test_a_transient_failure_then_success_clears_the_error():
    t0 = timezone.now()
    work = due_work_schedule(kind=FLAKY, key="flaky", due_at=t0, payload={"succeed_on": 2})

    dispatch_due(now=t0)
    work.refresh_from_db()
    assert "ConnectionError" in work.last_error
    dispatch_due(now=work.due_at)

    work.refresh_from_db()
    assert (work.status, work.attempts, work.last_error) == (DueWorkStatus.DONE, 2, "")


@pytest.mark.django_db
def test_a_permanent_failure_fails_at_once_with_the_customers_reason():
    work = due_work_schedule(kind=REFUSE, key="closed-payee", due_at=timezone.now())

    assert dispatch_due() == 1

    work.refresh_from_db()
    assert (work.status, work.attempts) == (DueWorkStatus.FAILED, 1)
    assert work.last_error == "收款账户已销户"


@pytest.mark.django_db
def test_a_business_refusal_keeps_its_message_for_the_customer(settings):
    settings.DUEWORK_MAX_ATTEMPTS = 2
    t0 = timezone.now()
    work = due_work_schedule(kind=INSUFFICIENT, key="poor", due_at=t0)

    dispatch_due(now=t0)
    work.refresh_from_db()
    assert work.last_error == "账户可用余额不足（第1次执行失败，将自动重试）"
    dispatch_due(now=work.due_at)

    work.refresh_from_db()
    assert (work.status, work.last_error) == (DueWorkStatus.FAILED, "账户可用余额不足")


@pytest.mark.django_db
def test_an_unknown_kind_fails_its_row_and_the_dispatcher_goes_on():
    now = timezone.now()
    # As if written by a newer release whose handler this worker does not have.
    orphan = DueWork.objects.create(kind="wealth.redeem_v2", key="x", due_at=now - timedelta(1))
    due_work_schedule(kind=RECORD, key="after-the-orphan", due_at=now)

    assert dispatch_due(now=now) == 2

    orphan.refresh_from_db()
    assert (orphan.status, orphan.attempts) == (DueWorkStatus.FAILED, 1)
    assert orphan.last_error == "未知的任务类型：wealth.redeem_v2"
    assert handlers.recorded_keys == ["after-the-orphan"]


@pytest.mark.django_db
def test_run_due_work_item_runs_only_a_due_pending_row():
    now = timezone.now()
    due = due_work_schedule(kind=RECORD, key="due", due_at=now)
    later = due_work_schedule(kind=RECORD, key="later", due_at=now + timedelta(hours=1))

    assert run_due_work_item(later.pk) is False
    assert run_due_work_item(due.pk) is True
    assert run_due_work_item(due.pk) is False  # a duplicate delivery
    assert run_due_work_item(999_999) is False
    assert handlers.recorded_keys == ["due"]
