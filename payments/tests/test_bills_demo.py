"""payments' demo part (seed_demo 40, after the simulated billers at 38): the nine billers on
our side, each the default of its kind with its two ledger books; run twice, nothing doubles."""

import pytest

from ebank.core.demo import demo_parts
from ebank.ledger.models import LedgerAccount
from payments.demo import DEMO_BILLERS, demo_seed
from payments.models import Biller, BillKind, BranchBiller
from payments.selectors import biller_for

pytestmark = pytest.mark.django_db


class _Out:
    def line(self, text):
        pass

    def success(self, text):
        pass


def test_demo_registers_the_nine_billers_once_after_the_simulator():
    demo_seed(_Out())
    demo_seed(_Out())
    assert Biller.objects.count() == 9 and BranchBiller.objects.count() == 9
    assert {kind for _code, kind, _name in DEMO_BILLERS} == set(BillKind.values)
    for code, kind, _name in DEMO_BILLERS:
        assert biller_for(kind=kind, branch_code="340101").code == code
        assert LedgerAccount.objects.filter(code__startswith=f"BILLER:{code}:").count() == 2
    parts = [f"{seed.__module__}.{seed.__qualname__}" for seed in demo_parts()]
    assert parts.index("payments.demo.demo_seed") > parts.index("ebank.billers.demo.demo_seed")
