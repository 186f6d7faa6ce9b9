"""seed_demo's 薪加利 part: XJL001 with 30 days of 万份收益, 张伟's 20,000.00 转入 ten days ago and
the income of the nine days since, paid by the real nightly function; twice is harmless."""

from datetime import date, timedelta
from decimal import Decimal as D
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from wealth.book import share_book_check
from wealth.models import Income, Nav, Order, OrderKind, Product

from .conftest import shanghai

pytestmark = pytest.mark.django_db

SEEDED_ON = date(2026, 6, 20)


def _seed() -> list[str]:
    out = StringIO()
    with time_machine.travel(shanghai(SEEDED_ON, 10), tick=True):
        call_command("seed_demo", stdout=out, no_color=True)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("薪加利:"))
    return lines[start:start + 2]


def test_the_demo_gives_zhang_a_transfer_in_and_its_income(settings, tmp_path):
    settings.BANK_CA_DIR = tmp_path / "bank-ca"
    settings.BANK_CA_PASSPHRASE = "test-only-ca-passphrase"
    first = _seed()
    product = Product.objects.get(code="XJL001")
    assert Nav.objects.filter(product=product).count() == 30
    order = Order.objects.get(product=product, kind=OrderKind.XJL_IN)
    assert order.confirmed_amount == D("20000.00")
    assert order.trade_date == SEEDED_ON - timedelta(days=10)
    incomes = Income.objects.filter(product=product, customer=order.customer)
    # Bought on 06-10: income from 06-11 through 06-19, nine days.
    assert sorted(incomes.values_list("date", flat=True)) == [
        date(2026, 6, d) for d in range(11, 20)]
    assert incomes.order_by("date").first().shares_base == D("20000.0000")
    assert share_book_check() == []
    assert _seed() == first
    assert Income.objects.filter(product=product).count() == 9
    assert first[0] == "薪加利: XJL001 薪加利, 万份收益 30 days"
