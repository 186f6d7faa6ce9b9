"""The repayment schedule of a 借据 (DOMAIN-RULES §4), pure: no database.

* Monthly rate r = annual / 12. 等额本息 (equal instalments): A = P·r·(1+r)^n / ((1+r)^n − 1),
  to the fen half-up; each month's interest = what is still owed × r (to the fen), its
  principal = A − interest. 等额本金 (equal principal): P / n to the fen each month plus what is
  still owed × r.
* The last instalment takes the rounding: its principal is exactly what is still owed, so the
  principal repaid adds up to P.
* Due dates: the repayment day of each month, the first in the month after drawing; a repayment
  day the month lacks (the 31st in June) is that month's last day.
* First period by days when the draw date is not the repayment day: its interest is
  P × annual / 360 × days from the draw date to the first due date (算头不算尾); for 等额本息 the
  first payment is that interest plus the ordinary first principal part (A − P × r).
* Prepayment (``prepay``): what is still owed after a due date, less the prepaid principal,
  either over the same number of months at a lower instalment, or at the same instalment over
  fewer months (the last one smaller).

Examples (the tests reproduce them): 100,000 over 12 months at 3.6 %: 等额本息 8,496.73 a month
(interest 300.00, then 275.41); 等额本金 8,633.33 first, falling by 25.00; drawn 10 Jan with the
repayment day the 21st: 42 days, 420.00 interest in the first instalment; after 6 payments
50,449.30 is owed; prepaying 20,000 keeps 6 × 5,128.30, or shortens to 3 × 8,496.73 and 5,172.90.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class Method:
    """The repayment methods (their codes as the 借据 stores them)."""

    EQUAL_INSTALMENT = "equal_instalment"   # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"     # 等额本金
    LABELS = {EQUAL_INSTALMENT: "等额本息", EQUAL_PRINCIPAL: "等额本金"}


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    balance_after: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest


def fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def monthly_rate(annual_percent: Decimal) -> Decimal:
    return Decimal(annual_percent) / Decimal(100) / Decimal(12)


def due_date(draw_date: date, repayment_day: int, number: int) -> date:
    """The ``number``-th due date (1 = the month after drawing), on the repayment day or the
    month's last day when it has no such day."""
    if not 1 <= repayment_day <= 31:
        raise ValueError(f"还款日须为1-31日: {repayment_day!r}")
    month_index = draw_date.month - 1 + number
    year, month = draw_date.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(repayment_day, calendar.monthrange(year, month)[1]))


def first_period_by_days(draw_date: date, repayment_day: int) -> bool:
    """Whether the first period is counted by days: the draw date is not the repayment day
    (drawn on the last day of a month the repayment day does not reach is a whole month)."""
    return draw_date.day != repayment_day and not (
        draw_date.day == calendar.monthrange(draw_date.year, draw_date.month)[1]
        and repayment_day > draw_date.day)


def interest_by_days(principal: Decimal, annual_percent: Decimal, days: int) -> Decimal:
    """principal × annual / 360 × days, to the fen half-up (a period by days, prepayment)."""
    return fen(Decimal(principal) * Decimal(annual_percent) / Decimal(100) / Decimal(360) * days)


def equal_instalment(principal: Decimal, annual_percent: Decimal, months: int) -> Decimal:
    """A = P·r·(1+r)^n / ((1+r)^n − 1) to the fen (P / n at a zero rate)."""
    r = monthly_rate(annual_percent)
    if r == 0:
        return fen(Decimal(principal) / months)
    with localcontext() as context:
        context.prec = 40
        growth = (1 + r) ** months
        return fen(Decimal(principal) * r * growth / (growth - 1))


def _check(principal: Decimal, annual_percent: Decimal, months: int) -> None:
    if principal <= 0 or principal != principal.quantize(CENT):
        raise ValueError(f"贷款本金须为正数、至多两位小数: {principal!r}")
    if annual_percent < 0:
        raise ValueError(f"年利率不能为负: {annual_percent!r}")
    if months < 1:
        raise ValueError(f"期数须为正整数: {months!r}")


def schedule(*, principal: Decimal, annual_percent: Decimal, months: int, method: str,
             draw_date: date, repayment_day: int) -> list[Instalment]:
    """Every instalment of a 借据 drawn on ``draw_date`` (see the module's rules)."""
    principal, annual_percent = Decimal(principal), Decimal(annual_percent)
    _check(principal, annual_percent, months)
    r = monthly_rate(annual_percent)
    first_due = due_date(draw_date, repayment_day, 1)
    by_days = first_period_by_days(draw_date, repayment_day)
    days = (first_due - draw_date).days
    first_interest = (interest_by_days(principal, annual_percent, days)
                      if by_days else fen(principal * r))
    rows: list[Instalment] = []
    owed = principal
    if method == Method.EQUAL_INSTALMENT:
        payment = equal_instalment(principal, annual_percent, months)
        for number in range(1, months + 1):
            interest = first_interest if number == 1 else fen(owed * r)
            ordinary = payment - fen(owed * r)   # the principal part of an ordinary month
            part = owed if number == months else min(owed, ordinary)
            owed -= part
            rows.append(Instalment(number, due_date(draw_date, repayment_day, number), part,
                                   interest, owed))
    elif method == Method.EQUAL_PRINCIPAL:
        part = fen(principal / months)
        for number in range(1, months + 1):
            interest = first_interest if number == 1 else fen(owed * r)
            this = owed if number == months else min(owed, part)
            owed -= this
            rows.append(Instalment(number, due_date(draw_date, repayment_day, number), this,
                                   interest, owed))
    else:
        raise ValueError(f"还款方式无效: {method!r}")
    return rows


class PrepayMode:
    KEEP_TERM = "keep_term"     # 期限不变，月供减少
    SHORTEN = "shorten"         # 月供不变，期限缩短
    LABELS = {KEEP_TERM: "期限不变，减少月供", SHORTEN: "月供不变，缩短期限"}


def prepay(*, owed: Decimal, prepaid: Decimal, annual_percent: Decimal, months_left: int,
           payment: Decimal, mode: str, method: str, first_due: date, repayment_day: int,
           first_number: int = 1) -> list[Instalment]:
    """The instalments after a partial prepayment made on a due date (its instalment already
    settled): ``owed`` − ``prepaid`` over the ``months_left`` the 借据 had (KEEP_TERM: a new
    instalment) or at the same ``payment`` (SHORTEN: fewer months, the last one smaller).
    ``first_due`` is the next due date. 等额本金 shortens by keeping its monthly principal."""
    owed, prepaid = Decimal(owed), Decimal(prepaid)
    if not 0 < prepaid < owed:
        raise ValueError(f"部分提前还款金额须大于零且小于剩余本金: {prepaid!r}")
    left = owed - prepaid
    r = monthly_rate(annual_percent)

    def due(index: int) -> date:
        # first_due is month 0; the later ones keep the repayment day.
        base = date(first_due.year, first_due.month, 1)
        month_index = base.month - 1 + index
        year, month = base.year + month_index // 12, month_index % 12 + 1
        return date(year, month, min(repayment_day, calendar.monthrange(year, month)[1]))

    rows: list[Instalment] = []
    if mode == PrepayMode.KEEP_TERM:
        if method == Method.EQUAL_INSTALMENT:
            new_payment = equal_instalment(left, annual_percent, months_left)
        for index in range(months_left):
            interest = fen(left * r)
            if index == months_left - 1:
                part = left
            elif method == Method.EQUAL_INSTALMENT:
                part = new_payment - interest
            else:
                part = fen((owed - prepaid) / months_left)
            # A few fen left: each period repays at least a fen and never more than is left (a
            # period of 0.00 is one no payment settles; the rounded instalment may outrun the
            # balance), so the schedule ends when the principal is repaid.
            part = min(left, max(part, CENT))
            left -= part
            rows.append(Instalment(first_number + index, due(index), part, interest, left))
            if left == 0:
                break
        return rows
    if mode == PrepayMode.SHORTEN:
        index = 0
        if method == Method.EQUAL_PRINCIPAL:
            monthly_part = max(fen(owed / months_left), CENT)   # never 0.00: the loop ends
        while left > 0:
            interest = fen(left * r)
            ordinary = payment - interest if method == Method.EQUAL_INSTALMENT else monthly_part
            part = min(left, ordinary)
            left -= part
            rows.append(Instalment(first_number + index, due(index), part, interest, left))
            index += 1
        return rows
    raise ValueError(f"提前还款方式无效: {mode!r}")
