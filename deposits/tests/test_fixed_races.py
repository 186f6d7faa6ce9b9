"""Two withdrawals of one 整存整取 at the same moment (PostgreSQL, real threads)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.demo import seed_demo_bank
from accounts.models import MediumKind, SubAccountKind
from deposits.fixed import fixed_open, fixed_withdraw
from deposits.models import Deposit, DepositStatus, MaturityOption
from ebank.core.errors import BusinessError
from ebank.ledger.models import BusinessType, Entry, LedgerAccount
from security.models import User
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import link_all

from .conftest import rates_seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_full_withdrawals_of_one_deposit_at_once_exactly_one_succeeds():
    zhang = {c.cif_no: c for c in seed_demo_bank()}["3401010001"]
    link_all(zhang)
    rates_seed()
    user = User.objects.create_user(username="zw_race", password="Login-pass-9",  # noqa: S106
                                    customer=zhang)
    card = zhang.media.get(kind=MediumKind.DEBIT_CARD).sub_accounts.get(
        kind=SubAccountKind.CURRENT_MAIN)
    with time_machine.travel(datetime(2026, 3, 2, 2, tzinfo=UTC), tick=False):
        deposit = fixed_open(user=user, from_sub_account_id=card.pk, term_months=12,
                             amount=Decimal("10000.00"), maturity_option=MaturityOption.HOLD,
                             idempotency_key="race:open").deposit

    with time_machine.travel(datetime(2026, 6, 10, 2, tzinfo=UTC), tick=False):
        results = run_concurrently(
            lambda i: fixed_withdraw(user=user, deposit_id=deposit.pk, amount="10000.00",
                                     idempotency_key=f"race:w{i}"), 2)

    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(done) == 1 and len(refused) == 1, results
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.CLOSED
    assert LedgerAccount.objects.get(pk=card.ledger_account_id).balance == Decimal("80002.78")
    assert Entry.objects.filter(business_type=BusinessType.INTEREST).count() == 1
    assert Deposit.objects.count() == 1
