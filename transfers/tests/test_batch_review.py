# ruff: noqa: F811 - pytest fixtures imported from the shared world
"""批量转账, the review's fixes: the payer checked at execution for both kinds, the 处理中 rows,
the XLSX reading limits, broken files, formula-like cells and the views' messages."""


import pytest

from accounts.models import Medium, MediumStatus, SubAccountStatus
from transfers.models import BatchStatus, Transfer

from .test_batch_services import _clock, create, intra_rows, run_all, submit_and_confirm  # noqa: F401
from .test_inter_support import (
    ICBC_HEFEI,
    World,
    balance,
    inter_fixture,  # noqa: F401 - the "inter" fixture
    world,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db

OK = "6212261302001230001"


# --- 1. the payer at execution ------------------------------------------------------------------

@pytest.mark.parametrize("status, reason", [(MediumStatus.ORAL_LOSS, "转出账户已口头挂失"),
                                            (MediumStatus.FROZEN, "转出账户已冻结")])
def test_an_inter_batch_stops_when_the_payer_card_is_reported_lost(inter, status, reason):
    batch = create(inter, "inter", [[OK, "赵敏", ICBC_HEFEI, f"{i + 1}.00", ""] for i in range(3)])
    submit_and_confirm(inter, batch)
    Medium.objects.filter(pk=inter.zhang_card.pk).update(status=status)
    before = balance(inter.zhang_card)
    run_all()
    batch.refresh_from_db()
    assert (batch.status, batch.done_count, batch.failed_count) == (BatchStatus.DONE, 0, 3)
    assert set(batch.rows.values_list("failure_reason", flat=True)) == {reason}
    assert balance(inter.zhang_card) == before
    assert not Transfer.objects.filter(operation=batch.operation).exists()


def test_a_closed_payer_sub_account_stops_an_intra_batch(world):
    batch = create(world, "intra", intra_rows(world, 1) + intra_rows(world, 1, amount="2.00"))
    submit_and_confirm(world, batch)
    payer = World.main(world.zhang_card)
    type(payer).objects.filter(pk=payer.pk).update(status=SubAccountStatus.CLOSED)
    run_all()
    batch.refresh_from_db()
    assert batch.failed_count == 2
    assert set(batch.rows.values_list("failure_reason", flat=True)) == {"转出账户已销户"}
