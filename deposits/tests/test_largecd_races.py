"""大额存单开户 racing for the last 额度 (PostgreSQL, real threads): 张伟 and 李娜 each open
¥200,000 of an issue with ¥200,000 left — exactly one gets it, the other's card is untouched."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.demo import seed_demo_bank
from accounts.models import MediumKind, SubAccountKind
from deposits.largecd.services import cd_open
from deposits.models import Deposit, LargeCDProduct
from ebank.core.errors import BusinessError
from ebank.ledger.models import LedgerAccount
from security.models import User
from tests.concurrency.helpers import run_concurrently
from tests.customer_world import link_all

from .cd_payout_support import cd_issue, fund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_openings_for_the_last_quota_exactly_one_succeeds():
    customers = {c.cif_no: c for c in seed_demo_bank()}
    people = []
    for n, cif in enumerate(("3401010001", "3401010002")):
        customer = customers[cif]
        link_all(customer)
        user = User.objects.create_user(username=f"cd_race{n}", password="Login-pass-9",  # noqa: S106
                                        customer=customer)
        card = customer.media.get(kind=MediumKind.DEBIT_CARD).sub_accounts.get(
            kind=SubAccountKind.CURRENT_MAIN)
        fund(card, "200000.00", f"race{n}")
        people.append((user, card))
    issue = cd_issue(quota="1000000.00")
    LargeCDProduct.objects.filter(pk=issue.pk).update(sold=Decimal("800000.00"))
    before = {card.pk: LedgerAccount.objects.get(pk=card.ledger_account_id).balance
              for _user, card in people}

    with time_machine.travel(datetime(2026, 3, 2, 2, tzinfo=UTC), tick=False):
        results = run_concurrently(
            lambda i: cd_open(user=people[i][0], product_id=issue.pk,
                              from_sub_account_id=people[i][1].pk,
                              amount=Decimal("200000.00"), idempotency_key=f"race:cd{i}"), 2)

    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BusinessError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert "剩余额度不足" in refused[0].message
    issue.refresh_from_db()
    assert issue.sold == issue.quota
    assert Deposit.objects.count() == 1
    after = {card.pk: LedgerAccount.objects.get(pk=card.ledger_account_id).balance
             for _user, card in people}
    assert sorted(before[k] - after[k] for k in before) == [Decimal("0.00"),
                                                            Decimal("200000.00")]
    assert date(2026, 3, 2) == Deposit.objects.get().opened_on
