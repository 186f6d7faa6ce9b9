"""Two customers race for the last 200,000 of a 大额存单 issue: exactly one gets it."""

from datetime import date
from decimal import Decimal

import pytest

from deposits.cd import cd_quota_take
from deposits.models import LargeCDProduct
from ebank.core.errors import BusinessError

from .helpers import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("racers", [2, 6])
def test_the_last_200000_goes_to_exactly_one_customer(racers):
    product = LargeCDProduct.objects.create(
        code="CD2026LAST", name="三年期大额存单", term_months=36, annual_rate=Decimal("1.80"),
        quota=Decimal("1000000.00"), sold=Decimal("800000.00"), sale_from=date(2026, 6, 1),
        sale_to=date(2026, 6, 30))

    results = run_concurrently(lambda i: cd_quota_take(
        product_id=product.pk, amount=Decimal("200000.00"), day=date(2026, 6, 15)), racers)

    won = [r for r in results if isinstance(r, LargeCDProduct)]
    lost = [r for r in results if isinstance(r, BusinessError)]
    assert (len(won), len(lost)) == (1, racers - 1), results
    product.refresh_from_db()
    assert product.sold == product.quota
