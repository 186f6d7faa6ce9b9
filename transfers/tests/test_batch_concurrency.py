# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""Two dispatchers at once on one 批量转账 (real threads, PostgreSQL): every row runs once."""

import pytest
import time_machine

from ebank.duework.services import dispatch_due
from ebank.ledger.models import Entry
from ebank.ledger.selectors import ledger_violations
from tests.concurrency.helpers import run_concurrently
from transfers.batch import services
from transfers.models import BatchRowStatus, BatchStatus, Transfer

from .test_batch_services import NOON, create, submit_and_confirm
from .test_inter_support import world  # noqa: F401 - fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_dispatchers_run_each_row_once(world, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_SIZE", 4)
    with time_machine.travel(NOON, tick=True):
        batch = create(world, "intra", [[world.li_card.number, "李娜", f"{i + 1}.00", ""]
                                        for i in range(30)])
        submit_and_confirm(world, batch)
        entries = Entry.objects.count()

        def worker(_i):
            ran = 0
            for _ in range(200):
                done = dispatch_due(limit=5)
                ran += done
                batch.refresh_from_db()
                if batch.status == BatchStatus.DONE:
                    break
            return ran

        results = run_concurrently(worker, 2)
    assert not any(isinstance(r, BaseException) for r in results), results
    batch.refresh_from_db()
    assert (batch.status, batch.done_count, batch.failed_count) == (BatchStatus.DONE, 30, 0)
    assert batch.rows.filter(status=BatchRowStatus.SUCCEEDED).count() == 30
    assert Transfer.objects.filter(operation=batch.operation).count() == 30
    assert Entry.objects.count() == entries + 30
    assert not ledger_violations()
