"""seed_demo's part 80: the LPR table and the two products, idempotent with the same lines."""

from datetime import date
from decimal import Decimal

import pytest

from ebank.core.demo import demo_parts
from loans.demo import demo_seed
from loans.models import LoanProduct, LprRate

pytestmark = pytest.mark.django_db


class Out:
    def __init__(self):
        self.lines = []

    def success(self, text):
        self.lines.append(text)

    def line(self, text):
        self.lines.append(text)


def _seed() -> list[str]:
    out = Out()
    demo_seed(out)
    return out.lines


def test_the_shelf_is_seeded_once():
    assert demo_seed in demo_parts()
    first = _seed()
    assert _seed() == first
    assert first[0] == "demo loans ready:"
    assert "  1年期LPR 3.00%（2025-05-20起）" in first
    assert LprRate.objects.count() == 2 and LoanProduct.objects.count() == 2
    consumer, business = LoanProduct.objects.get(code="PL01"), LoanProduct.objects.get(code="PB01")
    assert (consumer.term_list, consumer.spread, consumer.max_amount) == (
        [6, 12, 24, 36], Decimal("0.60"), Decimal("500000.00"))
    assert consumer.purpose_list == ["装修", "购车", "教育", "旅游", "其他消费"]
    assert (business.name, business.term_list, business.spread, business.min_amount,
            business.max_amount) == ("个人经营贷款", [12, 24, 36, 60], Decimal("0.85"),
                                     Decimal("10000.00"), Decimal("1000000.00"))
    assert business.purpose_list == ["经营周转", "设备购置", "其他经营"]


def test_zhang_holds_one_demo_loan_drawn_on_the_seeding_day(world):
    import time_machine

    from loans.models import Loan, LoanStatus
    from loans.verify import loan_problems
    from tests.customer_world import balance

    from .support import shanghai

    day = date(2026, 6, 8)
    before = balance(world.zhang_card)
    with time_machine.travel(shanghai(day), tick=False):
        first = _seed()
        again = _seed()
    assert first == again
    assert first[-1] == "  张伟 借据 ¥50,000.00 12期 等额本息 执行年利率3.60% 每月8日还款"
    loan = Loan.objects.get(customer=world.zhang_customer)
    assert (loan.draw_date, loan.status, loan.principal_owed) == (
        day, LoanStatus.NORMAL, Decimal("50000.00"))
    assert loan.instalments.filter(active=True).count() == 12
    assert balance(world.zhang_card) == before + Decimal("50000.00")
    assert loan_problems(day) == []
