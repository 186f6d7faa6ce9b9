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


def interest_instalment_at_maturity(monthly: Decimal, months: int,
                                    annual_rate: Decimal) -> Decimal:
    """零存整取 held to maturity with every month paid: monthly × n(n+1)/2 × rate/12.
    Example: 1,000 a month for 12 months at 0.85 % → 78 × 1,000 × 0.85 %/12 = 55.25."""
    return fen(monthly * Decimal(months * (months + 1) // 2) * annual_rate / HUNDRED
               / Decimal(12))


def interest_instalments_by_days(deposits: list[tuple[date, Decimal]], until: date,
                                 annual_rate: Decimal) -> Decimal:
    """零存整取 after 违约, and 零存宝: each deposit earns for its own days to ``until``, summed
    unrounded and rounded once."""
    total = sum((amount * annual_rate / HUNDRED / DAYS_IN_YEAR * days_between(day, until)
                 for day, amount in deposits), Decimal(0))
    return fen(total)


def payout_schedule(principal: Decimal, annual_rate: Decimal, term_months: int,
                    payouts: int) -> list[Decimal]:
    """存本取息: each payout = P × rate × years / number of payouts, half-up; the last takes the
    rounding, so the payouts sum to the full-term interest exactly."""
    total = interest_full_term(principal, annual_rate, term_months)
    each = fen(total / Decimal(payouts))
    return [each] * (payouts - 1) + [total - each * (payouts - 1)]


def notice_interest(*, principal: Decimal, notice_days: int, opened_on: date,
                    withdrawn_on: date, notice_given_on: date | None,
                    notice_rate: Decimal, current_rate: Decimal) -> Decimal:
    """通知存款, 利随本清 at the rates of the withdrawal day: the product's rate when notice was
    given at least ``notice_days`` (1 or 7) before and a 7-day deposit was held 7 days; 活期
    otherwise. Example: 100,000 7-day, 30 days, notice given → 45.83; no notice → 8.33."""
    days = days_between(opened_on, withdrawn_on)
    noticed = notice_given_on is not None and days_between(notice_given_on,
                                                           withdrawn_on) >= notice_days
    held = days >= notice_days
    rate = notice_rate if noticed and held else current_rate
    return interest_by_days(principal, rate, days)


def interest_up_front_clawback(*, paid: Decimal, principal: Decimal, days: int,
                               current_rate: Decimal) -> Decimal:
    """利先得 withdrawn early: what was paid at opening minus what the days earned at 活期 —
    taken back before the principal is returned (never negative)."""
    return max(paid - interest_by_days(principal, current_rate, days), Decimal("0.00"))
