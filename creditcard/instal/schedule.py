"""The instalment table and its APR (DOMAIN-RULES §3 账单分期), pure: no database.

Each period bills principal P/n rounded half-up to the fen (the last period takes what is left,
so the periods add up to P exactly) and the fee P × rate rounded half-up to the fen. The APR
shown before the customer agrees is the internal rate of return of the cash flows (+P at month 0,
−payment at the end of each month) × 12, as a percentage to two decimals, half-up. Example:
12,000 × 12 at 0.60% → 1,000.00 + 72.00 = 1,072.00 a month, APR 13.03%.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
# Bisection on the monthly rate: 200 halvings of [0, 1] pin it far below 0.005% a year.
_ITERATIONS = 200


@dataclass(frozen=True)
class PeriodRow:
    period: int
    principal: Decimal
    fee: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.fee


def _fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def schedule(principal: Decimal, periods: int, fee_rate: Decimal) -> list[PeriodRow]:
    """The periods 1..n: principal P/n (the last the remainder) and the fee P × rate."""
    principal = Decimal(principal)
    if principal <= 0 or principal != principal.quantize(CENT):
        raise ValueError(f"分期本金须为正数、至多两位小数: {principal!r}")
    if periods < 1:
        raise ValueError(f"期数须为正整数: {periods!r}")
    part = _fen(principal / periods)
    fee = _fen(principal * Decimal(fee_rate))
    rows = [PeriodRow(period, part, fee) for period in range(1, periods)]
    rows.append(PeriodRow(periods, principal - part * (periods - 1), fee))
    return rows


def _present_value(rows: list[PeriodRow], monthly: Decimal) -> Decimal:
    factor, total = Decimal(1) + monthly, Decimal(0)
    discount = Decimal(1)
    for row in rows:
        discount /= factor
        total += row.payment * discount
    return total


def apr(rows: list[PeriodRow], principal: Decimal) -> Decimal:
    """年化利率 (%): the monthly IRR × 12 × 100, half-up to two decimals. No fee: 0.00."""
    principal = Decimal(principal)
    if sum(row.payment for row in rows) <= principal:
        return Decimal("0.00")
    with localcontext() as ctx:
        ctx.prec = 40
        # The present value falls as the rate rises: find where it equals the principal,
        # widening the bracket first when the fee puts the monthly rate above 100%.
        low, high = Decimal(0), Decimal(1)
        while _present_value(rows, high) > principal:
            low, high = high, high * 2
        for _ in range(_ITERATIONS):
            middle = (low + high) / 2
            if _present_value(rows, middle) > principal:
                low = middle
            else:
                high = middle
        annual = (low + high) / 2 * 12 * 100
    return annual.quantize(CENT, rounding=ROUND_HALF_UP)
