"""seed_demo's part (ebank.core.demo) for deposits: the demo rate table of DOMAIN-RULES §1.

The rows are history (in force since 2025-01-01), so they are written directly rather than
through ``rates.rate_add``, which takes only rows in force from tomorrow on. Idempotent: a row
already there for the product, term and date is left as it is.
"""

from datetime import date
from decimal import Decimal

from .models import DepositRate, Product
from .rates import rate_text, term_text

DEMO_RATES_FROM = date(2025, 1, 1)

# (product, term in months, annual rate in percent): a plausible city bank (DOMAIN-RULES §1).
DEMO_RATES: tuple[tuple[str, int, str], ...] = (
    (Product.CURRENT, 0, "0.10"),
    (Product.FIXED, 3, "0.80"),
    (Product.FIXED, 6, "1.00"),
    (Product.FIXED, 12, "1.20"),
    (Product.FIXED, 24, "1.30"),
    (Product.FIXED, 36, "1.55"),
    (Product.FIXED, 60, "1.55"),
    (Product.INSTALMENT, 12, "0.85"),
    (Product.INSTALMENT, 36, "1.05"),
    (Product.INSTALMENT, 60, "1.05"),
    (Product.INTEREST_PAYOUT, 12, "0.85"),
    (Product.INTEREST_PAYOUT, 36, "1.05"),
    (Product.INTEREST_PAYOUT, 60, "1.05"),
    (Product.NOTICE_1D, 0, "0.20"),
    (Product.NOTICE_7D, 0, "0.55"),
    (Product.LARGE_CD, 12, "1.40"),
    (Product.LARGE_CD, 36, "1.80"),
    (Product.YOUYUEBAO, 12, "1.35"),
    (Product.LINGCUNBAO, 12, "0.95"),
    (Product.LIXIANDE, 12, "1.15"),
)


def demo_rates_seed() -> list[DepositRate]:
    """Every demo rate row, created where missing."""
    rows = []
    for product, term_months, rate in DEMO_RATES:
        row, _created = DepositRate.objects.get_or_create(
            product=product, term_months=term_months, effective_from=DEMO_RATES_FROM,
            defaults={"annual_rate": Decimal(rate)})
        rows.append(row)
    return rows


def demo_seed(out) -> None:
    rows = demo_rates_seed()
    out.success(f"demo deposit rates ready: {len(rows)} rows in force from {DEMO_RATES_FROM}")
    for row in rows:
        term = "" if row.term_months == 0 else f" {term_text(row.term_months)}"
        out.line(f"  {row.get_product_display()}{term} {rate_text(row.annual_rate)}")
