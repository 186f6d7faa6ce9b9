"""Two 续存 of one 零存整取 for the same month at the same moment (PostgreSQL, real threads):
the deposit's row lock makes the second see the month paid — exactly one succeeds."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.demo import seed_demo_bank
from accounts.models import MediumKind, SubAccountKind
from deposits.instalment import services as svc
from deposits.models import Instalment
from ebank.core.errors import BusinessError
from ebank.ledger.models import LedgerAccount
from security.models import User
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import link_all

from .conftest import rates_seed
from .test_instalment import instalment_rates_seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_top_ups_for_one_month_at_once_exactly_one_succeeds():
    zhang = {c.cif_no: c for c in seed_demo_bank()}["3401010001"]
    link_all(zhang)
    rates_seed()
    instalment_rates_seed()
    user = User.objects.create_user(username="zw_race", password="Login-pass-9",  # noqa: S106
                                    customer=zhang)
    card = zhang.media.get(kind=MediumKind.DEBIT_CARD).sub_accounts.get(
        kind=SubAccountKind.CURRENT_MAIN)
    with time_machine.travel(datetime(2026, 3, 2, 2, tzinfo=UTC), tick=False):
        deposit = svc.instalment_open(user=user, from_sub_account_id=card.pk, term_months=12,
                                      amount="1000.00", idempotency_key="race:open").deposit

    with time_machine.travel(datetime(2026, 4, 10, 2, tzinfo=UTC), tick=False):
        results = run_concurrently(
            lambda i: svc.instalment_top_up(user=user, deposit_id=deposit.pk,
                                            from_sub_account_id=card.pk, amount="1000",
                                            idempotency_key=f"race:t{i}"), 2)

    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert refused[0].message == svc.TOP_UP_PAID
    assert list(Instalment.objects.values_list("month", flat=True)) == [1, 2]
    deposit.refresh_from_db()
    assert deposit.instalments_made == 2
    assert LedgerAccount.objects.get(pk=card.ledger_account_id).balance == Decimal("78000.00")
