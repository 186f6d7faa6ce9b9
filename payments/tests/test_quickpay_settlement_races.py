"""快捷支付结算 on PostgreSQL with real threads: two runs of one date never settle a debit that no
entry paid for (the book 快捷支付待清算 always equals the unsettled debits)."""

import threading
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from ebank.core.clock import SHANGHAI
from ebank.ledger.bank_books import bank_book_id
from ebank.ledger.models import LedgerAccount
from payments.models import QuickPayDebit
from payments.quickpay import services, settlement
from payments.quickpay.settlement import quickpay_settlement_run, quickpay_unsettled_total
from tests.customer_world import world_build

from .quickpay_support import MERCHANT, sign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 6, 10)


def book() -> Decimal:
    return LedgerAccount.objects.get(pk=bank_book_id(services.QUICKPAY_BOOK)).balance


def test_a_second_run_during_the_first_with_a_debit_between_settles_nothing_unpaid(
        settings, tmp_path, monkeypatch):
    world = world_build(settings, tmp_path)
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        agreement = sign(world.zhang_card)
        services.quickpay_debit(agreement.number, MERCHANT, "A1", Decimal("10.00"))

    # The first run pauses just before its entry, holding its debits.
    paused, release = threading.Event(), threading.Event()
    real_entry_post = settlement.entry_post

    def entry_post(**kwargs):
        if threading.current_thread().name == "first":
            paused.set()
            release.wait(30)
        return real_entry_post(**kwargs)

    monkeypatch.setattr(settlement, "entry_post", entry_post)
    results = {}

    def run(name):
        try:
            results[name] = quickpay_settlement_run(DAY)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            results[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",), name="first")
    first.start()
    assert paused.wait(30)
    # A late debit of the same date and amount commits while the first run holds its rows.
    with time_machine.travel(datetime(2026, 6, 10, 23, 0, tzinfo=SHANGHAI), tick=False):
        services.quickpay_debit(agreement.number, MERCHANT, "LATE", Decimal("10.00"))
    second = threading.Thread(target=run, args=("second",), name="second")
    second.start()
    time.sleep(1)  # the second run is waiting behind the first
    release.set()
    first.join(30)
    second.join(30)
    assert results["first"] == 1, results
    assert not isinstance(results["second"], BaseException), results
    # Whatever the second run did, the book holds exactly what is still unsettled.
    assert book() == quickpay_unsettled_total(merchant_code=MERCHANT), (
        results, list(QuickPayDebit.objects.values_list("order_no", "settled_on",
                                                        "settlement_entry_id")))
    assert quickpay_unsettled_total(merchant_code=MERCHANT) == Decimal("10.00")
