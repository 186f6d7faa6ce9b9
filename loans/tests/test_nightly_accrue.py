"""贷款罚息复利计提 (nightly step ``loans_overdue_accrue``, order 440): 罚息 on the overdue principal
and 复利 on the overdue interest at the contract rate × 1.5 (setting), per day, 算头不算尾.

By hand (DOMAIN-RULES §4): the 2026-02-21 instalment of 8,496.73 (principal 8,196.73, interest
300.00) unpaid; the rate 3.6 % × 1.5 = 5.4 %: a day's 罚息 8,196.73 × 5.4 / 100 / 360 =
1.2295095, 复利 300.00 × 5.4 / 100 / 360 = 0.045, kept unrounded. Thirty nights (02-21 the due
date counted … 03-22): 36.885285 and 1.35, rounded once when paid: 36.89 and 1.35 (rounding
each day and summing would give 36.90 and 1.50 — "never rounded per day and summed"). Paid on
day 31 (03-23) during the day: that night accrues nothing."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.db import transaction

from loans.accrue import loan_accrue
from loans.book import dues_pay, instalments_open, loan_lock
from loans.models import Accrual, LoanSetting, LoanStatus, RepaymentKind

from .nightly_support import FIRST_DUE, balance_set, loan_for, night
from .support import shanghai

pytestmark = pytest.mark.django_db


def nights(first: date, count: int) -> None:
    for offset in range(count):
        night(first + timedelta(days=offset))


def test_thirty_nights_overdue_by_hand_then_paid_on_day_31(world):
    loan = loan_for(world)
    balance_set(loan, "0.00")
    nights(FIRST_DUE, 30)                                  # 02-21 … 03-22
    first = loan.instalments.get(active=True, number=1)
    rows = Accrual.objects.filter(instalment=first).order_by("business_date")
    assert rows.count() == 30
    assert rows.first().business_date == FIRST_DUE
    assert rows.last().business_date == date(2026, 3, 22)
    day = rows.first()
    assert (day.principal_base, day.interest_base, day.annual_rate) == (
        D("8196.73"), D("300.00"), D("5.4000"))
    assert {(row.penalty, row.compound) for row in rows} == {(D("1.2295095"), D("0.045"))}
    assert (first.penalty, first.compound) == (D("36.885285"), D("1.35"))
    assert (first.penalty_due, first.compound_due) == (D("36.89"), D("1.35"))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE
    # The second instalment (due 03-21, also unpaid) has two nights so far.
    second = loan.instalments.get(active=True, number=2)
    assert second.accruals.count() == 2
    # Day 31 (03-23): the customer pays everything due during the day.
    paid_on = date(2026, 3, 23)
    balance_set(loan, "20000.00")
    with time_machine.travel(shanghai(paid_on), tick=False), transaction.atomic():
        locked = loan_lock(loan.pk)
        repayment = dues_pay(loan=locked, account=locked.repayment_account, on=paid_on,
                             amount=None, kind=RepaymentKind.INSTALMENT,
                             idempotency_key="test-pay-overdue")
    second.refresh_from_db()
    assert repayment.penalty == D("36.89") + second.penalty_total
    assert repayment.compound == D("1.35") + second.compound_total
    accrued = Accrual.objects.count()
    night(paid_on)
    assert Accrual.objects.count() == accrued          # the day of payment does not count
    loan.refresh_from_db()
    assert loan.status == LoanStatus.NORMAL
    first.refresh_from_db()
    assert first.settled_on == paid_on and first.owed == 0


def test_an_instalment_paid_by_the_nights_deduction_accrues_nothing(world):
    loan_for(world)
    night(FIRST_DUE)
    assert not Accrual.objects.exists()


def test_a_partial_deduction_accrues_on_what_it_left(world):
    loan = loan_for(world)
    balance_set(loan, "500.00")                        # pays the 300.00 interest and 200.00
    night(FIRST_DUE)
    accrual = Accrual.objects.get()
    assert (accrual.principal_base, accrual.interest_base) == (D("7996.73"), D("0.00"))
    # 7,996.73 × 5.4 / 100 / 360 = 1.1995095 (unrounded), 1.20 when paid
    assert (accrual.penalty, accrual.compound) == (D("1.1995095"), D("0.00"))
    assert instalments_open(loan)[0].penalty_due == D("1.20")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.OVERDUE


def test_the_same_night_again_accrues_once(world):
    loan = loan_for(world)
    balance_set(loan, "0.00")
    night(FIRST_DUE)
    with time_machine.travel(shanghai(FIRST_DUE, 23, 50), tick=False):
        assert loan_accrue(loan_id=loan.pk, on=FIRST_DUE) == []
    first = instalments_open(loan)[0]
    assert Accrual.objects.count() == 1 and first.penalty == D("1.2295095")


def test_the_multiplier_in_force_that_night_applies(world):
    LoanSetting.objects.create(effective_from=date(2026, 2, 22),
                               penalty_multiplier=D("2.00"))
    loan = loan_for(world)
    balance_set(loan, "0.00")
    nights(FIRST_DUE, 2)
    rows = list(Accrual.objects.order_by("business_date"))
    assert [row.annual_rate for row in rows] == [D("5.4000"), D("7.2000")]
    # 8,196.73 × 7.2 / 100 / 360 = 1.639346; 300 × 7.2 / 36,000 = 0.06
    assert (rows[1].penalty, rows[1].compound) == (D("1.639346"), D("0.06"))
    # 1.2295095 + 1.639346 = 2.8688555 → 2.87 once
    assert instalments_open(loan)[0].penalty_due == D("2.87")
