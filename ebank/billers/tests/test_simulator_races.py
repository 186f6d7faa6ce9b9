"""Races at the simulated biller on PostgreSQL with real threads: one reference sent twice at
once is written off once; two payments of one fixed bill at once — exactly one is paid."""

from decimal import Decimal

import pytest

from ebank.billers.adapter import BillerRefused, PayStatus
from ebank.billers.models import SimPayment
from ebank.billers.simulator import SimulatedBillers, sim_bill, sim_bill_put
from tests.concurrency.helpers import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_reference_twice_at_once_is_written_off_once():
    sim_bill_put("WATER01", "1001234501", name="张伟", amount_owed="86.40")
    results = run_concurrently(
        lambda i: SimulatedBillers().pay("WATER01", "1001234501", Decimal("10.00"), "BP1"), 4)
    assert all(r == results[0] for r in results), results
    assert results[0].status == PayStatus.PAID
    assert sim_bill("WATER01", "1001234501").amount_owed == Decimal("76.40")
    assert SimPayment.objects.count() == 1


def test_a_fixed_bill_paid_twice_at_once_is_paid_once():
    sim_bill_put("HEAT01", "5100200301", name="张伟", amount_owed="1860.00", fixed=True)
    results = run_concurrently(
        lambda i: SimulatedBillers().pay("HEAT01", "5100200301", Decimal("1860.00"), f"BP{i}"), 3)
    paid = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, BillerRefused)]
    assert len(paid) == 1 and paid[0].status == PayStatus.PAID, results
    assert len(refused) == 2 and {r.message for r in refused} == {"该缴费已缴清"}
    assert sim_bill("HEAT01", "5100200301").amount_owed == Decimal("0.00")
