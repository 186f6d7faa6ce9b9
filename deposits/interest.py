"""Interest to the fen, as ../shared/DOMAIN-RULES.md §2 settles it. Pure functions of Decimals and
dates: no database, so every worked example is a test of one call.

Conventions (DOMAIN-RULES, "Common to all"): rates are annual, in percent; the daily rate is the
annual rate / 360; days are counted 算头不算尾 (the first day counts, the last does not);
interest is rounded to the fen, half-up, **once**, where it is posted — the functions here return
rounded amounts and never sum rounded parts.
"""

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
DAYS_IN_YEAR = Decimal(360)


def fen(amount: Decimal) -> Decimal:
    """Round to the fen, half-up (the one rounding of an interest amount)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def days_between(start: date, end: date) -> int:
    """算头不算尾: ``start`` counts, ``end`` does not (a deposit taken back the day it was made
    earns for 0 days)."""
    return max((end - start).days, 0)


def interest_by_days(principal: Decimal, annual_rate: Decimal, days: int) -> Decimal:
    """P × rate / 360 × days (活期, early withdrawals, overdue days, notice deposits)."""
    return fen(principal * annual_rate / HUNDRED / DAYS_IN_YEAR * days)


def interest_by_accrual(accrued: Decimal, annual_rate: Decimal) -> Decimal:
    """活期 settlement: 积数 (Σ daily closing balances) × rate / 360.
    Example: 1,148,000 at 0.10 % → 3.19."""
    return fen(accrued * annual_rate / HUNDRED / DAYS_IN_YEAR)


def interest_full_term(principal: Decimal, annual_rate: Decimal, term_months: int) -> Decimal:
    """整存整取 (and 大额存单, 悠悦宝, 利先得) held to maturity: P × rate × years — by the
    term, not by days. Example: 10,000 for 1 year at 1.20 % → 120.00 (not 121.67 by days)."""
    return fen(principal * annual_rate / HUNDRED * Decimal(term_months) / Decimal(12))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when that month is shorter
    (1-31 + 1 month → 2-28 or 2-29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
