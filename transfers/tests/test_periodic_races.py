"""定时转账 races on one card (real threads on PostgreSQL): two setups confirmed at once → one
plan; 撤销 racing a run → one outcome, the money moved at most once and nothing left pending."""

import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction

from ebank.core.errors import BusinessError
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from security.models import OperationStatus, PendingOperation
from tests import customer_world as support
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import balance, confirm
from transfers.models import PeriodicStatus, PeriodicTransfer
from transfers.periodic import services as periodic_services
from transfers.periodic.services import ONE_PER_CARD, periodic_cancel

from .test_periodic_support import SETUP_AT, at, set_up, start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
world = support.world


@pytest.mark.parametrize("racers", [2, 4])
def test_setups_confirmed_at_once_for_one_card_make_one_plan(world, racers):
    operations = [start(world, amount=f"{i + 1}.00") for i in range(racers)]

    def confirm_one(i):
        with time_machine.travel(SETUP_AT, tick=True):
            return confirm(operations[i], user=world.zhang)

    results = run_concurrently(confirm_one, racers)
    won = [r for r in results if isinstance(r, PendingOperation)]
    lost = [r for r in results if isinstance(r, BusinessError)]
    assert (len(won), len(lost)) == (1, racers - 1), results
    assert all(exc.message == ONE_PER_CARD for exc in lost)
    assert PeriodicTransfer.objects.filter(status=PeriodicStatus.ACTIVE).count() == 1
    assert PendingOperation.objects.filter(status=OperationStatus.FAILED).count() == racers - 1
    assert DueWork.objects.count() == 1


@pytest.mark.parametrize("attempt", range(4))
def test_cancel_racing_a_run_has_one_outcome_and_loses_no_money(world, attempt):
    plan = set_up(world)
    due = at(2026, 1, 31, 9, 0)

    def race(i):
        with time_machine.travel(due, tick=True):
            if i == 0:
                return dispatch_due(now=due)
            return periodic_cancel(user=world.zhang, number=plan.number)

    results = run_concurrently(race, 2)
    assert not any(isinstance(r, BaseException) for r in results), results
    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.CANCELLED
    runs = plan.runs.count()
    assert runs in (0, 1)
    moved = Decimal("1000.00") * runs
    assert balance(world.zhang_card) == Decimal("80000.00") - moved
    assert balance(world.li_card) == Decimal("20000.00") + moved
    # Whatever won, nothing of the plan is left to run.
    assert not DueWork.objects.filter(key__startswith=plan.number,
                                      status=DueWorkStatus.PENDING).exists()
    later = at(2026, 3, 31, 10, 0)
    with time_machine.travel(later, tick=False):
        dispatch_due(now=later)
    assert plan.runs.count() == runs


def _in_thread(fn):
    """Run ``fn`` in a thread with its own connection; returns (thread, results list)."""
    results: list = []

    def target():
        try:
            results.append(fn())
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, results


def test_cancel_while_a_run_holds_the_plan_waits_then_stops_the_later_runs(world, monkeypatch):
    plan = set_up(world)
    due = at(2026, 1, 31, 9, 0)
    held, release = threading.Event(), threading.Event()
    original = periodic_services._run_once

    def paused_run(**kwargs):
        run = original(**kwargs)
        held.set()  # the plan is locked and the run's money has moved (not committed yet)
        release.wait(10)
        return run

    monkeypatch.setattr(periodic_services, "_run_once", paused_run)
    with time_machine.travel(due, tick=True):
        runner, _ = _in_thread(lambda: dispatch_due(now=due))
        assert held.wait(10)
        canceller, cancelled = _in_thread(
            lambda: periodic_cancel(user=world.zhang, number=plan.number))
        time.sleep(0.5)
        assert canceller.is_alive()  # waiting for the plan's lock, not refused
        release.set()
        runner.join(10)
        canceller.join(10)
    assert isinstance(cancelled[0], PeriodicTransfer), cancelled
    plan.refresh_from_db()
    assert plan.status == PeriodicStatus.CANCELLED and plan.runs.count() == 1
    assert DueWork.objects.get(key=f"{plan.number}:2").status == DueWorkStatus.CANCELLED
    assert balance(world.zhang_card) == Decimal("79000.00")


def test_cancel_while_the_dispatcher_holds_the_row_cancels_and_the_run_does_nothing(world):
    plan = set_up(world)
    due = at(2026, 1, 31, 9, 0)
    work = DueWork.objects.get(key=f"{plan.number}:1")
    held, release = threading.Event(), threading.Event()

    def hold_row():
        with transaction.atomic():
            DueWork.objects.select_for_update().get(pk=work.pk)  # as a dispatcher's claim
            held.set()
            release.wait(10)

    holder, _ = _in_thread(hold_row)
    assert held.wait(10)
    with time_machine.travel(due, tick=True):
        periodic_cancel(user=world.zhang, number=plan.number)
    release.set()
    holder.join(10)
    work.refresh_from_db()
    assert work.status == DueWorkStatus.PENDING  # could not be cancelled: it was held
    with time_machine.travel(due, tick=False):
        dispatch_due(now=due)
    work.refresh_from_db()
    assert work.status == DueWorkStatus.DONE and not plan.runs.exists()
    assert balance(world.zhang_card) == Decimal("80000.00")
