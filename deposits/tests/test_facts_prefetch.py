"""零存整取 and 零存宝 reckon their interest from their deposit rows: a page listing many reads
those rows once per product (deposits.product_facts prefetch), not once per deposit."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deposits.demo import demo_rates_seed
from deposits.instalment.services import OpenPlan, open_post
from deposits.models import Product
from deposits.rates import rate_on
from deposits.selectors import deposit_facts, deposits_for_customer

from .test_fixed import OPENED, at

pytestmark = pytest.mark.django_db


def _instalments(world, count: int, key: str) -> list:
    source = world.main(world.zhang_card)
    made = []
    with at(OPENED):
        demo_rates_seed()
        rate = rate_on(product=Product.INSTALMENT, term_months=12, day=OPENED)
        for n in range(count):
            plan = OpenPlan(source, 12, Decimal("100.00"), rate)
            made.append(open_post(user=world.zhang, plan=plan, idempotency_key=f"pf:{key}:{n}",
                                  on=OPENED, target=world.zhang_card).deposit)
    return made


def _statements(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_facts_and_the_list_read_the_instalments_once_however_many(world):
    one = _instalments(world, 1, "a")
    on = date(2026, 6, 10)
    with at(on):
        single_facts = _statements(lambda: deposit_facts(
            sub_account_ids=[d.sub_account_id for d in one], on=on))
        single_list = _statements(lambda: deposits_for_customer(customer=world.zhang_customer,
                                                                on=on))
    many = one + _instalments(world, 3, "b")
    with at(on):
        facts = deposit_facts(sub_account_ids=[d.sub_account_id for d in many], on=on)
        assert _statements(lambda: deposit_facts(
            sub_account_ids=[d.sub_account_id for d in many], on=on)) == single_facts
        assert _statements(lambda: deposits_for_customer(customer=world.zhang_customer,
                                                         on=on)) == single_list
    assert len(facts) == len(many)
