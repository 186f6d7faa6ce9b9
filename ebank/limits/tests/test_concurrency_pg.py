"""Concurrent consumption on a real PostgreSQL: separate connections, real row locks, commits."""

from decimal import Decimal

import pytest
from django.db import transaction

from ebank.core.errors import LimitExceeded
from ebank.limits.models import DailyLimitUsage, LimitLevel
from ebank.limits.services import limit_consume
from tests.concurrency.helpers import run_concurrently

from .helpers import ALICE, DAY, policy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]




def consume_1000(_i: int) -> str:
    with transaction.atomic():
        limit_consume(subject=ALICE, amount=Decimal("1000.00"), on=DAY)
    return "ok"


def test_ten_concurrent_1000s_against_5000_a_day_exactly_five_pass():
    # No usage row exists yet: the ten race to create it as well as to fill it.
    policy(LimitLevel.BANK, None, "5000.00")
    results = run_concurrently(consume_1000, 10)
    unexpected = [r for r in results if r != "ok" and not isinstance(r, LimitExceeded)]
    assert not unexpected, unexpected
    assert results.count("ok") == 5
    assert sum(isinstance(r, LimitExceeded) for r in results) == 5
    usage = DailyLimitUsage.objects.get(customer_id=ALICE.customer_id, day=DAY)
    assert (usage.used, usage.count) == (Decimal("5000.00"), 5)


def test_concurrent_consumption_on_an_existing_row_never_overshoots():
    policy(LimitLevel.BANK, None, "5000.00")
    with transaction.atomic():
        limit_consume(subject=ALICE, amount=Decimal("2500.00"), on=DAY)
    results = run_concurrently(consume_1000, 10)
    assert results.count("ok") == 2
    usage = DailyLimitUsage.objects.get(customer_id=ALICE.customer_id, day=DAY)
    assert usage.used == Decimal("4500.00")
