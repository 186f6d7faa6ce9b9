"""seed_demo's part 60: the bank's shelf relative to the seeding day, 30 days of 净值, idempotent
with the same lines printed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from ebank.core.demo import demo_parts
from wealth.catalog.demo import demo_seed, shelf_seed
from wealth.models import Nav, Product, ProductKind
from wealth.trading import is_trading_day

from .conftest import shanghai

pytestmark = pytest.mark.django_db

SEEDED = date(2026, 11, 23)   # a Monday


class Out:
    def __init__(self):
        self.lines = []

    def success(self, text):
        self.lines.append(text)

    def line(self, text):
        self.lines.append(text)


def seed() -> list[str]:
    out = Out()
    demo_seed(out)
    return out.lines


def test_the_shelf_is_seeded_once_with_30_days_of_nav(world):
    assert demo_seed in demo_parts()
    with time_machine.travel(shanghai(SEEDED, 9), tick=False):
        first = seed()
        assert seed() == first
    assert first[0] == "demo wealth shelf ready:" and len(first) == 7
    products = {product.code: product for product in Product.objects.all()}
    assert set(products) == {"LC2001", "LC3001", "LC4001", "LC2101", "SM3001", "XJL001"}
    assert [products[code].risk_level for code in ("LC2001", "LC3001", "LC4001", "LC2101",
                                                   "SM3001", "XJL001")] == [
        "R2", "R3", "R4", "R2", "R3", "R1"]
    assert products["LC2001"].purchase_fee_rate == Decimal("0.5")
    assert products["LC2001"].redeem_fee_rate == Decimal("0.2")
    closed = products["LC2101"]
    assert closed.kind == ProductKind.CLOSED
    assert closed.raise_start <= SEEDED and closed.raise_end >= SEEDED + timedelta(days=5)
    assert closed.start_date > closed.raise_end and closed.end_date > closed.start_date
    assert products["SM3001"].private and products["SM3001"].cooling_hours == 24
    xjl = products["XJL001"]
    assert (xjl.kind, xjl.issuer, xjl.min_amount, xjl.step_amount) == (
        ProductKind.XJL, "安农基金管理有限公司", Decimal("1.00"), Decimal("0.01"))

    days = [SEEDED - timedelta(days=n) for n in range(30, 0, -1)]
    xjl_navs = list(Nav.objects.filter(product=xjl).order_by("date"))
    assert [row.date for row in xjl_navs] == days
    for row in xjl_navs:
        assert row.nav == Decimal("1.0000")
        assert Decimal("0.40") <= row.income_per_10k <= Decimal("0.50")
        assert Decimal("1.5") <= row.seven_day_yield <= Decimal("1.8")
    for code in ("LC2001", "LC3001", "LC4001", "SM3001"):
        navs = list(Nav.objects.filter(product=products[code]).order_by("date"))
        assert [row.date for row in navs] == [day for day in days if is_trading_day(day)]
        moves = [abs(b.nav - a.nav) for a, b in zip(navs, navs[1:], strict=False)]
        assert max(moves) < Decimal("0.03"), code   # a slow drift, not a jump
        assert all(row.nav == row.nav.quantize(Decimal("0.0001")) for row in navs)
    assert not Nav.objects.filter(product=closed).exists()


def test_a_later_seeding_keeps_the_shelf_and_adds_only_the_missing_days(world):
    with time_machine.travel(shanghai(SEEDED, 9), tick=False):
        shelf_seed()
    before = {(row.product_id, row.date): row.nav for row in Nav.objects.all()}
    raise_end = Product.objects.get(code="LC2101").raise_end
    with time_machine.travel(shanghai(SEEDED + timedelta(days=3), 9), tick=False):
        shelf_seed()
    after = {(row.product_id, row.date): row.nav for row in Nav.objects.all()}
    assert all(after[key] == nav for key, nav in before.items())
    xjl = Product.objects.get(code="XJL001")
    assert Nav.objects.filter(product=xjl).count() == 33
    assert Product.objects.get(code="LC2101").raise_end == raise_end
    assert Product.objects.count() == 6
