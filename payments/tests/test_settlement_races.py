"""Races of 代收款项结算 on PostgreSQL with real threads: two runs of one date at once post one
entry; a settlement racing a payment turning PAID settles it now or at the next date, never
twice."""

from datetime import timedelta
from decimal import Decimal

import pytest

from ebank.ledger.models import Entry, LedgerAccount
from ebank.ledger.selectors import ledger_violations
from payments.models import BillerSettlement, BillPayment, BillPaymentStatus, PaymentBusinessType
from payments.reconcile.services import biller_settle, settlement_run
from payments.services import biller_register
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import world_build

from .reconcile_world import DAY, bill_payment, paid_late

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(settings, tmp_path):
    return world_build(settings, tmp_path)


def test_two_runs_of_one_date_at_once_post_once(bank):
    water = biller_register(code="WATER01", kind="water", name="合肥供水集团")
    for i in range(5):
        bill_payment(bank, water, f"BP{i}", "10.00")
    results = run_concurrently(lambda i: settlement_run(DAY), 3)
    assert sorted(results) == [0, 0, 5], results
    assert Entry.objects.filter(
        business_type=PaymentBusinessType.BILLER_SETTLEMENT).count() == 1
    assert LedgerAccount.objects.get(pk=water.collection_account_id).balance == Decimal("50.00")
    assert ledger_violations() == []


def test_a_payment_turning_paid_during_the_settlement_is_settled_once(bank):
    water = biller_register(code="WATER01", kind="water", name="合肥供水集团")
    bill_payment(bank, water, "BP1", "10.00")
    waiting = bill_payment(bank, water, "BP2", "50.00", status=BillPaymentStatus.PROCESSING)

    def act(i):
        if i == 0:
            return biller_settle(biller=water, business_date=DAY)
        return paid_late(BillPayment.objects.get(pk=waiting.pk))

    run_concurrently(act, 2)
    biller_settle(biller=water, business_date=DAY + timedelta(days=1))
    assert sum(s.amount for s in BillerSettlement.objects.all()) == Decimal("60.00")
    assert LedgerAccount.objects.get(pk=water.collection_account_id).balance == Decimal("60.00")
    assert LedgerAccount.objects.get(pk=water.settlement_account_id).balance == Decimal("0.00")
    assert not BillPayment.objects.filter(settlement__isnull=True).exists()
    assert ledger_violations() == []


def test_a_second_run_behind_the_first_with_a_payment_paid_between_skips_the_date(bank,
                                                                                   monkeypatch):
    """Run A has locked BP1 and posts; BP2 turns PAID; run B starts and (its snapshot seeing
    BP1 unsettled) waits behind A. B must skip the settled date — not post the same key with
    another amount (IdempotencyConflict: the nightly step failing)."""
    import threading
    import time

    from django.db import connection

    from payments.reconcile import services

    water = biller_register(code="WATER01", kind="water", name="合肥供水集团")
    bill_payment(bank, water, "BP1", "10.00")
    waiting = bill_payment(bank, water, "BP2", "50.00", status=BillPaymentStatus.PROCESSING)
    a_posting, a_go = threading.Event(), threading.Event()
    real_post = services.entry_post

    def post_then_wait(**kwargs):
        result = real_post(**kwargs)
        if threading.current_thread().name == "A":
            a_posting.set()
            assert a_go.wait(20)
        return result

    monkeypatch.setattr(services, "entry_post", post_then_wait)
    results = {}

    def settle(name):
        try:
            results[name] = biller_settle(biller=water, business_date=DAY)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results[name] = exc
        finally:
            connection.close()

    a = threading.Thread(target=settle, args=("A",), name="A")
    a.start()
    assert a_posting.wait(20)
    paid_late(BillPayment.objects.get(pk=waiting.pk))
    b = threading.Thread(target=settle, args=("B",), name="B")
    b.start()
    with connection.cursor() as cursor:  # B is waiting for a lock A holds
        for _ in range(200):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                           " AND datname = current_database()")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("B never waited for A")
    a_go.set()
    a.join(20)
    b.join(20)
    assert results["A"].amount == Decimal("10.00")
    assert results["B"] is None, results["B"]
    later = biller_settle(biller=water, business_date=DAY + timedelta(days=1))
    assert later.amount == Decimal("50.00")
    assert LedgerAccount.objects.get(pk=water.collection_account_id).balance == Decimal("60.00")
    assert ledger_violations() == []
