"""seed_demo's part 60 (ebank.core.demo): the bank's wealth shelf and its 净值 history.

Dates are relative to the business day of the first seeding, so the shelf works whatever day
the demo is made: open products started months ago, the closed product's 募集期 is open now
(ending a week ahead, 成立 three days later). A product already on the shelf is left as it is.
净值 are deterministic functions of the date (a slow drift with a gentle wave, no random), so a
row is the same whichever day it is made; the missing days of the last 30 are filled in.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from ebank.core.clock import business_day

from ..models import Nav, Product, ProductKind, RiskLevel
from ..products import product_create
from ..trading import is_trading_day

HISTORY_DAYS = 30
ISSUER = "安徽农金资管"
XJL_ISSUER = "安农基金管理有限公司"
# The origin of the 净值 curves: a fixed day, so a date's 净值 never depends on the seeding day.
ORIGIN = date(2026, 1, 1)
FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class DemoProduct:
    code: str
    name: str
    kind: str
    risk: str
    # 净值 curve: start value at ORIGIN, yearly drift, wave amplitude (open products only)
    curve: tuple[float, float, float] | None = None
    fields: dict = field(default_factory=dict)


def _shelf(today: date) -> list[DemoProduct]:
    started = today - timedelta(days=200)
    raise_start = today - timedelta(days=3)
    raise_end = today + timedelta(days=7)
    start = raise_end + timedelta(days=3)
    return [
        DemoProduct("LC2001", "安农稳健开放1号", ProductKind.OPEN, RiskLevel.R2,
                    (1.0215, 0.031, 0.0008), {
                        "start_date": started, "min_amount": Decimal("1000.00"),
                        "step_amount": Decimal("100.00"), "benchmark": "2.80%–3.30%",
                        "subscribe_fee_rate": Decimal("0"), "purchase_fee_rate": Decimal("0.5"),
                        "redeem_fee_rate": Decimal("0.2"), "min_redeem_shares": Decimal("100"),
                        "min_hold_shares": Decimal("100")}),
        DemoProduct("LC3001", "安农平衡开放3号", ProductKind.OPEN, RiskLevel.R3,
                    (1.0567, 0.045, 0.0035), {
                        "start_date": started, "min_amount": Decimal("1000.00"),
                        "step_amount": Decimal("100.00"), "benchmark": "3.50%–4.50%",
                        "purchase_fee_rate": Decimal("0.8"), "redeem_fee_rate": Decimal("0.5"),
                        "min_redeem_shares": Decimal("100")}),
        DemoProduct("LC4001", "安农权益增强4号", ProductKind.OPEN, RiskLevel.R4,
                    (1.1342, 0.07, 0.0180), {
                        "start_date": started, "min_amount": Decimal("10000.00"),
                        "step_amount": Decimal("1000.00"), "benchmark": "沪深300指数×80%",
                        "purchase_fee_rate": Decimal("1.2"), "redeem_fee_rate": Decimal("0.5"),
                        "min_redeem_shares": Decimal("1000")}),
        DemoProduct("LC2101", "安农定开181天", ProductKind.CLOSED, RiskLevel.R2, None, {
            "raise_start": raise_start, "raise_end": raise_end, "start_date": start,
            "end_date": start + timedelta(days=181), "min_amount": Decimal("10000.00"),
            "step_amount": Decimal("1000.00"), "benchmark": "3.10%"}),
        DemoProduct("SM3001", "安农私享1号", ProductKind.OPEN, RiskLevel.R3,
                    (1.0893, 0.052, 0.0040), {
                        "start_date": started, "private": True, "cooling_hours": 24,
                        "min_amount": Decimal("1000000.00"), "step_amount": Decimal("10000.00"),
                        "benchmark": "4.20%", "purchase_fee_rate": Decimal("1.0"),
                        "redeem_fee_rate": Decimal("0.5")}),
        DemoProduct("XJL001", "薪加利", ProductKind.XJL, RiskLevel.R1, None, {
            "issuer": XJL_ISSUER, "start_date": started, "min_amount": Decimal("1.00"),
            "step_amount": Decimal("0.01"), "benchmark": "七日年化收益率"}),
    ]


def demo_nav(curve: tuple[float, float, float], day: date) -> Decimal:
    """An open product's 净值 of ``day``: a yearly drift with a wave (a pure function of the
    date)."""
    base, drift, wave = curve
    days = (day - ORIGIN).days
    value = base * (1 + drift * days / 365) + wave * math.sin(days / 5.3) \
        + wave / 2 * math.sin(days / 1.7)
    return Decimal(f"{value:.6f}").quantize(FOUR, rounding=ROUND_HALF_UP)


def demo_income_per_10k(day: date) -> Decimal:
    """薪加利's 万份收益 of ``day``: 0.40–0.50 yuan."""
    days = (day - ORIGIN).days
    value = 0.45 + 0.035 * math.sin(days / 9.0) + 0.012 * math.sin(days / 2.3)
    return Decimal(f"{value:.6f}").quantize(FOUR, rounding=ROUND_HALF_UP)


def demo_seven_day_yield(day: date) -> Decimal:
    """七日年化 (%) of ``day`` from the seven 万份收益 ending that day: Σ/7/10,000 × 365 × 100."""
    total = sum(demo_income_per_10k(day - timedelta(days=n)) for n in range(7))
    return (total / 7 / 10000 * 365 * 100).quantize(FOUR, rounding=ROUND_HALF_UP)


@transaction.atomic
def shelf_seed(today: date | None = None) -> list[Product]:
    """The demo products (made once) and the missing 净值 of the last 30 days before ``today``."""
    today = today or business_day()
    products = []
    for spec in _shelf(today):
        product = Product.objects.filter(code=spec.code).first()
        if product is None:
            fields = dict(spec.fields)
            product = product_create(code=spec.code, name=spec.name,
                                     issuer=fields.pop("issuer", ISSUER), kind=spec.kind,
                                     risk_level=spec.risk, start_date=fields.pop("start_date"),
                                     min_amount=fields.pop("min_amount"),
                                     step_amount=fields.pop("step_amount"), **fields)
        products.append(product)
        days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
        days = [day for day in days if day >= product.start_date]
        have = set(Nav.objects.filter(product=product, date__in=days)
                   .values_list("date", flat=True))
        if spec.kind == ProductKind.XJL:
            rows = [Nav(product=product, date=day, nav=Decimal("1.0000"),
                        income_per_10k=demo_income_per_10k(day),
                        seven_day_yield=demo_seven_day_yield(day), published_by="演示数据")
                    for day in days if day not in have]
        elif spec.curve is not None:
            rows = [Nav(product=product, date=day, nav=demo_nav(spec.curve, day),
                        published_by="演示数据")
                    for day in days if day not in have and is_trading_day(day)]
        else:
            rows = []
        Nav.objects.bulk_create(rows)
    return products


def demo_seed(out) -> None:
    products = shelf_seed()
    out.success("demo wealth shelf ready:")
    for product in products:
        latest = product.navs.order_by("-date").first()
        if product.kind == ProductKind.CLOSED:
            figure = f"募集期 {product.raise_start:%Y-%m-%d}至{product.raise_end:%Y-%m-%d}"
        elif product.kind == ProductKind.XJL:
            figure = (f"七日年化 {latest.seven_day_yield}%" if latest else "尚无收益")
        else:
            figure = f"净值 {latest.nav}" if latest else "尚无净值"
        out.line(f"  {product.code} {product.name} {product.risk_level} "
                 f"{product.get_kind_display()} {figure}")
