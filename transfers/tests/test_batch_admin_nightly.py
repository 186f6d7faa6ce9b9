# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""批量转账 in the staff admin (read-only, the teller's branch only) and the 日终 step that deletes
batches left unconfirmed for TRANSFER_BATCH_DRAFT_DAYS days (only those)."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Branch
from ebank.core.models import AuditEvent
from ebank.duework.nightly import nightly_batch_run, registered_steps
from security.models import User
from security.tests.test_counter_fixtures import otp_login
from transfers.batch import nightly
from transfers.models import BatchStatus, TransferBatch, TransferBatchRow

from .test_batch_services import create, run_all, submit_and_confirm
from .test_inter_support import at, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def rows(bank, n=2):
    return [[bank.li_card.number, "李娜", f"{i + 1}.00", ""] for i in range(n)]


# --- 日终: unconfirmed batches deleted ------------------------------------------------------------


def test_the_step_is_registered_among_the_clean_ups():
    step = next(s for s in registered_steps() if s.name == "batch_drafts_clear")
    assert step.order == 920 and step.label == "清理未确认的批量转账"
    assert step.fn is nightly.batch_drafts_clear_step


def test_only_unconfirmed_batches_older_than_the_setting_are_deleted(world, settings):
    settings.TRANSFER_BATCH_DRAFT_DAYS = 7
    with time_machine.travel(at(2026, 11, 10, 9, 0), tick=True):
        old_draft = create(world, "intra", rows(world))
        old_pending = create(world, "intra", rows(world))
        from transfers.batch import services
        services.batch_submit(user=world.zhang, number=old_pending.number)
        old_done = create(world, "intra", rows(world))
        submit_and_confirm(world, old_done)
        run_all()
    with time_machine.travel(at(2026, 11, 11, 9, 0), tick=True):
        young_draft = create(world, "intra", rows(world))
    # Business date 11-17: uploaded before 11-11 00:00 is 7 days old when 11-17 ends.
    with time_machine.travel(at(2026, 11, 18, 0, 10), tick=True):
        assert nightly.batch_drafts_clear_step(date(2026, 11, 17)) == 2
    left = set(TransferBatch.objects.values_list("number", flat=True))
    assert left == {old_done.number, young_draft.number}
    assert not TransferBatchRow.objects.filter(batch_id__in=[old_draft.pk, old_pending.pk]).exists()
    assert TransferBatch.objects.get(pk=old_done.pk).status == BatchStatus.DONE
    assert set(AuditEvent.objects.filter(action="transfers.batch_draft_deleted")
               .values_list("object_ref", flat=True)) == {f"batch:{old_draft.number}",
                                                          f"batch:{old_pending.number}"}
    # The next night takes the young one; a rerun for the same date deletes nothing more.
    with time_machine.travel(at(2026, 11, 19, 0, 10), tick=True):
        results = nightly_batch_run(
            business_date=date(2026, 11, 18),
            steps=[s for s in registered_steps() if s.name == "batch_drafts_clear"])
        assert [r.count for r in results] == [1]
    assert set(TransferBatch.objects.values_list("number", flat=True)) == {old_done.number}


# --- the staff admin ------------------------------------------------------------------------------


def _staff(branch_code, username):
    user = User.objects.create_user(username=username, password="Staff-pass-1", is_staff=True,
                                    branch=Branch.objects.get(code=branch_code))
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="transfers",
        codename__in=["view_transferbatch", "view_transferbatchrow"]))
    return user


def test_admin_shows_batches_of_the_tellers_branch_only_read_only(client, world):
    with time_machine.travel(at(2026, 11, 24, 12, 0), tick=True):
        batch = create(world, "intra", rows(world))
        submit_and_confirm(world, batch)
        run_all()
    row = batch.rows.order_by("line_no").first()
    otp_login(client, _staff("340101", "teller_batch_hf"))
    listing = client.get(reverse("admin:transfers_transferbatch_changelist"))
    assert listing.status_code == 200 and batch.number in listing.content.decode()
    change = client.get(reverse("admin:transfers_transferbatch_change", args=[batch.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    rows_page = client.get(reverse("admin:transfers_transferbatchrow_changelist"),
                           {"q": batch.number})
    body = rows_page.content.decode()
    assert rows_page.status_code == 200 and batch.number in body
    assert world.li_card.number not in body  # payee masked
    assert client.get(reverse("admin:transfers_transferbatchrow_change",
                              args=[row.pk])).status_code == 200
    client.logout()
    otp_login(client, _staff("340201", "teller_batch_wh"))
    assert batch.number not in client.get(
        reverse("admin:transfers_transferbatch_changelist")).content.decode()
    assert client.get(reverse("admin:transfers_transferbatch_change",
                              args=[batch.pk])).status_code in (302, 404)
    assert client.get(reverse("admin:transfers_transferbatchrow_change",
                              args=[row.pk])).status_code in (302, 404)
