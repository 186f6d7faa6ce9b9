from unittest import mock

import pytest
from django.utils import timezone

from ebank.duework import tasks
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import due_work_schedule
from tests.duework.handlers import RECORD


@pytest.mark.django_db
def test_the_beat_task_runs_what_is_due():
    due_work_schedule(kind=RECORD, key="a", due_at=timezone.now())

    assert tasks.dispatch_due_work() == 1
    assert DueWork.objects.get(key="a").status == DueWorkStatus.DONE


@pytest.mark.django_db
def test_a_backlog_is_handed_on_to_the_next_worker(monkeypatch):
    monkeypatch.setattr(tasks, "DISPATCH_BATCH", 2)
    for key in "abc":
        due_work_schedule(kind=RECORD, key=key, due_at=timezone.now())

    with mock.patch.object(tasks.dispatch_due_work, "delay") as delay:
        assert tasks.dispatch_due_work() == 2
        delay.assert_called_once_with()
        assert tasks.dispatch_due_work() == 1
        delay.assert_called_once_with()


@pytest.mark.django_db
def test_the_kick_task_runs_its_row_once():
    work = due_work_schedule(kind=RECORD, key="kicked", due_at=timezone.now())

    assert tasks.run_due_work_item(work.pk) is True
    assert tasks.run_due_work_item(work.pk) is False


def test_the_beat_schedule_names_the_dispatcher_task():
    from django.conf import settings

    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.dispatch_due_work.name in names
