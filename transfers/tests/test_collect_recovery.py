"""资金归集 when something goes wrong between the banks: the outbox (run row 处理中 committed
before the other bank is asked), a crash after the other bank's debit, a silent other bank,
the receiving account, the business day a late run executes on."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Medium, MediumStatus, SubAccount, SubAccountStatus
from ebank.core.errors import BusinessError
from ebank.core.models import AuditEvent
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from ebank.otherbanks.adapters import get_otherbank_adapter
from ebank.otherbanks.models import SimBehaviour, SimDebit
from ebank.otherbanks.simulator import SimulatedOtherBanks
from transfers.collect import services as collect
from transfers.models import (
    CollectionMode,
    CollectionPlanStatus,
    CollectionRun,
    CollectionRunStatus,
)
from transfers.services.own_intra import PAYEE_STATUS

from .test_collect_services import plan_for, pull, run_day
from .test_otherbank_support import (
    NOW,
    ZHANG_CARD,
    World,
    at,
    balance,
    confirm,
    entries,
    obw_fixture,  # noqa: F401 - the "obw" fixture
    sign,
    sim_balance,
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def spy(monkeypatch):
    """Every reference the other bank is asked to debit, in order."""
    asked: list[str] = []
    real = SimulatedOtherBanks.debit

    def debit(self, **kwargs):
        asked.append(kwargs["reference"])
        return real(self, **kwargs)

    monkeypatch.setattr(SimulatedOtherBanks, "debit", debit)
    return asked


@pytest.fixture
def crash_once(monkeypatch):
    """Our side fails once right after the other bank debited (before our credit)."""
    real = collect._credit
    state = {"left": 1}

    def credit(**kwargs):
        if state["left"]:
            state["left"] -= 1
            raise RuntimeError("worker lost after the other bank's debit")
        return real(**kwargs)

    monkeypatch.setattr(collect, "_credit", credit)
    return state


def dispatch_at(moment) -> int:
    with time_machine.travel(moment, tick=False):
        return dispatch_due(now=moment)


# --- 1. the outbox: same reference after a crash, one credit ----------------------------------


def test_a_scheduled_run_that_crashed_after_the_debit_resumes_with_its_reference(
        obw, spy, crash_once):
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    before, count = balance(obw.zhang_card), entries()
    run_day(date(2026, 6, 11))
    run = plan.runs.get()  # step 1 committed before the other bank was asked
    assert run.status == CollectionRunStatus.PROCESSING
    assert run.reference == f"CP{plan.pk}-20260611"
    assert entries() == count
    dispatch_at(at(2026, 6, 11, 9, 5))  # the settle row's retry (backoff)
    run.refresh_from_db()
    assert run.status == CollectionRunStatus.SUCCEEDED
    assert set(spy) == {run.reference} and len(spy) == 2  # asked twice, same reference
    assert SimDebit.objects.filter(reference=run.reference).count() == 1
    assert sim_balance() == Decimal("29000.00")
    assert balance(obw.zhang_card) == before + Decimal("1000.00") and entries() == count + 1


def test_a_pull_that_crashed_after_the_debit_is_credited_once_by_its_requery(
        obw, spy, crash_once):
    agreement = sign(obw)
    before, count = balance(obw.zhang_card), entries()
    operation = pull(obw, agreement, "1000.00")
    run = CollectionRun.objects.get(operation=operation)
    assert run.status == CollectionRunStatus.PROCESSING and entries() == count
    outcome = collect.pull_outcome(operation=operation)
    assert "处理中" in outcome.headline and outcome.tone == "pending"
    dispatch_at(NOW + timedelta(minutes=2))
    run.refresh_from_db()
    assert run.status == CollectionRunStatus.SUCCEEDED
    assert spy == [run.reference, run.reference]
    assert sim_balance() == Decimal("29000.00")
    assert balance(obw.zhang_card) == before + Decimal("1000.00") and entries() == count + 1


# --- 2. a silent other bank: 处理中, re-queried, never "未扣款" --------------------------------


def test_a_silent_other_bank_leaves_the_pull_processing_until_it_answers(obw):
    agreement = sign(obw, single="2000.00", daily="2500.00")
    get_otherbank_adapter().behave(ZHANG_CARD, SimBehaviour.SILENT)
    before = balance(obw.zhang_card)
    operation = pull(obw, agreement, "2000.00")
    run = CollectionRun.objects.get(operation=operation)
    assert run.status == CollectionRunStatus.PROCESSING and "未扣款" not in run.reason
    outcome = collect.pull_outcome(operation=operation)
    assert outcome.headline == "跨行收款处理中，结果待确认" and "未扣款" not in outcome.note
    # The money may be gone: it counts in the day's total.
    with pytest.raises(BusinessError, match="日累计限额"):
        pull(obw, agreement, "1000.00")
    dispatch_at(NOW + timedelta(minutes=2))  # still silent: asked again later
    run.refresh_from_db()
    assert run.status == CollectionRunStatus.PROCESSING
    assert DueWork.objects.filter(kind=collect.DUE_REQUERY, key=f"{run.reference}:2",
                                  status=DueWorkStatus.PENDING).exists()
    get_otherbank_adapter().reset()
    dispatch_at(NOW + timedelta(minutes=10))
    run.refresh_from_db()
    assert run.status == CollectionRunStatus.SUCCEEDED
    assert balance(obw.zhang_card) == before + Decimal("2000.00")
    assert sim_balance() == Decimal("28000.00")


def test_a_run_nobody_can_answer_is_left_processing_for_staff_and_texted(
        obw, django_capture_on_commit_callbacks):
    from security.models import SmsMessage, SmsSubscription
    from transfers.collect.notify import PURPOSE_COLLECT_PENDING
    SmsSubscription.objects.create(user=obw.zhang, sub_account=World.main(obw.zhang_card),
                                   threshold=Decimal("1.00"), phone=obw.zhang_customer.phone)
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    get_otherbank_adapter().behave(ZHANG_CARD, SimBehaviour.SILENT)
    with django_capture_on_commit_callbacks(execute=True):
        run_day(date(2026, 6, 11))
        for hours in range(1, 8):
            dispatch_at(at(2026, 6, 11, 9, 0) + timedelta(hours=hours))
    run = plan.runs.get()
    assert run.status == CollectionRunStatus.PROCESSING and run.reason == collect.STAFF_REASON
    assert not DueWork.objects.filter(kind=collect.DUE_REQUERY,
                                      status=DueWorkStatus.PENDING).exists()
    assert AuditEvent.objects.filter(action="collect.run_unknown").count() == 1
    sms = SmsMessage.objects.get(purpose=PURPOSE_COLLECT_PENDING)
    assert "结果待确认" in sms.text and "未扣款" not in sms.text
    assert sim_balance() == Decimal("29000.00")  # the other bank did take it


# --- 3. the receiving account ----------------------------------------------------------------


def test_a_closed_receiving_card_ends_the_plan(obw):
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    Medium.objects.filter(pk=obw.zhang_card.pk).update(status=MediumStatus.CLOSED)
    run_day(date(2026, 6, 11))
    run = plan.runs.get()
    assert (run.status, run.reason) == (CollectionRunStatus.FAILED, "收款账户已销户")
    plan.refresh_from_db()
    assert plan.status == CollectionPlanStatus.CANCELLED and plan.cancel_reason == "收款账户已销户"
    assert sim_balance() == Decimal("30000.00")


def test_a_frozen_receiving_card_fails_the_run_and_the_pull(obw):
    agreement = sign(obw)
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    Medium.objects.filter(pk=obw.zhang_card.pk).update(status=MediumStatus.FROZEN)
    run_day(date(2026, 6, 11))
    run = plan.runs.get()
    assert (run.status, run.reason) == (CollectionRunStatus.FAILED,
                                        PAYEE_STATUS[MediumStatus.FROZEN])
    plan.refresh_from_db()
    assert plan.status == CollectionPlanStatus.ACTIVE
    assert sim_balance() == Decimal("30000.00")


def test_a_pull_rechecks_the_receiving_account_at_confirmation(obw):
    agreement = sign(obw)
    operation = collect.pull_start(user=obw.zhang, request=collect.PullRequest(
        agreement_id=agreement.pk, to_sub_account_id=World.main(obw.zhang_card).pk,
        amount=Decimal("10.00")), back_url="/x")
    SubAccount.objects.filter(pk=World.main(obw.zhang_card).pk).update(
        status=SubAccountStatus.CLOSED)
    with pytest.raises(BusinessError, match="收款账户已销户"):
        confirm(operation, user=obw.zhang)
    assert not CollectionRun.objects.exists() and sim_balance() == Decimal("30000.00")


# --- 4. the business day a late run executes on ------------------------------------------------


def test_a_late_run_counts_and_checks_on_the_day_it_executes(obw):
    agreement = sign(obw, single="2000.00", daily="2500.00")
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    work = DueWork.objects.get(kind="transfers.collect_run", key=f"{plan.pk}:2026-06-11")
    with time_machine.travel(at(2026, 6, 12, 8, 0), tick=False):
        pull(obw, agreement, "2000.00")  # on the 12th
        DueWork.objects.filter(pk=work.pk).update(due_at=at(2026, 6, 12, 8, 0))
    dispatch_at(at(2026, 6, 12, 8, 30))  # the 11th's run, a day late
    run = plan.runs.get(run_date=date(2026, 6, 11))
    # Refused here, on the 12th's total, before the other bank is asked at all.
    assert run.status == CollectionRunStatus.FAILED
    assert run.reason.startswith("归集金额超过协议日累计限额") and "今日已归集¥2,000.00" in run.reason
    assert not SimDebit.objects.filter(reference=run.reference).exists()
    assert sim_balance() == Decimal("28000.00")


def test_a_late_run_checks_the_validity_on_the_day_it_executes(obw):
    agreement = sign(obw, valid_until=date(2026, 6, 11))
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    dispatch_at(at(2026, 6, 12, 9, 0))
    run = plan.runs.get()
    assert (run.status, run.reason) == (CollectionRunStatus.FAILED, "付款协议已过有效期")
    assert sim_balance() == Decimal("30000.00")


# --- 5. 全额 / 留存余额 need the query agreement --------------------------------------------------


def test_full_and_reserve_plans_need_a_query_agreement(obw):
    agreement = sign(obw)
    with pytest.raises(BusinessError, match="账户信息查询协议"):
        plan_for(obw, agreement, mode=CollectionMode.FULL, query=False)
    plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="100.00", query=False)


def test_a_fixed_plan_above_todays_remaining_total_is_accepted(obw):
    agreement = sign(obw, single="2000.00", daily="2500.00")
    pull(obw, agreement, "2000.00")
    plan = plan_for(obw, agreement, mode=CollectionMode.FIXED, amount="1000.00")
    assert plan.status == CollectionPlanStatus.ACTIVE


def test_the_requery_kind_is_registered():
    from ebank.duework.registry import due_kind_label, handler_for

    assert handler_for(collect.DUE_REQUERY) is collect.collect_requery_due
    assert due_kind_label(collect.DUE_REQUERY) == "跨行资金归集结果查询"




def test_a_pull_settled_at_once_cancels_its_safety_net_row(obw, spy):
    agreement = sign(obw)
    operation = pull(obw, agreement, "1000.00")
    run = CollectionRun.objects.get(operation=operation)
    assert run.status == CollectionRunStatus.SUCCEEDED and spy == [run.reference]
    work = DueWork.objects.get(kind=collect.DUE_REQUERY, key=f"{run.reference}:1")
    assert work.status == DueWorkStatus.CANCELLED
