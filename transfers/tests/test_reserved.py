"""预约交易管理 (TRF-RESERVED): the list by date, the detail, 删除 before it runs, and scoping."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from ebank.ledger.models import Entry
from transfers.models import Transfer, TransferStatus
from transfers.services.inter import (
    DUE_EXECUTE,
    NOT_DELETABLE_MESSAGE,
    reserved_transfer_delete,
    reserved_transfers,
)

from .test_inter_support import (
    at,
    balance,
    confirm,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    start,
    travel,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

FRIDAY_1730 = at(2026, 11, 27, 17, 30)
SATURDAY = at(2026, 11, 28, 10, 0)
MONDAY_0900 = at(2026, 11, 30, 9, 0)


def reserve(bank, amount="60000.00", when=FRIDAY_1730) -> Transfer:
    with travel(when):
        done = confirm(start(bank, amount=amount), user=bank.zhang)
    return Transfer.objects.get(operation=done)


def test_the_list_shows_reserved_transfers_from_today_on_by_default(client, inter):
    transfer = reserve(inter)
    with travel(at(2026, 11, 24, 12, 0)):
        real_time = confirm(start(inter, amount="60000.00"), user=inter.zhang)  # in session
    with travel(SATURDAY):
        client.force_login(inter.zhang)
        body = client.get(reverse("transfers:reserved")).content.decode()
    assert transfer.number in body and "2026-11-30 09:00" in body and "预约" in body
    assert Transfer.objects.get(operation=real_time).number not in body  # not a 预约交易
    assert transfer.payee_account not in body  # masked in the list
    with travel(SATURDAY):
        client.force_login(inter.zhang)
        later = client.get(reverse("transfers:reserved"),
                           {"date_from": "2026-12-01", "date_to": "2026-12-31"}).content.decode()
        wrong = client.get(reverse("transfers:reserved"),
                           {"date_from": "2026-12-31", "date_to": "2026-12-01"}).content.decode()
    assert transfer.number not in later and "该期间没有预约交易" in later
    assert "终止日期不能早于起始日期" in wrong


def test_deleting_before_it_runs_cancels_it_for_good(client, inter):
    transfer = reserve(inter)
    with travel(SATURDAY):
        client.force_login(inter.zhang)
        detail = client.get(reverse("transfers:reserved_detail", args=[transfer.pk]))
        assert "删除" in detail.content.decode() and "陆万元整" in detail.content.decode()
        assert client.get(reverse("transfers:reserved_delete", args=[transfer.pk])).status_code == 405
        response = client.post(reverse("transfers:reserved_delete", args=[transfer.pk]), follow=True)
    assert "已删除" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DELETED
    assert DueWork.objects.get(kind=DUE_EXECUTE, key=transfer.number).status == DueWorkStatus.CANCELLED
    assert AuditEvent.objects.filter(action="transfers.reserved_delete", outcome="success",
                                     object_ref=f"transfer:{transfer.number}").exists()
    with travel(MONDAY_0900):
        assert dispatch_due() == 0
    assert not Entry.objects.filter(reference=transfer.number).exists()
    assert balance(inter.zhang_card) == Decimal("80000.00")


def test_after_it_ran_it_cannot_be_deleted(client, inter):
    transfer = reserve(inter)
    with travel(MONDAY_0900):
        dispatch_due()
    with travel(MONDAY_0900 + timedelta(minutes=1)):
        with pytest.raises(BusinessError) as refused:
            reserved_transfer_delete(user=inter.zhang, pk=transfer.pk)
        assert refused.value.message == NOT_DELETABLE_MESSAGE
        client.force_login(inter.zhang)
        body = client.post(reverse("transfers:reserved_delete", args=[transfer.pk]),
                           follow=True).content.decode()
    assert NOT_DELETABLE_MESSAGE in body
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SUCCEEDED
    assert AuditEvent.objects.filter(action="transfers.reserved_delete",
                                     outcome="failure").exists()
    # Still listed, with its outcome.
    assert list(reserved_transfers(customer=inter.zhang_customer)) == [transfer]


def test_a_row_being_executed_right_now_cannot_be_deleted(inter):
    transfer = reserve(inter)
    work = DueWork.objects.get(kind=DUE_EXECUTE, key=transfer.number)
    # What the dispatcher leaves behind after claiming: not PENDING any more.
    DueWork.objects.filter(pk=work.pk).update(status=DueWorkStatus.DONE)
    with pytest.raises(BusinessError, match=NOT_DELETABLE_MESSAGE):
        reserved_transfer_delete(user=inter.zhang, pk=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RESERVED


def test_another_customers_reserved_transfer_is_404_and_nothing_is_written(client, inter):
    transfer = reserve(inter)
    events = AuditEvent.objects.count()
    with travel(SATURDAY):
        client.force_login(inter.li)
        assert client.get(reverse("transfers:reserved_detail", args=[transfer.pk])).status_code == 404
        assert client.post(reverse("transfers:reserved_delete", args=[transfer.pk])).status_code == 404
        listed = client.get(reverse("transfers:reserved")).content.decode()
    assert transfer.number not in listed
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RESERVED and AuditEvent.objects.count() == events
    assert DueWork.objects.get(kind=DUE_EXECUTE, key=transfer.number).status == DueWorkStatus.PENDING
