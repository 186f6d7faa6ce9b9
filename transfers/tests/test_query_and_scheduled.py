"""网银转账查询 (TRF-QUERY) and 定时转账维护: lists, filters, details, 撤销 before and after it ran,
and another customer's transfer is a 404 with nothing written."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from ebank.clearing.routing import ArrivalMode
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from tests import customer_world as support
from tests.customer_world import balance, confirm, entries
from transfers.models import Transfer, TransferStatus
from transfers.services.own_intra import CANCEL_TOO_LATE, scheduled_transfer_cancel

from .test_intra_transfer import NOON, start

pytestmark = pytest.mark.django_db
world = support.world
JUNE = datetime(2026, 6, 10, 4, 0, tzinfo=UTC)  # a day of its own for the date filter


def schedule(world, *, user=None, payer=None, payee=None, amount="1000.00", at=NOON):
    with time_machine.travel(at, tick=False):
        operation = confirm(start(world, mode=ArrivalMode.NORMAL, user=user, payer=payer,
                                  payee=payee, amount=amount), user=user or world.zhang)
    return Transfer.objects.get(operation=operation)


def test_scheduled_list_and_cancel_before_it_runs(client, world):
    transfer = schedule(world)
    client.force_login(world.zhang)
    listing = client.get(reverse("transfers:scheduled")).content.decode()
    assert transfer.number in listing and "普通到账" in listing
    detail = client.get(reverse("transfers:scheduled_detail", args=[transfer.number]))
    assert "撤销" in detail.content.decode()
    response = client.post(reverse("transfers:scheduled_cancel", args=[transfer.number]),
                           follow=True)
    assert "已撤销" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    assert DueWork.objects.get(key=transfer.number).status == DueWorkStatus.CANCELLED
    assert AuditEvent.objects.filter(action="transfer.cancel",
                                     object_ref=f"transfer:{transfer.number}",
                                     outcome="success").exists()
    before = entries()
    dispatch_due(now=NOON + timedelta(hours=5))
    assert entries() == before and balance(world.zhang_card) == 80000


def test_cancel_after_it_ran_is_refused(client, world):
    transfer = schedule(world)
    later = NOON + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        dispatch_due(now=later)
    with pytest.raises(BusinessError, match=CANCEL_TOO_LATE):
        scheduled_transfer_cancel(user=world.zhang, number=transfer.number)
    client.force_login(world.zhang)
    response = client.post(reverse("transfers:scheduled_cancel", args=[transfer.number]),
                           follow=True)
    assert CANCEL_TOO_LATE in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SUCCEEDED
    assert AuditEvent.objects.filter(action="transfer.cancel", outcome="failure").exists()


def test_cancel_while_the_dispatcher_holds_the_row_is_refused(world):
    transfer = schedule(world)
    # The DueWork row is being run right now (its lock is held): cancel must not wait for it.
    work = DueWork.objects.get(key=transfer.number)
    DueWork.objects.filter(pk=work.pk).update(status=DueWorkStatus.DONE)
    with pytest.raises(BusinessError, match=CANCEL_TOO_LATE):
        scheduled_transfer_cancel(user=world.zhang, number=transfer.number)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.SCHEDULED


def test_history_lists_every_outgoing_transfer_with_its_status_and_filters(client, world):
    done = Transfer.objects.get(operation=confirm(start(world, amount="10.00"), user=world.zhang))
    waiting = schedule(world, at=JUNE)
    client.force_login(world.zhang)
    body = client.get(reverse("transfers:history")).content.decode()
    assert done.number in body and waiting.number in body and "成功" in body and "待执行" in body
    only_done = client.get(reverse("transfers:history"),
                           {"status": TransferStatus.SUCCEEDED}).content.decode()
    assert done.number in only_done and waiting.number not in only_done
    by_date = client.get(reverse("transfers:history"),
                         {"date_from": "2026-06-10", "date_to": "2026-06-10"}).content.decode()
    assert waiting.number in by_date and done.number not in by_date
    bad = client.get(reverse("transfers:history"),
                     {"date_from": "2026-11-25", "date_to": "2026-11-24"})
    assert bad.status_code == 200 and "起始日期不能晚于终止日期" in bad.content.decode()


def test_detail_shows_the_transfer_and_masks_the_payee(client, world):
    done = Transfer.objects.get(operation=confirm(start(world, amount="10.00"), user=world.zhang))
    client.force_login(world.zhang)
    body = client.get(reverse("transfers:detail", args=[done.number])).content.decode()
    assert done.number in body and "¥10.00" in body and "人民币壹拾元整" in body
    assert world.li_card.number not in body and world.li_card.number[-4:] in body


@pytest.mark.parametrize("name", ["transfers:detail", "transfers:scheduled_detail"])
def test_another_customers_transfer_is_404(client, world, name):
    theirs = schedule(world, user=world.li, payer=world.main(world.li_card),
                      payee=world.zhang_card, amount="10.00")
    client.force_login(world.zhang)
    assert client.get(reverse(name, args=[theirs.number])).status_code == 404


def test_cancelling_another_customers_transfer_is_404_and_writes_nothing(client, world):
    theirs = schedule(world, user=world.li, payer=world.main(world.li_card),
                      payee=world.zhang_card, amount="10.00")
    client.force_login(world.zhang)
    events = AuditEvent.objects.count()
    response = client.post(reverse("transfers:scheduled_cancel", args=[theirs.number]))
    assert response.status_code == 404 and AuditEvent.objects.count() == events
    assert Transfer.objects.get(pk=theirs.pk).status == TransferStatus.SCHEDULED
    assert DueWork.objects.get(key=theirs.number).status == DueWorkStatus.PENDING


# --- the staff admin: read-only, branch-scoped --------------------------------------------------


def _staff(branch_code, username):
    from django.contrib.auth.models import Permission

    from accounts.models import Branch
    from security.models import User

    user = User.objects.create_user(username=username, password="Staff-pass-1", is_staff=True,
                                    branch=Branch.objects.get(code=branch_code))
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="transfers", codename__in=["view_transfer", "view_payee"]))
    return user


def test_admin_lists_transfers_of_the_tellers_branch_only_and_read_only(client, world):
    from security.tests.test_counter_fixtures import otp_login

    done = Transfer.objects.get(operation=confirm(start(world, amount="10.00"), user=world.zhang))
    otp_login(client, _staff("340101", "teller_transfers_hf"))
    listing = client.get(reverse("admin:transfers_transfer_changelist"))
    body = listing.content.decode()
    assert listing.status_code == 200 and done.number in body
    assert world.li_card.number not in body  # payee masked
    change = client.get(reverse("admin:transfers_transfer_change", args=[done.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    client.logout()
    otp_login(client, _staff("340201", "teller_transfers_wh"))
    assert done.number not in client.get(
        reverse("admin:transfers_transfer_changelist")).content.decode()
    assert client.get(reverse("admin:transfers_transfer_change", args=[done.pk])).status_code in (
        302, 404)
