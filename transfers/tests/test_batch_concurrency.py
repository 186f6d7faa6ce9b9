# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""Races on one 批量转账 (real threads released together, PostgreSQL): exactly one side wins and
nothing is left half done.

* 确认 against 删除错误明细 of the same 待确认 batch: either the batch runs (the confirmation
  executed, chunk 0 scheduled, the removal refused as 已提交) or the removal went (the batch back
  to 草稿, the confirmation refused as changed, nothing scheduled) — never both;
* the same confirmation sent twice at once (a double click): the batch is confirmed once.
"""

import pytest
import time_machine

from ebank.core.errors import BusinessError
from ebank.duework.models import DueWork
from security.models import OperationStatus
from tests.concurrency.helpers import run_concurrently
from transfers.batch import services
from transfers.models import BatchStatus

from .test_batch_services import NOON, create
from .test_inter_support import confirm, world  # noqa: F401 - fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _pending_batch(world, amount: str):
    batch = create(world, "intra", [[world.li_card.number, "李娜", amount, ""]])
    operation = services.batch_submit(user=world.zhang, number=batch.number)
    return batch, operation


def _scheduled(batch) -> int:
    return DueWork.objects.filter(kind=services.DUE_KIND, key__startswith=f"{batch.number}:").count()


@pytest.mark.parametrize("round_", range(3))
def test_confirm_against_remove_invalid_exactly_one_wins(world, round_):
    with time_machine.travel(NOON, tick=True):
        batch, operation = _pending_batch(world, f"{round_ + 1}.00")

        def side(i):
            if i == 0:
                return confirm(operation, user=world.zhang).status
            return services.batch_invalid_rows_remove(user=world.zhang, number=batch.number)

        results = run_concurrently(side, 2)
    batch.refresh_from_db()
    operation.refresh_from_db()
    confirmed = operation.status == OperationStatus.EXECUTED
    removed = not isinstance(results[1], BaseException)
    assert confirmed != removed, results  # exactly one side won
    if confirmed:
        assert isinstance(results[1], BusinessError) and results[1].message == services.NOT_EDITABLE
        assert batch.status == BatchStatus.RUNNING and batch.operation_id == operation.pk
        assert _scheduled(batch) == 1
    else:
        assert batch.status == BatchStatus.DRAFT and batch.operation_id is None
        assert batch.confirmed_at is None and _scheduled(batch) == 0


def test_the_same_confirmation_twice_at_once_runs_once(world):
    with time_machine.travel(NOON, tick=True):
        batch, operation = _pending_batch(world, "3.00")
        results = run_concurrently(lambda _i: confirm(operation, user=world.zhang).status, 2)
    operation.refresh_from_db()
    batch.refresh_from_db()
    assert operation.status == OperationStatus.EXECUTED
    assert sum(1 for r in results if r == OperationStatus.EXECUTED) >= 1, results
    assert batch.status == BatchStatus.RUNNING and _scheduled(batch) == 1
    from ebank.core.models import AuditEvent
    assert AuditEvent.objects.filter(action="transfers.batch_confirm",
                                     object_ref=f"batch:{batch.number}").count() == 1
