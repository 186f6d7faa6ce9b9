"""seed_demo's part of 账单分期管理 (ebank.core.demo, order 51): the 分期手续费率 table."""

from datetime import date
from decimal import Decimal

from ..models import InstalmentRate

DEMO_RATES_FROM = date(2020, 1, 1)
DEMO_RATES = {3: Decimal("0.007500"), 6: Decimal("0.007000"), 12: Decimal("0.006000"),
              24: Decimal("0.006000")}


def instal_rates_seed() -> int:
    """The demo rates (3期 0.75%, 6期 0.70%, 12期 0.60%, 24期 0.60% a period), idempotent;
    returns how many rows were made."""
    made = 0
    for periods, rate in DEMO_RATES.items():
        _row, created = InstalmentRate.objects.get_or_create(
            periods=periods, effective_from=DEMO_RATES_FROM, defaults={"rate": rate})
        made += created
    return made


def demo_seed(out) -> None:
    instal_rates_seed()
    out.success("demo instalment rates ready:")
    out.line("  分期手续费率 " + "，".join(f"{n}期 {rate * 100:.2f}%"
                                         for n, rate in DEMO_RATES.items()))
