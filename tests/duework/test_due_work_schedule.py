from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from ebank.core.errors import IdempotencyConflict
from ebank.duework import tasks
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import due_work_schedule
from tests.duework.handlers import RECORD


@pytest.mark.django_db
def test_scheduling_the_same_kind_and_key_twice_returns_the_first_row():
    due_at = timezone.now() + timedelta(hours=2)
    first = due_work_schedule(kind=RECORD, key="transfer:42", due_at=due_at,
                              payload={"transfer_id": 42})
    again = due_work_schedule(kind=RECORD, key="transfer:42", due_at=due_at + timedelta(minutes=5),
                              payload={"transfer_id": 42})

    assert again.pk == first.pk
    assert again.due_at == due_at
    assert DueWork.objects.count() == 1
    assert first.status == DueWorkStatus.PENDING
    assert first.attempts == 0
    assert first.max_attempts == 5


@pytest.mark.django_db
def test_the_same_key_with_another_payload_is_refused():
    due_work_schedule(kind=RECORD, key="transfer:42", due_at=timezone.now(),
                      payload={"transfer_id": 42})

    with pytest.raises(IdempotencyConflict):
        due_work_schedule(kind=RECORD, key="transfer:42", due_at=timezone.now(),
                          payload={"transfer_id": 43})


@pytest.mark.django_db
def test_the_same_key_under_another_kind_is_other_work():
    due_work_schedule(kind=RECORD, key="42", due_at=timezone.now())
    due_work_schedule(kind="duework_test.fail", key="42", due_at=timezone.now())

    assert DueWork.objects.count() == 2


@pytest.mark.django_db
def test_an_unregistered_kind_or_a_naive_time_is_a_programming_error():
    with pytest.raises(ValueError, match="no due-work handler"):
        due_work_schedule(kind="transfers.no_such_thing", key="1", due_at=timezone.now())
    with pytest.raises(ValueError, match="timezone-aware"):
        due_work_schedule(kind=RECORD, key="1", due_at=timezone.now().replace(tzinfo=None))
    assert not DueWork.objects.exists()


# --- kicking Celery on commit ------------------------------------------------------------------


@pytest.fixture
def kick(settings):
    settings.DUEWORK_KICK = "celery"
    with mock.patch.object(tasks.run_due_work_item, "apply_async") as apply_async:
        yield apply_async


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_request_stores_nothing_and_kicks_nothing(kick):
    with pytest.raises(RuntimeError), transaction.atomic():
        due_work_schedule(kind=RECORD, key="rolled-back", due_at=timezone.now())
        raise RuntimeError("the transfer failed after scheduling")

    assert not DueWork.objects.exists()
    kick.assert_not_called()


@pytest.mark.django_db(transaction=True)
def test_a_committed_request_kicks_exactly_once_after_commit(kick):
    with transaction.atomic():
        work = due_work_schedule(kind=RECORD, key="committed", due_at=timezone.now())
        kick.assert_not_called()

    kick.assert_called_once_with(args=[work.pk], countdown=0.0)


@pytest.mark.django_db(transaction=True)
def test_a_replayed_schedule_does_not_kick_again(kick):
    due_work_schedule(kind=RECORD, key="once", due_at=timezone.now())
    due_work_schedule(kind=RECORD, key="once", due_at=timezone.now())

    assert kick.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_work_due_within_a_minute_is_kicked_with_a_short_countdown(kick):
    work = due_work_schedule(kind=RECORD, key="soon", due_at=timezone.now() + timedelta(seconds=30))

    (call,) = kick.call_args_list
    assert call.kwargs["args"] == [work.pk]
    assert 0 < call.kwargs["countdown"] <= 30


@pytest.mark.django_db(transaction=True)
def test_work_due_later_is_left_to_the_dispatcher(kick):
    due_work_schedule(kind=RECORD, key="later", due_at=timezone.now() + timedelta(hours=2))

    kick.assert_not_called()


@pytest.mark.django_db(transaction=True)
def test_no_kick_without_celery(kick, settings):
    settings.DUEWORK_KICK = "none"

    due_work_schedule(kind=RECORD, key="embedded", due_at=timezone.now())

    kick.assert_not_called()


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_does_not_fail_the_committed_request(kick, caplog):
    kick.side_effect = ConnectionRefusedError("redis is down")

    with transaction.atomic():
        work = due_work_schedule(kind=RECORD, key="broker-down", due_at=timezone.now())

    assert DueWork.objects.filter(pk=work.pk, status=DueWorkStatus.PENDING).exists()
    assert "could not kick due work" in caplog.text
