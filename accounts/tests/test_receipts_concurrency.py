"""Two executors issuing the same receipt at once get one receipt (PostgreSQL, real threads)."""

import pytest
from django.db import transaction

from accounts.demo import seed_demo_bank
from accounts.models import Receipt
from tests.concurrency.helpers import run_concurrently

from .test_receipts_support import issue, main_account

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_issues_of_one_receipt_make_one():
    sub_account = main_account(seed_demo_bank()[0])

    def attempt(_i: int) -> str:
        with transaction.atomic():
            return issue(sub_account, entry_id=777).number

    numbers = run_concurrently(attempt, 8)
    assert not [n for n in numbers if isinstance(n, BaseException)], numbers
    assert len(set(numbers)) == 1
    assert Receipt.objects.filter(entry_id=777).count() == 1
