"""贷款罚息复利计提 (DOMAIN-RULES §4): the nightly 罚息 and 复利 of overdue periods.

For the business date D (after that night's deduction), every open period of the current
schedule due on or before D that still owes principal or interest gets one
:class:`~loans.models.Accrual` for D: 罚息 = overdue principal × rate / 100 / 360 and
复利 = overdue interest × rate / 100 / 360, where rate = the contract rate × the setting's
罚息利率倍数 in force on D. Both are added, unrounded (to ten places), to the period's 累计罚息/累计
复利; the fen is taken once, on the period's total, when it is paid (DOMAIN-RULES: "never rounded
per day and summed"; ``Instalment.penalty_due``). A payment takes them first. 算头不算尾: the due date counts (that night's deduction did not pay it), the day of payment
does not (it was paid during the day, before the night). The 借据 is marked 逾期.

Each 借据 under its lock (the lock every payment takes first); one Accrual per period and date
(a unique constraint), so a rerun adds nothing.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Q

from .book import instalments_due, loan_lock, status_refresh
from .models import Accrual, Instalment, LoanStatus
from .rules import loan_setting_on

# A period still owing principal or interest: 罚息/复利 accrue on those.
OWING = Q(principal_paid__lt=F("principal")) | Q(interest_paid__lt=F("interest"))
DAYS = Decimal(360)
HUNDRED = Decimal(100)
RATE_PLACES = Decimal("0.0001")
TEN_PLACES = Decimal("1E-10")


def overdue_rate(annual_rate: Decimal, on: date) -> Decimal:
    """The 罚息/复利 rate (% a year) on ``on``: the contract rate × the setting's multiplier (to
    the four places the Accrual row keeps, so the row reproduces its figures)."""
    return (annual_rate * loan_setting_on(on).penalty_multiplier).quantize(RATE_PLACES)


def daily(base: Decimal, rate: Decimal) -> Decimal:
    """One day's unrounded 罚息/复利 on ``base`` (to ten places: exact for any rate the table
    holds to within a hundred-millionth of a fen)."""
    return (base * rate / HUNDRED / DAYS).quantize(TEN_PLACES, rounding=ROUND_HALF_UP)


def loans_overdue(on: date) -> list[int]:
    """The ids of the 借据 with a period due on or before ``on`` still owing principal or interest
    and not yet accrued for ``on``, in id order."""
    rows = (Instalment.objects.filter(OWING, active=True, settled_on__isnull=True,
                                      due_date__lte=on)
            .exclude(loan__status=LoanStatus.SETTLED)
            .exclude(accruals__business_date=on))
    return sorted(set(rows.values_list("loan_id", flat=True)))


def loan_accrue(*, loan_id: int, on: date) -> list[Accrual]:
    """One night's 罚息/复利 of one 借据; the accruals written (none when done already or nothing
    is overdue). In the caller's transaction (its own when there is none)."""
    with transaction.atomic(savepoint=False):
        loan = loan_lock(loan_id)
        done = set(Accrual.objects.filter(instalment__loan=loan, business_date=on)
                   .values_list("instalment_id", flat=True))
        rate = overdue_rate(loan.annual_rate, on)
        written = []
        for row in instalments_due(loan, on):
            if row.pk in done or (row.principal_due <= 0 and row.interest_due <= 0):
                continue
            accrual = Accrual(instalment=row, business_date=on, principal_base=row.principal_due,
                              interest_base=row.interest_due, annual_rate=rate,
                              penalty=daily(row.principal_due, rate),
                              compound=daily(row.interest_due, rate))
            written.append(accrual)
            if accrual.penalty or accrual.compound:
                Instalment.objects.filter(pk=row.pk).update(
                    penalty=F("penalty") + accrual.penalty,
                    compound=F("compound") + accrual.compound)
        Accrual.objects.bulk_create(written)
        status_refresh(loan, overdue_through=on)
        return written


def accruals_run(on: date) -> int:
    """Every overdue 借据 on ``on`` (the nightly step ``loans_overdue_accrue``); the number of
    periods accrued."""
    return sum(len(loan_accrue(loan_id=loan_id, on=on)) for loan_id in loans_overdue(on))
