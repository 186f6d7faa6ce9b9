"""Executing 普通到账/次日到账 transfers through the dispatcher: once, limits and balance at
execution, a failure the customer can read, and the SMS to a 短信服务 subscriber."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import MediumStatus, Receipt
from ebank.clearing.routing import ArrivalMode
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from ebank.ledger.models import Entry
from ebank.limits.models import DailyLimitUsage, LimitLevel
from ebank.limits.services import limit_policy_set
from security.models import SmsMessage, SmsSubscription
from tests import customer_world as support
from tests.customer_world import balance, confirm, entries
from transfers.models import Payee, Transfer, TransferStatus
from transfers.services.execution import DUE_KIND, execution_key, transfer_execute_due
from transfers.services.own_intra import own_transfer_start

from .test_intra_transfer import NOON, start

pytestmark = pytest.mark.django_db
world = support.world
LATER = NOON + timedelta(hours=3)


@pytest.fixture
def scheduled(world):
    """张伟 → 李娜 ¥1,000.00 普通到账, submitted at noon, due at 14:00."""
    with time_machine.travel(NOON, tick=False):
        operation = confirm(start(world, mode=ArrivalMode.NORMAL, save_payee=True),
                            user=world.zhang)
    return Transfer.objects.get(operation=operation)


def drain(world, amount):
    """Another real-time transfer takes the money meanwhile."""
    confirm(start(world, amount=amount, payee=world.li_onebook), user=world.zhang)


def test_the_dispatcher_runs_it_at_its_time_and_takes_the_limit_then(world, scheduled,
                                                                    django_capture_on_commit_callbacks):
    assert dispatch_due(now=NOON + timedelta(minutes=30)) == 0  # not due yet
    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due(now=LATER) == 1
    scheduled.refresh_from_db()
    assert scheduled.status == TransferStatus.SUCCEEDED and scheduled.entry_id
    assert Entry.objects.get(pk=scheduled.entry_id).idempotency_key == execution_key(scheduled)
    assert balance(world.zhang_card) == Decimal("79000.00")
    assert balance(world.li_card) == Decimal("21000.00")
    usage = DailyLimitUsage.objects.get(customer_id=world.zhang_customer.pk)
    assert usage.used == Decimal("1000.00") and usage.day == scheduled.limit_day
    assert DueWork.objects.get(key=scheduled.number).status == DueWorkStatus.DONE
    assert Payee.objects.filter(customer=world.zhang_customer,
                                account_number=world.li_card.number).exists()
    assert Receipt.objects.filter(entry_id=scheduled.entry_id).count() == 2


def test_dispatching_twice_posts_once(world, scheduled):
    with time_machine.travel(LATER, tick=False):
        assert dispatch_due(now=LATER) == 1
        before = entries()
        assert dispatch_due(now=LATER) == 0
    assert entries() == before and balance(world.zhang_card) == Decimal("79000.00")


def test_running_the_handler_twice_posts_once(world, scheduled):
    work = DueWork.objects.get(kind=DUE_KIND, key=scheduled.number)
    with time_machine.travel(LATER, tick=False):
        transfer_execute_due(work)
        before = entries()
        transfer_execute_due(work)
        # Even a transfer put back to SCHEDULED by some bug replays the same entry.
        Transfer.objects.filter(pk=scheduled.pk).update(status=TransferStatus.SCHEDULED)
        transfer_execute_due(work)
    assert entries() == before and balance(world.zhang_card) == Decimal("79000.00")
    assert DailyLimitUsage.objects.get(customer_id=world.zhang_customer.pk).used == Decimal(
        "1000.00")


def test_a_balance_drained_meanwhile_fails_with_the_reason_and_texts_the_subscriber(
        client, world, scheduled, django_capture_on_commit_callbacks):
    SmsSubscription.objects.create(user=world.zhang, sub_account=world.main(world.zhang_card),
                                   threshold=Decimal("1000000.00"),
                                   phone=world.zhang_customer.phone)
    drain(world, "79500.00")
    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due(now=LATER) == 1
    scheduled.refresh_from_db()
    assert scheduled.status == TransferStatus.FAILED
    assert scheduled.failure_reason == "账户余额不足" and scheduled.entry_id is None
    assert balance(world.zhang_card) == Decimal("500.00")
    # The row is done: retrying cannot make the money appear.
    assert DueWork.objects.get(key=scheduled.number).status == DueWorkStatus.DONE
    # Only the real-time drain counted toward the limit.
    assert DailyLimitUsage.objects.get(customer_id=world.zhang_customer.pk).used == Decimal(
        "79500.00")
    texts = list(SmsMessage.objects.filter(phone=world.zhang_customer.phone,
                                           purpose="transfer_failed").values_list("text",
                                                                                  flat=True))
    assert len(texts) == 1 and "账户余额不足" in texts[0] and "1,000.00" in texts[0]
    assert world.zhang_card.number not in texts[0] and world.zhang_card.number[-4:] in texts[0]
    assert not Payee.objects.exists()  # saved only after success
    client.force_login(world.zhang)
    body = client.get(reverse("transfers:detail", args=[scheduled.number])).content.decode()
    assert "失败" in body and "账户余额不足" in body


def test_no_sms_without_a_subscription(world, scheduled, django_capture_on_commit_callbacks):
    drain(world, "79500.00")
    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        dispatch_due(now=LATER)
    assert Transfer.objects.get(pk=scheduled.pk).status == TransferStatus.FAILED
    assert not SmsMessage.objects.filter(purpose="transfer_failed").exists()


def test_a_limit_lowered_before_execution_fails_with_the_engines_message(world, scheduled):
    limit_policy_set(level=LimitLevel.CUSTOMER, scope=str(world.zhang_customer.pk),
                     branch_code="340101", single_limit=Decimal("500.00"),
                     daily_limit=Decimal("1000.00"))
    with time_machine.travel(LATER, tick=False):
        dispatch_due(now=LATER)
    scheduled.refresh_from_db()
    assert scheduled.status == TransferStatus.FAILED
    assert "您自设的单笔转账限额¥500.00" in scheduled.failure_reason
    assert balance(world.zhang_card) == Decimal("80000.00")


def test_a_payee_account_lost_meanwhile_fails_readably(world, scheduled):
    world.li_card.status = MediumStatus.ORAL_LOSS
    world.li_card.save(update_fields=["status"])
    with time_machine.travel(LATER, tick=False):
        dispatch_due(now=LATER)
    scheduled.refresh_from_db()
    assert scheduled.status == TransferStatus.FAILED
    assert scheduled.failure_reason == "收款账户已口头挂失，不能入账"


def test_next_day_executes_on_the_next_days_limit(world):
    with time_machine.travel(NOON, tick=False):
        operation = confirm(start(world, mode=ArrivalMode.NEXT_DAY), user=world.zhang)
    transfer = Transfer.objects.get(operation=operation)
    nine = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    with time_machine.travel(nine, tick=False):
        assert dispatch_due(now=nine) == 1
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SUCCEEDED
    assert str(transfer.limit_day) == "2026-11-25"


def test_own_transfers_are_real_time_and_never_scheduled(world):
    operation = confirm(own_transfer_start(
        user=world.zhang, from_sub_account_id=world.main(world.zhang_card).pk,
        to_sub_account_id=world.main(world.zhang_passbook).pk, amount=Decimal("1.00")),
        user=world.zhang)
    transfer = Transfer.objects.get(operation=operation)
    assert transfer.status == TransferStatus.SUCCEEDED
    assert not DueWork.objects.filter(key=transfer.number).exists()
