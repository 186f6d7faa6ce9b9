"""定时转账 (TRF-SCHED) services: the schedule's rules (month end), one active plan per card,
runs that move the money once, every failure reason recorded with the next run still
scheduled, the end by date or count, 撤销."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from accounts.models import LinkedMedium, MediumStatus
from accounts.services import funds_move
from ebank.clearing.adapters import CHANNEL_CLOSED_MESSAGE, get_clearing_adapter
from ebank.clearing.routing import Channel
from ebank.core.clock import business_day
from ebank.core.errors import BusinessError, LimitExceeded
from ebank.core.models import AuditEvent
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import due_work_retry
from ebank.ledger.bank_books import BankBook, bank_book_id
from ebank.limits.models import DailyLimitUsage
from ebank.limits.selectors import limit_usage
from security.confirm.services import SUMMARY_KEY
from security.models import OperationStatus, PendingOperation, SmsMessage, SmsSubscription
from tests import customer_world as support
from tests.customer_world import balance, confirm, entries
from transfers.models import (
    PayeeKind,
    PeriodicFrequency,
    PeriodicRunStatus,
    PeriodicStatus,
    PeriodicTransfer,
    Transfer,
    TransferKind,
    TransferStatus,
    periodic_schedule_describe,
)
from transfers.periodic.services import (
    CANCEL_NOT_ACTIVE,
    DUE_RUN,
    INTER_MAX_MESSAGE,
    ONE_PER_CARD,
    PAYER_UNLINKED,
    SYSTEM_ERROR,
    TOO_LATE,
    Schedule,
    periodic_cancel,
    run_date,
    run_dates,
    run_due_at,
    schedule_check,
    schedule_of,
)
from transfers.services.common import limit_subject_for

from .test_inter_support import (  # noqa: F401 - the fixture
    IBPS_BOOK,
    ICBC_HEFEI,
    PAYEE_ACCOUNT,
    book_balance,
    inter_fixture,
)
from .test_intra_transfer import customer_limit
from .test_intra_transfer import start as intra_start
from .test_periodic_support import JAN_31, SETUP_AT, at, run_due, set_up, start

pytestmark = pytest.mark.django_db
world = support.world

MONTHLY_31 = Schedule(PeriodicFrequency.MONTHLY, None, 31, JAN_31, None, 6)


# --- the schedule ---------------------------------------------------------------------------


def test_the_31st_runs_on_the_last_day_of_a_short_month_and_comes_back_to_the_31st():
    assert run_dates(MONTHLY_31, 10) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                         date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)]
    leap = Schedule(PeriodicFrequency.MONTHLY, None, 30, date(2028, 1, 15), None, 3)
    assert run_dates(leap, 5) == [date(2028, 1, 30), date(2028, 2, 29), date(2028, 3, 30)]
    day_29 = Schedule(PeriodicFrequency.MONTHLY, None, 29, date(2027, 2, 1), None, 2)
    assert run_dates(day_29, 5) == [date(2027, 2, 28), date(2027, 3, 29)]


def test_weekly_runs_on_its_weekday_from_the_start_up_to_the_end_date():
    # 2026-02-02 is a Monday; 周五 = 4.
    weekly = Schedule(PeriodicFrequency.WEEKLY, 4, None, date(2026, 2, 2), date(2026, 2, 20),
                      None)
    assert run_dates(weekly, 10) == [date(2026, 2, 6), date(2026, 2, 13), date(2026, 2, 20)]
    assert run_date(weekly, 4) is None and run_date(weekly, 0) is None


def test_a_start_day_after_the_day_of_month_begins_next_month():
    late = Schedule(PeriodicFrequency.MONTHLY, None, 5, date(2026, 1, 20), None, 2)
    assert run_dates(late, 5) == [date(2026, 2, 5), date(2026, 3, 5)]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start_date": date(2026, 1, 20)}, "起始日期须晚于今天"),
    ({"run_count": None}, "请填写终止日期或执行次数（二者选一）"),
    ({"end_date": date(2026, 6, 30)}, "请填写终止日期或执行次数（二者选一）"),
    ({"run_count": 0}, "执行次数须为1至120次"),
    ({"run_count": 121}, "执行次数须为1至120次"),
    ({"run_count": None, "end_date": date(2026, 1, 25)}, "终止日期不能早于起始日期"),
    ({"run_count": None, "end_date": date(2026, 1, 30)}, "之间没有执行日"),
    ({"day_of_month": 32}, "请选择每月的执行日"),
    ({"frequency": PeriodicFrequency.WEEKLY}, "请选择每周的执行日"),
    ({"frequency": "daily"}, "请选择定时周期"),
    ({"start_date": date(2027, 3, 1)}, "起始日期不能晚于一年以后"),
])
def test_schedule_rules_are_refused_with_a_reason(kwargs, message):
    values = {"frequency": PeriodicFrequency.MONTHLY, "weekday": None, "day_of_month": 31,
              "start_date": date(2026, 1, 26), "end_date": None, "run_count": 3,
              "today": date(2026, 1, 20), **kwargs}
    with pytest.raises(BusinessError, match=message):
        schedule_check(**values)


@pytest.mark.parametrize(("start_date", "last_end"), [
    (date(2027, 3, 1), date(2032, 3, 1)),  # two Feb 29s in between: 1,827 days
    (date(2028, 2, 29), date(2033, 2, 28)),  # Feb 29 → Feb 28 five years on
    (date(2026, 12, 31), date(2031, 12, 31)),
])
def test_the_end_date_may_be_the_same_calendar_date_five_years_on(start_date, last_end):
    values = {"frequency": PeriodicFrequency.MONTHLY, "weekday": None, "day_of_month": 1,
              "start_date": start_date, "run_count": None,
              "today": start_date - timedelta(days=30)}
    assert schedule_check(end_date=last_end, **values).end_date == last_end
    with pytest.raises(BusinessError, match="定时转账期限不能超过5年"):
        schedule_check(end_date=last_end + timedelta(days=1), **values)


# --- 定时转账设置 ----------------------------------------------------------------------------


def test_setup_shows_the_first_run_dates_and_schedules_the_first_run(world):
    operation = start(world)
    lines = dict(operation.payload[SUMMARY_KEY])
    assert lines["最近执行日期"] == "2026-01-31、2026-02-28、2026-03-31"
    assert lines["定时周期"] == "每月31日" and lines["终止条件"] == "共3次"
    with time_machine.travel(SETUP_AT, tick=False):
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED
    plan = PeriodicTransfer.objects.get(operation=operation)
    assert plan.status == PeriodicStatus.ACTIVE and plan.next_run_date == JAN_31
    assert plan.payer_medium == world.zhang_card and plan.payee_sub_account.medium == world.li_card
    work = DueWork.objects.get(kind=DUE_RUN)
    assert work.key == f"{plan.number}:1" and work.due_at == run_due_at(JAN_31)
    assert work.due_at == at(2026, 1, 31, 9, 0)
    assert AuditEvent.objects.filter(action="transfers.periodic_set",
                                     object_ref=f"periodic:{plan.number}").exists()
    # Nothing moves at setup: balance and limit are taken at each run.
    assert balance(world.zhang_card) == Decimal("80000.00")


def test_one_active_plan_per_card(world):
    plan = set_up(world)
    with pytest.raises(BusinessError, match=ONE_PER_CARD):
        start(world, payee=world.li_onebook, amount="5.00")
    # Another card of the same customer may have its own.
    other = set_up(world, payer=world.zhang_passbook, amount="5.00")
    assert other.status == PeriodicStatus.ACTIVE
    with time_machine.travel(SETUP_AT, tick=False):
        periodic_cancel(user=world.zhang, number=plan.number)
    assert set_up(world, amount="7.00").status == PeriodicStatus.ACTIVE


def test_a_second_setup_confirmed_after_the_first_is_refused_at_confirmation(world):
    first, second = start(world), start(world, amount="2.00")
    with time_machine.travel(SETUP_AT, tick=False):
        assert confirm(first, user=world.zhang).status == OperationStatus.EXECUTED
        with pytest.raises(BusinessError, match=ONE_PER_CARD):
            confirm(second, user=world.zhang)
    refused = PendingOperation.objects.get(pk=second.pk)
    assert refused.status == OperationStatus.FAILED and refused.failure_reason == ONE_PER_CARD
    assert PeriodicTransfer.objects.count() == 1 and DueWork.objects.count() == 1


def test_payee_checks_and_the_limit_refuse_at_setup(world):
    with pytest.raises(BusinessError, match="收款人名称"):
        start(world, name="李四")
    customer_limit(world.zhang_customer, "500.00", "1000.00")
    with pytest.raises(LimitExceeded, match="您自设的单笔转账限额"):
        start(world, amount="600.00")


def test_inter_bank_plans_go_by_ibps_up_to_50000(inter):  # noqa: F811
    with pytest.raises(BusinessError, match=INTER_MAX_MESSAGE):
        start(inter, kind=PayeeKind.INTER, payee=PAYEE_ACCOUNT, bank_code=ICBC_HEFEI,
              amount="50000.01")
    with pytest.raises(BusinessError, match="联行号不存在"):
        start(inter, kind=PayeeKind.INTER, payee=PAYEE_ACCOUNT, bank_code="999999999999")
    with pytest.raises(BusinessError, match="请选择“行内收款人”"):
        start(inter, kind=PayeeKind.INTER, payee=PAYEE_ACCOUNT, bank_code="402361000214")
    with pytest.raises(BusinessError, match="请选择“行内收款人”"):
        start(inter, kind=PayeeKind.INTER, payee=inter.li_card.number, name="李娜",
              bank_code=ICBC_HEFEI)
    plan = set_up(inter, kind=PayeeKind.INTER, payee=PAYEE_ACCOUNT, bank_code=ICBC_HEFEI,
                  amount="50000.00", count=1)
    assert plan.payee_bank_name and plan.payee_sub_account is None
    run_due(at(2026, 1, 31, 9, 5))
    plan.refresh_from_db()
    run = plan.runs.get()
    assert run.status == PeriodicRunStatus.SUCCEEDED and run.transfer.kind == TransferKind.INTER
    assert run.transfer.channel == "IBPS"
    assert balance(inter.zhang_card) == Decimal("30000.00")
    assert plan.status == PeriodicStatus.FINISHED


# --- runs ----------------------------------------------------------------------------------------


def test_a_monthly_plan_on_the_31st_runs_through_february_and_ends_after_its_count(world):
    plan = set_up(world)
    assert run_due(at(2026, 1, 31, 8, 59)) == 0
    run_due(at(2026, 1, 31, 9, 1))
    plan.refresh_from_db()
    assert plan.runs_done == 1 and plan.next_run_date == date(2026, 2, 28)
    assert balance(world.li_card) == Decimal("21000.00")
    # Nothing due between the runs (no 2026-02-31, no run on 03-03).
    assert run_due(at(2026, 2, 27, 23, 0)) == 0
    run_due(at(2026, 2, 28, 9, 0))
    run_due(at(2026, 3, 31, 9, 0))
    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.FINISHED and plan.next_run_date is None
    runs = list(plan.runs.order_by("sequence"))
    assert [r.scheduled_date for r in runs] == [date(2026, 1, 31), date(2026, 2, 28),
                                                date(2026, 3, 31)]
    assert {r.status for r in runs} == {PeriodicRunStatus.SUCCEEDED}
    assert [r.transfer.number for r in runs] == [f"{plan.number}{i:04d}" for i in (1, 2, 3)]
    assert balance(world.zhang_card) == Decimal("77000.00")
    assert balance(world.li_card) == Decimal("23000.00")
    assert not DueWork.objects.filter(status=DueWorkStatus.PENDING).exists()
    assert run_due(at(2026, 5, 1, 9, 0)) == 0


def test_an_end_date_ends_the_plan(world):
    plan = set_up(world, count=None, end_date=date(2026, 2, 28))
    run_due(at(2026, 1, 31, 10, 0))
    run_due(at(2026, 2, 28, 10, 0))
    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.FINISHED and plan.runs_done == 2


def test_a_run_due_twice_moves_the_money_once(world):
    plan = set_up(world)
    run_due(at(2026, 1, 31, 9, 0))
    work = DueWork.objects.get(key=f"{plan.number}:1")
    DueWork.objects.filter(pk=work.pk).update(status=DueWorkStatus.PENDING)  # a stray replay
    before = entries()
    run_due(at(2026, 1, 31, 9, 30))
    assert entries() == before and plan.runs.count() == 1
    assert balance(world.zhang_card) == Decimal("79000.00")
    work.refresh_from_db()
    assert work.status == DueWorkStatus.DONE and work.last_error == ""


@pytest.mark.parametrize("kind", [PayeeKind.INTRA, PayeeKind.INTER])
def test_a_successful_run_takes_the_daily_limit(inter, kind):  # noqa: F811
    payee = {"payee": PAYEE_ACCOUNT, "bank_code": ICBC_HEFEI} if kind == PayeeKind.INTER else {}
    plan = set_up(inter, kind=kind, amount="1500.00", **payee)
    subject = limit_subject_for(customer=inter.zhang_customer)
    assert limit_usage(subject=subject, on=JAN_31) == 0
    run_due(at(2026, 1, 31, 9, 0))
    run = plan.runs.get(sequence=1)
    assert run.status in (PeriodicRunStatus.SUCCEEDED, PeriodicRunStatus.PROCESSING)
    assert run.transfer.entry_id and run.transfer.limit_day == business_day(JAN_31)
    assert limit_usage(subject=subject, on=JAN_31) == Decimal("1500.00")
    usage = DailyLimitUsage.objects.get(customer_id=inter.zhang_customer.pk)
    assert usage.used == Decimal("1500.00") and usage.count == 1


def _fails_then_next_is_scheduled(world, plan, reason: str):
    run_due(at(2026, 1, 31, 9, 0))
    plan.refresh_from_db()
    run = plan.runs.get(sequence=1)
    assert run.status == PeriodicRunStatus.FAILED and reason in run.failure_reason
    assert run.transfer.status == TransferStatus.FAILED
    assert plan.status == PeriodicStatus.ACTIVE and plan.runs_done == 1
    assert plan.next_run_date == date(2026, 2, 28)
    following = DueWork.objects.get(key=f"{plan.number}:2")
    assert following.status == DueWorkStatus.PENDING and following.due_at == at(2026, 2, 28, 9)
    assert DueWork.objects.get(key=f"{plan.number}:1").status == DueWorkStatus.DONE
    return run


def test_a_short_balance_fails_with_its_reason_texts_the_subscriber_and_the_next_run_stays(
        world, django_capture_on_commit_callbacks):
    SmsSubscription.objects.create(user=world.zhang, sub_account=world.main(world.zhang_card),
                                   threshold=Decimal("0.00"), phone=world.zhang_customer.phone)
    plan = set_up(world, amount="90000.00")
    with django_capture_on_commit_callbacks(execute=True):
        _fails_then_next_is_scheduled(world, plan, "账户余额不足")
    assert balance(world.zhang_card) == Decimal("80000.00")
    text = SmsMessage.objects.get(purpose="transfer_failed").text
    assert "账户余额不足" in text and world.zhang_card.number[-4:] in text
    # Money arrives before the next run: it goes through.
    funds_move(debit_ledger_id=bank_book_id(BankBook.IBPS_CLEARING),
               credit_ledger_id=world.main(world.zhang_card).ledger_account_id, amount=Decimal("20000.00"),
               idempotency_key="test:top-up", business_type="inter_transfer_return",
               reference="TOPUP", memo="存入")
    run_due(at(2026, 2, 28, 9, 0))
    assert plan.runs.get(sequence=2).status == PeriodicRunStatus.SUCCEEDED


def test_a_limit_lowered_after_setup_fails_that_run(world):
    plan = set_up(world)
    customer_limit(world.zhang_customer, "500.00", "800.00")
    run = _fails_then_next_is_scheduled(world, plan, "限额")
    assert run.transfer.limit_day is None
    assert balance(world.zhang_card) == Decimal("80000.00")


def test_a_closed_payee_fails_that_run(world):
    plan = set_up(world)
    world.li_card.status = MediumStatus.CLOSED
    world.li_card.save(update_fields=["status"])
    _fails_then_next_is_scheduled(world, plan, "收款账户已销户")


@pytest.mark.parametrize(("status", "reason"), [
    (MediumStatus.ORAL_LOSS, "转出账户已口头挂失"),
    (MediumStatus.FROZEN, "转出账户已冻结"),
])
def test_a_lost_or_frozen_payer_fails_that_run(world, status, reason):
    plan = set_up(world)
    world.zhang_card.status = status
    world.zhang_card.save(update_fields=["status"])
    _fails_then_next_is_scheduled(world, plan, reason)


def test_a_card_taken_off_e_banking_fails_that_run(world):
    plan = set_up(world)
    LinkedMedium.objects.filter(medium=world.zhang_card).delete()
    _fails_then_next_is_scheduled(world, plan, PAYER_UNLINKED)
    assert balance(world.zhang_card) == Decimal("80000.00")


def test_an_inter_bank_run_on_a_short_balance_fails_and_the_next_stays(inter):  # noqa: F811
    plan = set_up(inter, kind=PayeeKind.INTER, payee=PAYEE_ACCOUNT, bank_code=ICBC_HEFEI,
                  amount="50000.00")
    # 张伟 spends most of his balance before the run.
    with time_machine.travel(at(2026, 1, 30, 10, 0), tick=False):
        operation = intra_start(inter, amount="40000.00")
        operation = confirm(operation, user=inter.zhang)
    assert operation.status == OperationStatus.EXECUTED
    _fails_then_next_is_scheduled(inter, plan, "余额不足")
    assert balance(inter.zhang_card) == Decimal("40000.00")
    assert book_balance(IBPS_BOOK) == 0


def test_ibps_maintenance_retries_the_run_and_records_it_on_the_last_attempt(inter):  # noqa: F811
    plan = set_up(inter, kind=PayeeKind.INTER, payee=PAYEE_ACCOUNT, bank_code=ICBC_HEFEI)
    get_clearing_adapter().set_maintenance(Channel.IBPS, True)
    run_due(at(2026, 1, 31, 9, 0))
    work = DueWork.objects.get(key=f"{plan.number}:1")
    assert work.status == DueWorkStatus.PENDING and work.attempts == 1
    assert not plan.runs.exists() and not DueWork.objects.filter(key=f"{plan.number}:2")
    DueWork.objects.filter(pk=work.pk).update(attempts=work.max_attempts - 1)
    run_due(at(2026, 1, 31, 12, 0))
    run = _fails_then_next_is_scheduled(inter, plan, CHANNEL_CLOSED_MESSAGE)
    assert run.transfer.entry_id is None
    assert balance(inter.zhang_card) == Decimal("80000.00")


# --- 撤销 -----------------------------------------------------------------------------------------


def test_cancel_stops_every_later_run_and_is_audited(world):
    plan = set_up(world)
    run_due(at(2026, 1, 31, 9, 0))
    with time_machine.travel(at(2026, 2, 1, 10, 0), tick=False):
        periodic_cancel(user=world.zhang, number=plan.number, ip="127.0.0.1")
    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.CANCELLED and plan.cancelled_at is not None
    assert DueWork.objects.get(key=f"{plan.number}:2").status == DueWorkStatus.CANCELLED
    before = entries()
    assert run_due(at(2026, 3, 31, 10, 0)) == 0
    assert entries() == before and plan.runs.count() == 1
    assert AuditEvent.objects.filter(action="transfers.periodic_cancel", outcome="success",
                                     object_ref=f"periodic:{plan.number}").exists()
    with pytest.raises(BusinessError, match=CANCEL_NOT_ACTIVE):
        periodic_cancel(user=world.zhang, number=plan.number)
    assert AuditEvent.objects.filter(action="transfers.periodic_cancel",
                                     outcome="failure").exists()


def test_a_cancelled_plan_whose_row_was_already_claimed_runs_nothing(world):
    """The dispatcher claimed the row, 撤销 won the plan lock first: the handler does nothing."""
    plan = set_up(world)
    with time_machine.travel(at(2026, 1, 30, 10, 0), tick=False):
        periodic_cancel(user=world.zhang, number=plan.number)
    work = DueWork.objects.get(key=f"{plan.number}:1")
    DueWork.objects.filter(pk=work.pk).update(status=DueWorkStatus.PENDING)  # as if held
    before = entries()
    run_due(at(2026, 1, 31, 9, 0))
    assert entries() == before and not plan.runs.exists()
    assert DueWork.objects.filter(key__startswith=plan.number).count() == 1


def test_another_customers_plan_is_a_404_and_writes_nothing(world):
    from django.http import Http404
    plan = set_up(world)
    with pytest.raises(Http404):
        periodic_cancel(user=world.li, number=plan.number)
    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.ACTIVE


def test_the_next_run_date_after_a_cancel_is_cleared(world):
    plan = set_up(world)
    with time_machine.travel(SETUP_AT + timedelta(hours=1), tick=False):
        periodic_cancel(user=world.zhang, number=plan.number)
    plan.refresh_from_db()
    assert plan.next_run_date is None


# --- a plan never stalls -----------------------------------------------------------------------


@pytest.mark.parametrize("short", ["balance", "limit"])
def test_an_inter_bank_run_refused_by_the_ledger_after_its_pre_check_fails_that_run(
        inter, monkeypatch, short):  # noqa: F811
    """A concurrent debit between inter_transfer_run's check and the debit: the ledger refuses
    (InsufficientFunds / LimitExceeded) — the run is a business failure, the next one stays."""
    from types import SimpleNamespace

    import transfers.services.inter as inter_services
    plan = set_up(inter, kind=PayeeKind.INTER, payee=PAYEE_ACCOUNT, bank_code=ICBC_HEFEI,
                  amount="50000.00")
    if short == "balance":
        with time_machine.travel(at(2026, 1, 30, 10, 0), tick=False):
            operation = intra_start(inter, amount="40000.00")
            operation = confirm(operation, user=inter.zhang)
        assert operation.status == OperationStatus.EXECUTED
        monkeypatch.setattr(inter_services, "available_balance",
                            lambda sub_account: Decimal("999999.00"))
        reason = "余额不足"
    else:
        customer_limit(inter.zhang_customer, "60000.00", "60000.00")
        with time_machine.travel(at(2026, 1, 31, 8, 0), tick=False):
            operation = intra_start(inter, amount="20000.00")
            operation = confirm(operation, user=inter.zhang)
        assert operation.status == OperationStatus.EXECUTED
        monkeypatch.setattr(inter_services, "limit_check",
                            lambda **kwargs: SimpleNamespace(allowed=True, message=""))
        reason = "限额"
    before = balance(inter.zhang_card)
    run = _fails_then_next_is_scheduled(inter, plan, reason)
    assert run.transfer.entry_id is None and balance(inter.zhang_card) == before
    assert book_balance(IBPS_BOOK) == 0


def test_a_system_error_retries_then_the_last_attempt_records_a_failed_run(world, monkeypatch):
    import transfers.periodic.services as periodic_services

    def broken(transfer, work):
        raise RuntimeError("boom")

    monkeypatch.setattr(periodic_services, "between_our_accounts_execute", broken)
    plan = set_up(world)
    run_due(at(2026, 1, 31, 9, 0))
    work = DueWork.objects.get(key=f"{plan.number}:1")
    assert work.status == DueWorkStatus.PENDING and work.attempts == 1
    assert not plan.runs.exists()
    DueWork.objects.filter(pk=work.pk).update(attempts=work.max_attempts - 1)
    run_due(at(2026, 1, 31, 12, 0))
    plan.refresh_from_db()
    run = plan.runs.get(sequence=1)
    assert run.status == PeriodicRunStatus.FAILED and run.failure_reason == SYSTEM_ERROR
    assert run.transfer is None and not Transfer.objects.filter(number__startswith=plan.number)
    assert plan.status == PeriodicStatus.ACTIVE and plan.runs_done == 1
    work.refresh_from_db()
    assert work.status == DueWorkStatus.DONE and work.last_error == ""
    following = DueWork.objects.get(key=f"{plan.number}:2")
    assert following.status == DueWorkStatus.PENDING and following.due_at == at(2026, 2, 28, 9)
    assert balance(world.zhang_card) == Decimal("80000.00")


def test_a_run_may_go_the_day_after_its_date_but_not_later(world):
    plan = set_up(world)
    run_due(at(2026, 2, 1, 23, 0))  # the day after 01-31: still runs
    assert plan.runs.get(sequence=1).status == PeriodicRunStatus.SUCCEEDED
    DueWork.objects.filter(key=f"{plan.number}:2").update(due_at=at(2026, 3, 2, 9, 0))
    run_due(at(2026, 3, 2, 9, 0))  # 02-28 + 2 days: not executed, recorded
    plan.refresh_from_db()
    run = plan.runs.get(sequence=2)
    assert run.status == PeriodicRunStatus.FAILED and run.failure_reason == TOO_LATE
    assert run.transfer is None and plan.next_run_date == date(2026, 3, 31)
    assert balance(world.zhang_card) == Decimal("79000.00")


def test_a_late_retry_never_posts_two_periods_on_one_day(world):
    """Row 1 FAILED for staff, 立即重试 on 03-31: 01-31 and 02-28 are recorded as not executed,
    only 03-31's run moves money."""
    plan = set_up(world)
    DueWork.objects.filter(key=f"{plan.number}:1").update(status=DueWorkStatus.FAILED,
                                                          attempts=5)
    work = DueWork.objects.get(key=f"{plan.number}:1")
    with time_machine.travel(at(2026, 3, 31, 9, 30), tick=False):
        due_work_retry(work=work, acting_user=None)
    run_due(at(2026, 3, 31, 9, 30))
    plan.refresh_from_db()
    runs = list(plan.runs.order_by("sequence"))
    assert [(r.status, r.failure_reason) for r in runs] == [
        (PeriodicRunStatus.FAILED, TOO_LATE), (PeriodicRunStatus.FAILED, TOO_LATE),
        (PeriodicRunStatus.SUCCEEDED, "")]
    assert balance(world.zhang_card) == Decimal("79000.00")
    assert plan.status == PeriodicStatus.FINISHED


# --- one check, one wording -----------------------------------------------------------------


def test_periodic_calls_the_shared_checks_not_copies():
    """The limit check and the payer check are own_intra's; the 跨行 payee check is the one the
    跨行转账 form calls; 定时周期 has one wording."""
    import transfers.inter.forms as inter_forms
    import transfers.periodic.services as periodic_services
    import transfers.services.inter as inter_services
    import transfers.services.own_intra as own_intra
    assert periodic_services.intra_limit_check is own_intra.intra_limit_check
    assert periodic_services.payer_main_get is own_intra.payer_main_get
    assert (periodic_services.inter_payee_check is inter_forms.inter_payee_check
            is inter_services.inter_payee_check)
    for name in ("_limit_check", "_payer"):
        assert not hasattr(periodic_services, name)


@pytest.mark.parametrize(("frequency", "weekday", "day", "label"), [
    (PeriodicFrequency.WEEKLY, 0, None, "每周一"), (PeriodicFrequency.WEEKLY, 6, None, "每周日"),
    (PeriodicFrequency.MONTHLY, None, 31, "每月31日"),
])
def test_the_plan_and_the_schedule_say_the_same(frequency, weekday, day, label):
    plan = PeriodicTransfer(frequency=frequency, weekday=weekday, day_of_month=day,
                            start_date=JAN_31, run_count=1)
    schedule = schedule_of(plan)
    assert plan.schedule_label == schedule.describe() == label
    assert periodic_schedule_describe(frequency, weekday, day) == label


def test_the_inter_form_and_periodic_refuse_our_bank_alike(inter):  # noqa: F811
    from transfers.services.inter import inter_payee_check
    with pytest.raises(BusinessError, match="请使用“行内转账”") as refused:
        inter_payee_check(account_number=inter.li_card.number)
    assert refused.value.code == "own_bank_account"
    with pytest.raises(BusinessError, match="联行号不存在"):
        inter_payee_check(bank_code="12345")
    with pytest.raises(BusinessError, match="收款行为.*请选择“行内收款人”"):
        inter_payee_check(bank_code="402361000214", hint="请选择“行内收款人”")
    assert inter_payee_check(bank_code=ICBC_HEFEI).code == ICBC_HEFEI
