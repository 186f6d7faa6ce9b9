"""A double submit on PostgreSQL: two real connections confirm the same operation at once."""

import pytest

from ebank.core.models import AuditEvent
from security.confirm.services import operation_confirm
from security.models import OperationStatus
from tests.concurrency.helpers import run_concurrently

from . import test_confirm_support as support
from .test_confirm_support import DEMO_PIN, balance, entry_count, token_code

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

bank, token = support.bank, support.token


def test_two_simultaneous_confirmations_execute_once(bank, token):
    payer = bank.ledger_of(bank.zhang_card)
    before, entries = balance(payer), entry_count()
    operation = bank.start_move(amount="100.00")
    code = token_code(token)

    def submit(_i):
        return operation_confirm(user=bank.zhang, public_id=operation.public_id, pin=DEMO_PIN,
                                 method="token", credential=code)

    results = run_concurrently(submit, 2)

    # The second waited for the row lock, found EXECUTED and returned it: same result, no error.
    assert all(getattr(r, "status", None) == OperationStatus.EXECUTED for r in results), results
    assert results[0].executed_at == results[1].executed_at
    assert entry_count() == entries + 1
    assert balance(payer) == before - 100
    assert AuditEvent.objects.filter(action="confirm.executed").count() == 1


def test_ten_simultaneous_wrong_pins_count_every_one(bank, token):
    operation = bank.start_move(amount="1.00")

    def submit(_i):
        return operation_confirm(user=bank.zhang, public_id=operation.public_id, pin="999999",
                                 method="token", credential="000000")

    results = run_concurrently(submit, 10)
    assert all(hasattr(r, "message") for r in results)
    bank.zhang_card.refresh_from_db()
    # Serialised by the operation's lock and the medium's: three counted, then locked for the day.
    assert bank.zhang_card.pin_failures == 3 and bank.zhang_card.pin_locked_on is not None
    assert sum("已锁定" in r.message for r in results) == 8
