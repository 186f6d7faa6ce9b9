"""资金归集 (TRF-PULL, ACC-COLLECT): 跨行资金归集 in real time and 自动归集, DOMAIN-RULES §7's
examples, every refusal of the simulator, and a run twice posting once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.http import Http404
from django.test import TestCase

from accounts.models import Receipt, ReceiptDirection
from ebank.core.errors import BusinessError
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from ebank.ledger.models import Entry
from ebank.otherbanks.adapters import get_otherbank_adapter
from ebank.otherbanks.models import SimAccount, SimBehaviour, SimDebit
from security.models import OperationStatus
from transfers.collect import services as collect
from transfers.collect.schedule import DUE_KIND, next_run_date
from transfers.models import (
    CollectionFrequency,
    CollectionMode,
    CollectionPlan,
    CollectionPlanStatus,
    CollectionRun,
    CollectionRunStatus,
    OtherBankAgreementStatus,
    OtherBankBusinessType,
    OtherBankKind,
    OtherBankLogKind,
    OtherBankOperationLog,
)
from transfers.otherbank import services as ob

from .test_otherbank_support import (
    ZHANG_CARD,
    World,
    at,
    balance,
    confirm,
    entries,
    ibps_book,
    obw_fixture,  # noqa: F401 - the "obw" fixture
    sign,
    sim_balance,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


def pull(bank, agreement, amount):
    operation = collect.pull_start(
        user=bank.zhang,
        request=collect.PullRequest(agreement_id=agreement.pk,
                                    to_sub_account_id=World.main(bank.zhang_card).pk,
                                    amount=Decimal(amount)),
        back_url="/transfers/collect/pull")
    # Step 2 (asking the other bank) runs once the confirmation has committed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return confirm(operation, user=bank.zhang)


def set_sim_balance(amount: str, number: str = ZHANG_CARD) -> None:
    SimAccount.objects.filter(number=number).update(balance=Decimal(amount))


# --- 跨行资金归集 -----------------------------------------------------------------------------------


def test_a_real_time_pull_credits_the_main_account_once_and_is_free(obw):
    agreement = sign(obw)
    before, book, count = balance(obw.zhang_card), ibps_book(), entries()
    operation = pull(obw, agreement, "1000.00")
    assert operation.status == OperationStatus.EXECUTED
    run = CollectionRun.objects.get(operation=operation)
    assert run.status == CollectionRunStatus.SUCCEEDED and run.plan is None
    assert balance(obw.zhang_card) == before + Decimal("1000.00")  # no fee
    assert ibps_book() == book + Decimal("1000.00")  # the clearing book paid it (debit side)
    assert sim_balance() == Decimal("29000.00")
    assert entries() == count + 1
    assert Entry.objects.get(pk=run.entry_id).business_type == OtherBankBusinessType.INTER_PULL
    receipt = Receipt.objects.get(entry_id=run.entry_id)
    assert receipt.direction == ReceiptDirection.CREDIT and receipt.amount == Decimal("1000.00")
    assert receipt.payer_name == "张伟"
    log = OtherBankOperationLog.objects.get(kind=OtherBankLogKind.PAYMENT)
    assert log.succeeded and log.amount == Decimal("1000.00")
    assert "跨行收款成功" in collect.pull_outcome(operation=operation).headline


def test_a_pull_needs_a_tool(obw):
    agreement = sign(obw)
    agreement.customer = obw.li_customer  # even were it 李娜's, she holds no tool
    agreement.save()
    with pytest.raises(BusinessError, match="USBKey或数字令牌"):
        collect.pull_start(user=obw.li, request=collect.PullRequest(
            agreement_id=agreement.pk, to_sub_account_id=World.main(obw.li_card).pk,
            amount=Decimal("10.00")), back_url="/transfers/collect/pull")


def test_above_the_single_limit_fails_whole(obw):
    agreement = sign(obw, single="800.00", daily="5000.00")
    with pytest.raises(BusinessError, match="超过协议单笔限额¥800.00"):
        pull(obw, agreement, "1000.00")
    assert not CollectionRun.objects.exists() and sim_balance() == Decimal("30000.00")


def test_above_the_daily_limit_fails_whole(obw):
    agreement = sign(obw, single="2000.00", daily="2500.00")
    pull(obw, agreement, "2000.00")
    with pytest.raises(BusinessError, match="超过协议日累计限额"):
        pull(obw, agreement, "1000.00")
    assert sim_balance() == Decimal("28000.00")
    # The next day the limit is there again.
    with time_machine.travel(at(2026, 6, 11, 10, 0), tick=False):
        pull(obw, agreement, "1000.00")
    assert sim_balance() == Decimal("27000.00")


def test_the_limit_is_checked_again_at_confirmation(obw):
    agreement = sign(obw, single="2000.00", daily="2500.00")
    first = collect.pull_start(user=obw.zhang, request=collect.PullRequest(
        agreement_id=agreement.pk, to_sub_account_id=World.main(obw.zhang_card).pk,
        amount=Decimal("2000.00")), back_url="/x")
    pull(obw, agreement, "1000.00")
    with pytest.raises(BusinessError, match="日累计限额"):
        confirm(first, user=obw.zhang)
    first.refresh_from_db()
    assert first.status == OperationStatus.FAILED
    assert sim_balance() == Decimal("29000.00")


@pytest.mark.parametrize(("behaviour", "reason"), [
    (SimBehaviour.REFUSE, "他行系统拒绝交易"),
    (SimBehaviour.TIMEOUT, "他行系统响应超时，他行未扣款"),
    (SimBehaviour.REVOKE, "他行已解约"),
])
def test_every_refusal_of_the_simulator_fails_the_pull_and_posts_nothing(obw, behaviour,
                                                                          reason):
    agreement = sign(obw)
    get_otherbank_adapter().behave(ZHANG_CARD, behaviour)
    before, count = balance(obw.zhang_card), entries()
    operation = pull(obw, agreement, "1000.00")
    run = CollectionRun.objects.get(operation=operation)
    assert (run.status, run.reason) == (CollectionRunStatus.FAILED, reason)
    assert balance(obw.zhang_card) == before and entries() == count
    assert sim_balance() == Decimal("30000.00")
    outcome = collect.pull_outcome(operation=operation)
    assert outcome.tone == "failure" and reason in outcome.headline
    agreement.refresh_from_db()
    assert agreement.status == (OtherBankAgreementStatus.REVOKED
                                if behaviour == SimBehaviour.REVOKE
                                else OtherBankAgreementStatus.ACTIVE)


def test_a_timeout_after_the_other_bank_debited_credits_what_it_gave(obw):
    agreement = sign(obw)
    get_otherbank_adapter().behave(ZHANG_CARD, SimBehaviour.LATE)
    before = balance(obw.zhang_card)
    operation = pull(obw, agreement, "1000.00")
    run = CollectionRun.objects.get(operation=operation)
    assert run.status == CollectionRunStatus.SUCCEEDED
    assert balance(obw.zhang_card) == before + Decimal("1000.00")
    assert sim_balance() == Decimal("29000.00")
    assert SimDebit.objects.get(reference=run.reference).succeeded


def test_another_customers_agreement_is_404(obw):
    agreement = sign(obw)
    obw.usbkey_give(obw.li)
    with pytest.raises(Http404):
        collect.pull_start(user=obw.li, request=collect.PullRequest(
            agreement_id=agreement.pk, to_sub_account_id=World.main(obw.li_card).pk,
            amount=Decimal("10.00")), back_url="/x")


# --- 自动归集 ---------------------------------------------------------------------------------------


def plan_for(bank, agreement, *, mode, frequency=CollectionFrequency.DAILY, day=0,
             amount=None, reserve=None, minimum="100.00", query=True):
    if query and mode != CollectionMode.FIXED and collect.query_agreement_for(
            agreement=agreement, on=date(2026, 6, 10)) is None:
        sign(bank, kind=OtherBankKind.QUERY)  # 全额 / 留存 read the balance through it
    operation = collect.plan_start(user=bank.zhang, request=collect.PlanRequest(
        agreement_id=agreement.pk, to_sub_account_id=World.main(bank.zhang_card).pk,
        frequency=frequency, day=day, mode=mode,
        amount=Decimal(amount) if amount else None,
        reserve=Decimal(reserve) if reserve else None,
        minimum=Decimal(amount or minimum)), back_url="/transfers/collect/new")
    assert confirm(operation, user=bank.zhang).status == OperationStatus.EXECUTED
    return CollectionPlan.objects.get(operation=operation)


def run_day(day: date) -> int:
    moment = at(day.year, day.month, day.day, 9, 0)
    with time_machine.travel(moment, tick=False):
        return dispatch_due(now=moment)


def test_a_reserve_collection_pulls_balance_minus_reserve_and_schedules_the_next(obw):
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.RESERVE, reserve="5000.00")
    assert plan.next_run_on == date(2026, 6, 11)
    before = balance(obw.zhang_card)
    assert run_day(date(2026, 6, 11)) == 2  # the run (step 1), then its settle row (step 2)
    run = plan.runs.get()
    assert (run.status, run.amount) == (CollectionRunStatus.SUCCEEDED, Decimal("25000.00"))
    assert balance(obw.zhang_card) == before + Decimal("25000.00")
    assert sim_balance() == Decimal("5000.00")
    plan.refresh_from_db()
    assert plan.next_run_on == date(2026, 6, 12)
    assert DueWork.objects.get(kind=DUE_KIND, key=f"{plan.pk}:2026-06-12").status == \
        DueWorkStatus.PENDING
    # The next day there is nothing above the reserve: skipped, nothing asked of the bank.
    run_day(date(2026, 6, 12))
    skipped = plan.runs.get(run_date=date(2026, 6, 12))
    assert skipped.status == CollectionRunStatus.SKIPPED
    assert "低于起归金额¥100.00" in skipped.reason
    assert SimDebit.objects.count() == 1


def test_a_reserve_amount_below_the_minimum_is_skipped(obw):
    agreement = sign(obw)
    set_sim_balance("5050.00")
    plan = plan_for(obw, agreement, mode=CollectionMode.RESERVE, reserve="5000.00",
                    minimum="100.00")
    count = entries()
    run_day(date(2026, 6, 11))
    run = plan.runs.get()
    assert run.status == CollectionRunStatus.SKIPPED and run.amount is None
    assert "可归集金额¥50.00低于起归金额¥100.00" in run.reason
    assert entries() == count and sim_balance() == Decimal("5050.00")


def test_a_fixed_amount_the_other_account_cannot_cover_fails_and_debits_nothing(obw):
    """§7: fixed 5,000 with 3,000 available → the run fails with its reason, nothing partly."""
    agreement = sign(obw)
    set_sim_balance("3000.00")
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="5000.00")
    before, count = balance(obw.zhang_card), entries()
    run_day(date(2026, 6, 11))
    run = plan.runs.get()
    assert (run.status, run.reason) == (CollectionRunStatus.FAILED, "付款账户余额不足")
    assert run.amount == Decimal("5000.00")
    assert sim_balance() == Decimal("3000.00")
    assert balance(obw.zhang_card) == before and entries() == count
    plan.refresh_from_db()
    assert plan.status == CollectionPlanStatus.ACTIVE and plan.next_run_on == date(2026, 6, 12)


def test_a_full_collection_above_the_single_limit_fails_whole(obw):
    agreement = sign(obw, single="20000.00", daily="50000.00")
    plan = plan_for(obw, agreement, mode=CollectionMode.FULL)
    run_day(date(2026, 6, 11))
    run = plan.runs.get()
    assert run.status == CollectionRunStatus.FAILED
    assert run.reason.startswith("归集金额超过协议单笔限额¥20,000.00")
    assert sim_balance() == Decimal("30000.00") and not SimDebit.objects.exists()


def test_a_run_twice_posts_once(obw):
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    work = DueWork.objects.get(kind=DUE_KIND, key=f"{plan.pk}:2026-06-11")
    count = entries()
    with time_machine.travel(at(2026, 6, 11, 9, 0), tick=False):
        collect.collect_run_due(work)
        collect.collect_run_due(work)  # the same row again (a crashed worker's retry)
        settle = DueWork.objects.get(kind=collect.DUE_REQUERY)
        collect.collect_requery_due(settle)
        collect.collect_requery_due(settle)  # and its settle row twice
    assert entries() == count + 1
    assert plan.runs.count() == 1 and sim_balance() == Decimal("29000.00")


@pytest.mark.parametrize("behaviour", [SimBehaviour.REFUSE, SimBehaviour.TIMEOUT])
def test_a_refused_or_unanswered_run_fails_and_the_plan_goes_on(obw, behaviour):
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    get_otherbank_adapter().behave("102", behaviour)
    count = entries()
    run_day(date(2026, 6, 11))
    run = plan.runs.get()
    assert run.status == CollectionRunStatus.FAILED and entries() == count
    plan.refresh_from_db()
    assert plan.status == CollectionPlanStatus.ACTIVE


def test_a_revoked_agreement_ends_the_run_and_the_plan(obw):
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    get_otherbank_adapter().behave(ZHANG_CARD, SimBehaviour.REVOKE)
    run_day(date(2026, 6, 11))
    run = plan.runs.get()
    assert (run.status, run.reason) == (CollectionRunStatus.FAILED, "他行已解约")
    plan.refresh_from_db()
    agreement.refresh_from_db()
    assert plan.status == CollectionPlanStatus.CANCELLED
    assert agreement.status == OtherBankAgreementStatus.REVOKED
    assert not DueWork.objects.filter(kind=DUE_KIND, status=DueWorkStatus.PENDING).exists()


def test_cancelling_the_plan_or_the_agreement_stops_the_runs(obw):
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    collect.plan_cancel(user=obw.zhang, pk=plan.pk)
    assert DueWork.objects.get(kind=DUE_KIND).status == DueWorkStatus.CANCELLED
    with pytest.raises(BusinessError, match="已撤销"):
        collect.plan_cancel(user=obw.zhang, pk=plan.pk)
    second = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    ob.agreement_cancel(user=obw.zhang, pk=agreement.pk)
    second.refresh_from_db()
    assert second.status == CollectionPlanStatus.CANCELLED
    assert run_day(date(2026, 6, 11)) == 0
    assert not CollectionRun.objects.exists()


def test_another_customers_plan_is_404(obw):
    plan = plan_for(obw, sign(obw), mode=CollectionMode.FIXED, amount="1000.00")
    with pytest.raises(Http404):
        collect.plan_cancel(user=obw.li, pk=plan.pk)
    with pytest.raises(Http404):
        collect.plan_get_for_customer(customer=obw.li_customer, pk=plan.pk)


def test_a_query_agreement_cannot_pay(obw):
    agreement = sign(obw, kind=OtherBankKind.QUERY)
    with pytest.raises(Http404):
        pull(obw, agreement, "10.00")


@pytest.mark.parametrize(("frequency", "day", "after", "expected"), [
    (CollectionFrequency.DAILY, 0, date(2026, 6, 10), date(2026, 6, 11)),
    (CollectionFrequency.WEEKLY, 1, date(2026, 6, 10), date(2026, 6, 15)),  # Wed → Mon
    (CollectionFrequency.WEEKLY, 3, date(2026, 6, 10), date(2026, 6, 17)),  # Wed → next Wed
    (CollectionFrequency.MONTHLY, 28, date(2026, 6, 10), date(2026, 6, 28)),
    (CollectionFrequency.MONTHLY, 5, date(2026, 6, 10), date(2026, 7, 5)),
    (CollectionFrequency.MONTHLY, 1, date(2026, 12, 31), date(2027, 1, 1)),
])
def test_next_run_dates(frequency, day, after, expected):
    assert next_run_date(frequency=frequency, day=day, after=after) == expected


def test_the_plan_ends_when_the_agreement_expires(obw):
    from .test_otherbank_support import complete_at_sim  # noqa: F401 - documents the helper

    agreement = sign(obw, valid_until=date(2026, 6, 11))
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    run_day(date(2026, 6, 11))
    plan.refresh_from_db()
    assert plan.runs.get().status == CollectionRunStatus.SUCCEEDED
    assert plan.status == CollectionPlanStatus.CANCELLED
    assert plan.cancel_reason == "付款协议已过有效期"
    assert date(2026, 6, 11) + timedelta(days=1) > agreement.valid_until


def test_nothing_is_pulled_while_ibps_is_in_maintenance(obw):
    from ebank.clearing.adapters import get_clearing_adapter
    from ebank.clearing.routing import Channel

    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    get_clearing_adapter().set_maintenance(Channel.IBPS, True)
    with pytest.raises(BusinessError, match="清算行已退出"):
        pull(obw, agreement, "1000.00")
    run_day(date(2026, 6, 11))
    run = plan.runs.get()
    assert run.status == CollectionRunStatus.FAILED and "清算行已退出" in run.reason
    assert sim_balance() == Decimal("30000.00")
    plan.refresh_from_db()
    assert plan.status == CollectionPlanStatus.ACTIVE


def test_a_failed_run_texts_the_receiving_accounts_subscriber(obw, django_capture_on_commit_callbacks):
    from security.models import SmsMessage, SmsSubscription
    from transfers.collect.notify import PURPOSE_COLLECT_FAILED

    SmsSubscription.objects.create(user=obw.zhang, sub_account=World.main(obw.zhang_card),
                                   threshold=Decimal("1.00"), phone=obw.zhang_customer.phone)
    agreement = sign(obw)
    set_sim_balance("3000.00")
    plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="5000.00")
    with django_capture_on_commit_callbacks(execute=True):
        run_day(date(2026, 6, 11))
    sms = SmsMessage.objects.get(purpose=PURPOSE_COLLECT_FAILED)
    assert "尾号3445" in sms.text and "付款账户余额不足" in sms.text
    assert ZHANG_CARD not in sms.text


def test_the_run_handler_and_operation_kinds_are_registered():
    from ebank.duework.registry import due_kind_label, handler_for
    from security.confirm.registry import operation_kind_get
    from transfers.otherbank.services import KIND_SIGN_PAY

    assert handler_for(DUE_KIND) is collect.collect_run_due
    assert due_kind_label(DUE_KIND) == "自动归集执行"
    for kind, needs_tool in ((KIND_SIGN_PAY, True), (collect.KIND_PULL, True),
                             (collect.KIND_PLAN, False)):
        spec = operation_kind_get(kind)
        assert spec.requires_pin and spec.requires_tool == needs_tool
