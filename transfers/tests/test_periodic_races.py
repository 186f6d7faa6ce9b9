"""定时转账 races on one card (real threads on PostgreSQL): two setups confirmed at once → one
plan; 撤销 racing a run → one outcome, the money moved at most once and nothing left pending."""

from decimal import Decimal

import pytest
import time_machine

from ebank.core.errors import BusinessError
from ebank.duework.models import DueWork, DueWorkStatus
from ebank.duework.services import dispatch_due
from security.models import OperationStatus, PendingOperation
from tests import customer_world as support
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import balance, confirm
from transfers.models import PeriodicStatus, PeriodicTransfer
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
