"""卡内预约转存 (DEP-PLAN): each refusal by its message, 撤销, X-CONFIRM with a tool, and the
nightly run — a deposit with its receipts, a short balance failed with its reason and the plan
moved on, the 31st in a short month, missed days each on its own date, a rerun posting nothing
twice, a cancelled plan left alone, a plan past its end 已结束."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import MediumStatus, Receipt, ReceiptDirection
from deposits import plan_services as ps
from deposits.fixed import INSUFFICIENT, TERM_UNKNOWN
from deposits.models import Deposit, DepositStatus, MaturityOption, PlanRun, PlanStatus
from deposits.operations import plan_create_start
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.ledger.models import Entry
from security.confirm.registry import TOOL_REQUIRED_MESSAGE
from security.models import OperationStatus

from .conftest import balance, confirm
from .test_fixed import at, batch_run

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)  # a Monday


def make_plan(world, *, amount="1000.00", term=12, frequency="monthly", run_day=15,
              starts_on=date(2026, 3, 3), ends_on=None, user=None, card=None):
    with at(TODAY):
        return ps.plan_create(user=user or world.zhang, medium_id=(card or world.zhang_card).pk,
                              amount=Decimal(amount), term_months=term, frequency=frequency,
                              run_day=run_day, starts_on=starts_on, ends_on=ends_on)


# --- the rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ({"amount": "49.99"}, ps.AMOUNT_MINIMUM),
    ({"term": 7}, TERM_UNKNOWN),
    ({"frequency": "daily"}, ps.FREQUENCY_UNKNOWN),
    ({"run_day": 32}, ps.MONTH_DAY_UNKNOWN),
    ({"run_day": 0}, ps.MONTH_DAY_UNKNOWN),
    ({"frequency": "weekly", "run_day": 8}, ps.WEEKDAY_UNKNOWN),
    ({"starts_on": TODAY}, ps.START_TOO_EARLY),
    ({"starts_on": date(2026, 3, 10), "ends_on": date(2026, 3, 9)}, ps.END_BEFORE_START),
    ({"starts_on": date(2026, 3, 3), "ends_on": date(2026, 3, 14)}, ps.NO_RUN_DAY),
])
def test_each_refusal_in_chinese_and_nothing_recorded(world, change, message):
    with pytest.raises(BusinessError) as caught:
        make_plan(world, **change)
    assert caught.value.message == message
    assert not ps.DepositPlan.objects.exists() and not AuditEvent.objects.filter(
        action="deposits.plan_create").exists()


def test_only_a_linked_debit_card_of_ones_own(world):
    for card in (world.li_card, world.zhang_passbook, world.zhang_fixed_book):
        with pytest.raises(BusinessError, match=ps.CARD_UNKNOWN):
            make_plan(world, card=card)
    world.zhang_card.status = MediumStatus.FROZEN
    world.zhang_card.save(update_fields=["status"])
    with pytest.raises(BusinessError, match="借记卡冻结，不能办理"):
        make_plan(world)


def test_a_plan_is_recorded_with_its_first_day_and_audited(world):
    plan = make_plan(world, run_day=31, starts_on=date(2026, 4, 1))
    assert plan.next_run_on == date(2026, 4, 30) and plan.status == PlanStatus.ACTIVE
    assert plan.product == "fixed" and plan.amount == Decimal("1000.00")
    assert AuditEvent.objects.filter(action="deposits.plan_create",
                                     object_ref=f"deposit_plan:{plan.pk}").count() == 1


def test_frequency_text():
    assert ps.frequency_text("monthly", 31) == "每月31日（小月为月末）"
    assert ps.frequency_text("monthly", 15) == "每月15日"
    assert ps.frequency_text("weekly", 5) == "每周五"
    assert ps.frequency_text("weekly", 7) == "每周日"


def test_cancel_own_active_plan_only_once_and_not_anothers(world):
    plan = make_plan(world)
    with pytest.raises(BusinessError, match=ps.PLAN_UNKNOWN):
        ps.plan_cancel(user=world.li, plan_id=plan.pk)
    ps.plan_cancel(user=world.zhang, plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED and plan.next_run_on is None
    with pytest.raises(BusinessError, match=ps.PLAN_UNKNOWN):
        ps.plan_cancel(user=world.zhang, plan_id=plan.pk)
    assert AuditEvent.objects.filter(action="deposits.plan_cancel").count() == 1


def test_creation_through_the_confirmation_with_a_tool(world):
    with at(TODAY):
        operation = plan_create_start(user=world.zhang, medium_id=world.zhang_card.pk,
                                      amount=Decimal("500.00"), term_months=3,
                                      frequency="weekly", run_day=5,
                                      starts_on=date(2026, 3, 3), ends_on=None)
        assert not ps.DepositPlan.objects.exists()
        operation = confirm(operation, user=world.zhang)
    assert operation.status == OperationStatus.EXECUTED, operation.failure_reason
    plan = ps.DepositPlan.objects.get()
    assert (plan.frequency, plan.run_day, plan.next_run_on) == ("weekly", 5, date(2026, 3, 6))


def test_the_confirmation_asks_for_a_security_tool_so_sms_is_refused(world):
    with at(TODAY), pytest.raises(BusinessError, match=TOOL_REQUIRED_MESSAGE):
        plan_create_start(user=world.li, medium_id=world.li_card.pk, amount=Decimal("500.00"),
                          term_months=3, frequency="weekly", run_day=5,
                          starts_on=date(2026, 3, 3), ends_on=None)


# --- the nightly run -----------------------------------------------------------------------------


def test_a_run_opens_one_fixed_deposit_with_receipts_and_moves_on(world):
    card = world.main(world.zhang_card)
    plan = make_plan(world, amount="1000.00", run_day=15)
    batch_run(date(2026, 3, 14))
    assert not PlanRun.objects.exists()
    batch_run(date(2026, 3, 15))
    run = PlanRun.objects.get()
    assert run.succeeded and run.run_on == date(2026, 3, 15)
    deposit = run.deposit
    assert deposit.opened_on == date(2026, 3, 15) and deposit.matures_on == date(2027, 3, 15)
    assert deposit.maturity_option == MaturityOption.ROLL_ALL and deposit.auto_rollover
    assert deposit.sub_account.medium_id == world.zhang_card.pk
    assert deposit.annual_rate == Decimal("1.2000")
    assert balance(card) == Decimal("79000.00") and balance(deposit.sub_account) == Decimal("1000.00")
    entry = Entry.objects.get(idempotency_key=f"plan:{plan.pk}:2026-03-15")
    assert {(r.sub_account_id, r.direction) for r in Receipt.objects.filter(entry_id=entry.pk)} == {
        (card.pk, ReceiptDirection.DEBIT), (deposit.sub_account_id, ReceiptDirection.CREDIT)}
    plan.refresh_from_db()
    assert plan.next_run_on == date(2026, 4, 15) and plan.status == PlanStatus.ACTIVE


def test_a_short_balance_fails_with_its_reason_and_the_next_day_is_scheduled(world):
    card = world.main(world.zhang_card)
    plan = make_plan(world, amount="90000.00", run_day=15)
    entries = Entry.objects.count()
    batch_run(date(2026, 3, 15))
    run = PlanRun.objects.get()
    assert not run.succeeded and run.deposit is None and run.reason.startswith(INSUFFICIENT)
    assert Entry.objects.count() == entries and not Deposit.objects.filter(
        sub_account__medium=world.zhang_card, status=DepositStatus.OPEN).exists()
    assert balance(card) == Decimal("80000.00")
    plan.refresh_from_db()
    assert plan.next_run_on == date(2026, 4, 15) and plan.status == PlanStatus.ACTIVE
    assert AuditEvent.objects.filter(action="deposits.plan_run_failed").count() == 1


def test_the_31st_runs_on_a_short_month_s_last_day(world):
    plan = make_plan(world, run_day=31, starts_on=date(2026, 4, 1))
    batch_run(date(2026, 4, 30))
    run = PlanRun.objects.get()
    assert run.succeeded and run.run_on == date(2026, 4, 30)
    assert run.deposit.opened_on == date(2026, 4, 30)
    plan.refresh_from_db()
    assert plan.next_run_on == date(2026, 5, 31)


def test_a_late_batch_runs_each_missed_day_on_its_own_date(world):
    plan = make_plan(world, frequency="weekly", run_day=5)  # Fridays 03-06, 03-13
    batch_run(date(2026, 3, 13))
    runs = list(PlanRun.objects.order_by("run_on"))
    assert [r.run_on for r in runs] == [date(2026, 3, 6), date(2026, 3, 13)]
    assert [r.deposit.opened_on for r in runs] == [date(2026, 3, 6), date(2026, 3, 13)]
    assert balance(world.zhang_card) == Decimal("78000.00")
    plan.refresh_from_db()
    assert plan.next_run_on == date(2026, 3, 20)


def test_a_rerun_posts_nothing_twice(world):
    plan = make_plan(world, run_day=15)
    batch_run(date(2026, 3, 15))
    entries, receipts = Entry.objects.count(), Receipt.objects.count()
    batch_run(date(2026, 3, 15))  # the step is DONE: skipped
    # The work itself again, as a resume would run it, and with the plan put back on the day.
    with at(date(2026, 3, 16)), transaction.atomic():
        assert ps.plans_run(date(2026, 3, 15)) == 0
        ps.DepositPlan.objects.filter(pk=plan.pk).update(next_run_on=date(2026, 3, 15))
        assert ps.plans_run(date(2026, 3, 15)) == 0
    assert (Entry.objects.count(), Receipt.objects.count()) == (entries, receipts)
    assert PlanRun.objects.count() == 1 and balance(world.zhang_card) == Decimal("79000.00")
    plan.refresh_from_db()
    assert plan.next_run_on == date(2026, 4, 15)


def test_a_cancelled_plan_does_not_run(world):
    plan = make_plan(world, run_day=15)
    ps.plan_cancel(user=world.zhang, plan_id=plan.pk)
    batch_run(date(2026, 3, 15))
    assert not PlanRun.objects.exists() and balance(world.zhang_card) == Decimal("80000.00")


def test_a_plan_past_its_end_is_finished(world):
    plan = make_plan(world, frequency="weekly", run_day=5, ends_on=date(2026, 3, 19))
    batch_run(date(2026, 3, 6))
    batch_run(date(2026, 3, 13))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FINISHED and plan.next_run_on is None
    assert PlanRun.objects.filter(succeeded=True).count() == 2
    batch_run(date(2026, 3, 20))
    assert PlanRun.objects.count() == 2
