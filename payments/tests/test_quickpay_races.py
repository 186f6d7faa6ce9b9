"""PAY-QUICKPAY on PostgreSQL with real threads: the agreement row serialises its debits and its
revocation."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from ebank.core.errors import BusinessError
from payments.models import QuickPayAgreement, QuickPayDebit
from payments.quickpay import services
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import DEMO_PIN, balance, entries, world_build

from .quickpay_support import NOW, sign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(settings, tmp_path):
    world = world_build(settings, tmp_path)
    with time_machine.travel(NOW, tick=False):
        world.agreement = sign(world.zhang_card)
        yield world


def test_two_debits_that_together_exceed_the_daily_limit_post_exactly_one(bank):
    QuickPayAgreement.objects.filter(pk=bank.agreement.pk).update(
        single_limit=Decimal("3000.00"), daily_limit=Decimal("5000.00"))
    before, count = balance(bank.zhang_card), entries()
    results = run_concurrently(lambda i: services.quickpay_debit(
        bank.agreement.number, bank.agreement.merchant_code, f"RACE-{i}", Decimal("3000.00")), 2)
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(refused) == 1 and "日累计限额" in refused[0].message, results
    assert QuickPayDebit.objects.count() == 1 and entries() == count + 1
    assert balance(bank.zhang_card) == before - Decimal("3000.00")


def test_the_same_order_from_two_threads_debits_once(bank):
    before = balance(bank.zhang_card)
    results = run_concurrently(lambda i: services.quickpay_debit(
        bank.agreement.number, bank.agreement.merchant_code, "SAME", Decimal("50.00")), 2)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert {r.number for r in results} == {QuickPayDebit.objects.get().number}
    assert balance(bank.zhang_card) == before - Decimal("50.00")


@pytest.mark.parametrize("round_", range(3))
def test_a_revoke_racing_a_debit_never_lets_a_debit_in_after_it(bank, round_):
    def act(i):
        if i == 0:
            return services.quickpay_revoke(user=bank.zhang, agreement=bank.agreement,
                                            pin=DEMO_PIN)
        return services.quickpay_debit(bank.agreement.number, bank.agreement.merchant_code,
                                       f"RV-{round_}", Decimal("20.00"))

    # The clock ticks here, so the two timestamps tell which one took the agreement row first.
    with time_machine.travel(NOW + timedelta(hours=1), tick=True):
        revoked, debited = run_concurrently(act, 2)
    assert not isinstance(revoked, BaseException), revoked
    agreement = QuickPayAgreement.objects.get(pk=bank.agreement.pk)
    debit = QuickPayDebit.objects.filter(order_no=f"RV-{round_}").first()
    if isinstance(debited, BusinessError):
        assert debited.message == "协议已撤销" and debit is None
    else:
        # The debit committed first: it was created before the revocation took effect.
        assert debit is not None and debit.created_at < agreement.revoked_at
    # Whatever the order, nothing passes afterwards.
    with pytest.raises(BusinessError, match="协议已撤销"):
        services.quickpay_debit(bank.agreement.number, bank.agreement.merchant_code,
                                f"AFTER-{round_}", Decimal("1.00"))


def test_a_debit_arriving_while_a_revoke_holds_the_agreement_waits_and_is_refused(
        bank, monkeypatch):
    """Deterministic: the revoke is paused inside its transaction (agreement marked, not yet
    committed) while the debit starts; the debit must queue on the row and then see 已撤销."""
    import threading
    import time

    from django.db import connection

    paused, release = threading.Event(), threading.Event()
    real_audit = services.audit_record

    def audit_record(**kwargs):
        if threading.current_thread().name == "revoke":
            paused.set()
            release.wait(30)
        return real_audit(**kwargs)

    monkeypatch.setattr(services, "audit_record", audit_record)
    results = {}

    def work(name, fn):
        try:
            results[name] = fn()
        except BaseException as exc:  # noqa: BLE001 - asserted below
            results[name] = exc
        finally:
            connection.close()

    revoke = threading.Thread(name="revoke", target=work, args=("revoke", lambda: (
        services.quickpay_revoke(user=bank.zhang, agreement=bank.agreement, pin=DEMO_PIN))))
    debit = threading.Thread(name="debit", target=work, args=("debit", lambda: (
        services.quickpay_debit(bank.agreement.number, bank.agreement.merchant_code, "WAIT-1",
                                Decimal("20.00")))))
    before, count = balance(bank.zhang_card), entries()
    revoke.start()
    assert paused.wait(30)
    debit.start()
    time.sleep(1)
    assert debit.is_alive()  # queued behind the revoke's row lock
    release.set()
    revoke.join(30)
    debit.join(30)
    assert not isinstance(results["revoke"], BaseException), results
    assert isinstance(results["debit"], BusinessError), results
    assert results["debit"].message == "协议已撤销"
    assert not QuickPayDebit.objects.exists()
    assert (balance(bank.zhang_card), entries()) == (before, count)
