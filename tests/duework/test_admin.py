from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ebank.core.models import AuditEvent
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due, due_work_schedule
from tests.duework.handlers import FAIL, RECORD, REFUSE


@pytest.mark.django_db
def test_staff_retry_a_failed_row_now(admin_client, admin_user):
    failed = due_work_schedule(kind=REFUSE, key="failed", due_at=timezone.now() - timedelta(1))
    done = due_work_schedule(kind=RECORD, key="done", due_at=timezone.now())
    dispatch_due()
    changelist = reverse("admin:duework_duework_changelist")

    response = admin_client.post(changelist, {"action": "retry_now",
                                              "_selected_action": [failed.pk, done.pk]},
                                 follow=True)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert "已重新提交 1 个失败任务，立即执行。" in messages
    assert "1 个任务不是失败状态，未处理。" in messages
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DueWorkStatus.PENDING, 0)
    assert failed.due_at > timezone.now() - timedelta(minutes=1)
    assert failed.last_error == "收款账户已销户"  # kept until the next run says otherwise
    assert DueWork.objects.get(pk=done.pk).status == DueWorkStatus.DONE
    audit = AuditEvent.objects.get(action="duework.retry")
    assert (audit.actor, audit.object_ref) == (admin_user, f"duework:{failed.pk}")


@pytest.mark.django_db
def test_the_list_shows_rows_and_a_row_is_view_only(admin_client, settings):
    settings.DUEWORK_MAX_ATTEMPTS = 1
    work = due_work_schedule(kind=FAIL, key="visible", due_at=timezone.now())
    dispatch_due()

    listing = admin_client.get(reverse("admin:duework_duework_changelist"))
    page = admin_client.get(reverse("admin:duework_duework_change", args=[work.pk]))
    posted = admin_client.post(reverse("admin:duework_duework_change", args=[work.pk]),
                               {"kind": "something.else"})

    assert listing.status_code == 200
    assert "visible" in listing.content.decode()
    assert "立即重试" in listing.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert DueWork.objects.get(pk=work.pk).kind == FAIL
    assert admin_client.get(reverse("admin:duework_batchsteprun_changelist")).status_code == 200
