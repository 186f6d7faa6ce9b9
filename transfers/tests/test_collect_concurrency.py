"""Races of 资金归集 on PostgreSQL with real threads: two workers running the same 自动归集 row
post once; two pulls racing for the agreement's 日累计限额 — exactly one gets it."""

from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from ebank.core.errors import BusinessError
from ebank.duework.models import DueWork
from ebank.otherbanks.adapters import get_otherbank_adapter
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import confirm, entries, world_build
from transfers.collect import services as collect
from transfers.collect.schedule import DUE_KIND
from transfers.models import CollectionMode, CollectionRun, CollectionRunStatus
from transfers.otherbank.demo import demo_seed as sim_seed

from .test_otherbank_support import NOW, World, _Out, at, sign, sim_balance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(settings, tmp_path):
    world = world_build(settings, tmp_path)
    with time_machine.travel(NOW, tick=False):
        sim_seed(_Out())
        get_otherbank_adapter().reset()
        yield world


def _pull_start(world, agreement, amount):
    return collect.pull_start(user=world.zhang, request=collect.PullRequest(
        agreement_id=agreement.pk, to_sub_account_id=World.main(world.zhang_card).pk,
        amount=Decimal(amount)), back_url="/transfers/collect/pull")


def test_two_pulls_race_for_the_daily_limit(bank):
    agreement = sign(bank, single="2000.00", daily="3000.00")
    operations = [_pull_start(bank, agreement, "2000.00") for _ in range(2)]
    results = run_concurrently(lambda i: confirm(operations[i], user=bank.zhang), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and "日累计限额" in refused[0].message, results
    assert CollectionRun.objects.filter(status=CollectionRunStatus.SUCCEEDED).count() == 1
    assert sim_balance() == Decimal("28000.00")


def run_settle(work):
    with time_machine.travel(at(2026, 6, 11, 9, 0), tick=False), transaction.atomic():
        collect.collect_requery_due(work)


def test_two_workers_running_the_same_collection_row_post_once(bank):
    agreement = sign(bank)
    operation = collect.plan_start(user=bank.zhang, request=collect.PlanRequest(
        agreement_id=agreement.pk, to_sub_account_id=World.main(bank.zhang_card).pk,
        frequency="daily", day=0, mode=CollectionMode.FIXED, amount=Decimal("1000.00"),
        reserve=None, minimum=Decimal("1000.00")), back_url="/x")
    confirm(operation, user=bank.zhang)
    work = DueWork.objects.get(kind=DUE_KIND)
    count = entries()

    def run(i):
        with time_machine.travel(at(2026, 6, 11, 9, 0), tick=False), transaction.atomic():
            collect.collect_run_due(work)

    results = run_concurrently(run, 2)
    assert results == [None, None]
    settle = DueWork.objects.get(kind=collect.DUE_REQUERY)  # one run row, one settle row
    run_concurrently(lambda i: run_settle(settle), 2)
    assert entries() == count + 1
    assert CollectionRun.objects.count() == 1 and sim_balance() == Decimal("29000.00")


def test_the_simulated_bank_sums_the_days_total_under_the_card_lock(bank):
    """Two debits of one card at once (not through our side's agreement lock): the other bank
    lets only one through its 日累计限额."""
    agreement = sign(bank, single="2000.00", daily="3000.00")

    def debit(i):
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            return get_otherbank_adapter().debit(external_id=agreement.external_id,
                                                 reference=f"RACE{i}", amount=Decimal("2000.00"),
                                                 memo="张伟")

    answers = run_concurrently(debit, 2)
    assert sorted(a.succeeded for a in answers) == [False, True], answers
    assert sim_balance() == Decimal("28000.00")
