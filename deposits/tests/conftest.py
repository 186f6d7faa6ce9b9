"""Personas for the deposits tests (the demo bank, accounts.demo): 张伟 (借记卡 ¥80,000.00,
活期存折 ¥12,345.67, 定期一本通) with a USBKey, 李娜 (借记卡 ¥20,000.00) without a tool; the
rate table seeded as of 2026-01-01 (整存整取 一年 1.20%, 活期 0.10% — DOMAIN-RULES §2)."""

from datetime import date
from decimal import Decimal

import pytest

from deposits.models import DepositRate, Product
from tests.customer_world import (  # noqa: F401 — the shared world and its helpers
    CERT_PASSWORD,
    DEMO_PIN,
    LOGIN_PASSWORD,
    World,
    balance,
    confirm,
    world_build,
)

RATES_FROM = date(2026, 1, 1)
FIXED_RATES = {3: "1.05", 6: "1.15", 12: "1.20", 24: "1.30", 36: "1.55", 60: "1.60"}


def rates_seed(on: date = RATES_FROM, fixed=None, current="0.10") -> None:
    for months, rate in (fixed or FIXED_RATES).items():
        DepositRate.objects.get_or_create(product=Product.FIXED, term_months=months,
                                          effective_from=on,
                                          defaults={"annual_rate": Decimal(rate)})
    if current is not None:
        DepositRate.objects.get_or_create(product=Product.CURRENT, term_months=0,
                                          effective_from=on,
                                          defaults={"annual_rate": Decimal(current)})


@pytest.fixture
def world(db, settings, tmp_path):
    bank = world_build(settings, tmp_path)
    rates_seed()
    return bank

