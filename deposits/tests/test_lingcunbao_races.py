"""Note 1 under a race (PostgreSQL, real threads): a customer holding four 零存宝 opens two more
at the same moment — exactly one becomes the fifth (the customer's row lock)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.demo import seed_demo_bank
from accounts.models import MediumKind, SubAccountKind
from deposits.lingcunbao.services import NOTE_1, Done, lcb_open
from deposits.models import Deposit, DepositRate, DepositStatus, Product
from ebank.core.errors import BusinessError
from ebank.ledger.models import LedgerAccount
from security.models import User
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import link_all

from .conftest import rates_seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("racers", [2, 4])
def test_lcb_note_1_two_openings_racing_for_the_fifth_exactly_one_succeeds(racers):
    zhang = {c.cif_no: c for c in seed_demo_bank()}["3401010001"]
    link_all(zhang)
    rates_seed()
    DepositRate.objects.create(product=Product.LINGCUNBAO, term_months=12,
                               annual_rate=Decimal("0.95"), effective_from=date(2026, 1, 1))
    user = User.objects.create_user(username="zw_lcb_race", password="Login-pass-9",  # noqa: S106
                                    customer=zhang)
    card = zhang.media.get(kind=MediumKind.DEBIT_CARD).sub_accounts.get(
        kind=SubAccountKind.CURRENT_MAIN)
    with time_machine.travel(datetime(2026, 3, 2, 2, tzinfo=UTC), tick=False):
        for i in range(4):
            lcb_open(user=user, from_sub_account_id=card.pk, amount=Decimal("100.00"),
                     idempotency_key=f"lcb-race:{i}")
        results = run_concurrently(
            lambda i: lcb_open(user=user, from_sub_account_id=card.pk,
                               amount=Decimal("100.00"), idempotency_key=f"lcb-race:r{i}"),
            racers)

    won = [r for r in results if isinstance(r, Done)]
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert (len(won), len(refused)) == (1, racers - 1), results
    assert all(NOTE_1 in r.message for r in refused)
    assert Deposit.objects.filter(product=Product.LINGCUNBAO,
                                  status=DepositStatus.OPEN).count() == 5
    assert LedgerAccount.objects.get(pk=card.ledger_account_id).balance == Decimal("79500.00")
