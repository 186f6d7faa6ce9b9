"""selectors.unpaid_from: the one rule of 本期应还金额 still owed (the statement page, the 已出账单
list and the statement run read their rows their own way and all come here)."""

from datetime import date
from decimal import Decimal as D

from creditcard.selectors import unpaid_from

JAN, FEB, MAR = date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5)
OWED = [(JAN, D("100.00")), (FEB, D("250.00")), (None, D("999.00")), (MAR, D("40.00"))]


def test_counts_items_billed_on_the_statement_or_before_and_never_the_unbilled():
    assert unpaid_from(FEB, OWED) == D("350.00")
    assert unpaid_from(JAN, OWED) == D("100.00")
    assert unpaid_from(MAR, OWED) == D("390.00")


def test_puts_back_what_was_paid_after_the_day_and_takes_off_overpayment():
    assert unpaid_from(FEB, OWED, paid_after=D("50.00")) == D("400.00")
    assert unpaid_from(FEB, OWED, spare=D("30.00")) == D("320.00")
    assert unpaid_from(FEB, OWED, spare=D("500.00")) == D("0.00")
    assert unpaid_from(date(2025, 12, 5), OWED) == D("0.00")
