"""The statement's arithmetic (DOMAIN-RULES §3; docs/creditcard.md "The statement", "Interest
methods"): pure functions, no database, unit-tested with the rules' worked examples.

Interest here is returned **unrounded** (Σ base × daily rate over the days): the statement run
adds a card's items and rounds half-up once, where the INTEREST item is posted.
"""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def free_days(purchase: date, statement: date, due: date) -> int:
    """免息期 of a purchase: from its day to the due date, both days counted (6 Jan → 25 Feb: 51).
    ``statement`` is the statement the purchase is billed on (it must lie between the two)."""
    if not purchase <= statement <= due:
        raise ValueError("purchase ≤ statement ≤ due expected")
    return (due - purchase).days + 1


def interest_full_balance(balance: Decimal, start: date, end: date,
                          payments: Iterable[tuple[date, Decimal]], daily_rate: Decimal) -> Decimal:
    """Interest on a daily balance from ``start`` to ``end`` (算头不算尾: ``start`` counts, ``end``
    does not). ``balance`` is what is owed on ``start`` before every payment in ``payments``
    ((day, amount), any order); a payment on day r stops interest on its amount from day r."""
    if end <= start:
        return Decimal(0)
    owed = Decimal(balance)
    total_days_amount = Decimal(0)
    day = start
    for paid_on, amount in sorted(payments):
        if paid_on >= end:
            break
        if paid_on > day:
            total_days_amount += owed * (paid_on - day).days
            day = paid_on
        owed -= amount
    if owed > 0:
        total_days_amount += owed * (end - day).days
    return total_days_amount * Decimal(daily_rate)


def interest_unpaid_part(unpaid: Decimal, start: date, end: date,
                         later_payments: Iterable[tuple[date, Decimal]],
                         daily_rate: Decimal) -> Decimal:
    """按未还部分计息: only ``unpaid`` — the part still owed at the due date + 容时 — accrues, from
    ``start`` (the posting day) to ``end`` (exclusive), reduced by each payment made after that
    day (``later_payments``) from its own day on. What was repaid by then earns nothing."""
    return interest_full_balance(unpaid, start, end, later_payments, daily_rate)


def late_fee(minimum_unpaid: Decimal, *, rate: Decimal = Decimal("0.05"),
             floor: Decimal = Decimal("10.00"), tolerance: Decimal = Decimal("10.00")) -> Decimal:
    """违约金 on what is left of the previous minimum at the due date + 容时: ``rate`` of it, at
    least ``floor``; nothing when the shortfall is within 容差 (the minimum counts as paid)."""
    if minimum_unpaid <= tolerance:
        return ZERO
    return max(Decimal(floor), money(Decimal(rate) * minimum_unpaid))


def minimum_payment(*, balance: Decimal, purchases: Decimal = ZERO, cash: Decimal = ZERO,
                    fees: Decimal = ZERO, interest: Decimal = ZERO, late_fee: Decimal = ZERO,
                    instalments: Decimal = ZERO, previous_minimum_unpaid: Decimal = ZERO,
                    carried: Decimal = ZERO, purchase_rate: Decimal = Decimal("0.10"),
                    cash_rate: Decimal = Decimal("1.00")) -> Decimal:
    """最低还款额: ``purchase_rate`` (10%) of purchases — this period's net of its refunds, plus
    ``carried`` (the previous balance still owed beyond the unpaid previous minimum, which is
    treated like purchases) — rounded half-up, + ``cash_rate`` of cash (rounded half-up) +
    100% of fees, interest, 违约金, the current instalments and the unpaid previous minimum.
    Never more than ``balance``; 0 when the balance is nothing or 溢缴款.

    Example (DOMAIN-RULES §3): purchases 10,000, cash 1,000, instalment 1,072, interest 100, fees
    30, previous minimum unpaid 683 → 3,885 (cash at 100%), 2,985 (cash at 10%)."""
    if balance <= 0:
        return ZERO
    base = max(ZERO, purchases) + max(ZERO, carried)
    total = (money(Decimal(purchase_rate) * base) + money(Decimal(cash_rate) * cash) + fees
             + interest + late_fee + instalments + previous_minimum_unpaid)
    return min(money(total), money(balance))
