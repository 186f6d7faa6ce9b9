"""The statement's arithmetic (creditcard.statements.rules) with DOMAIN-RULES §3's examples."""

from datetime import date, timedelta
from decimal import Decimal as D

from creditcard.statements.rules import (
    free_days,
    interest_full_balance,
    interest_unpaid_part,
    late_fee,
    minimum_payment,
    money,
)

RATE = D("0.0005")
EXAMPLE = {"purchases": D("10000.00"), "cash": D("1000.00"), "instalments": D("1072.00"),
               "interest": D("100.00"), "fees": D("30.00"), "previous_minimum_unpaid": D("683.00"),
               "balance": D("50000.00")}


def test_free_period_is_51_days():
    assert free_days(date(2026, 1, 6), date(2026, 2, 5), date(2026, 2, 25)) == 51


def test_minimum_is_3885_with_cash_at_100_percent():
    assert minimum_payment(**EXAMPLE, cash_rate=D("1.00")) == D("3885.00")


def test_minimum_is_2985_with_cash_at_10_percent():
    assert minimum_payment(**EXAMPLE, cash_rate=D("0.10")) == D("2985.00")


def test_minimum_10_percent_part_is_rounded_half_up_and_carried_balance_counts_like_purchases():
    assert minimum_payment(balance=D("999.99"), purchases=D("123.45")) == D("12.35")
    assert minimum_payment(balance=D("9999"), purchases=D("100"), carried=D("900")) == D("100.00")


def test_minimum_never_more_than_the_balance_and_nothing_on_overpayment():
    assert minimum_payment(balance=D("500.00"), interest=D("600.00")) == D("500.00")
    assert minimum_payment(balance=D("0.00"), purchases=D("100")) == D("0.00")
    assert minimum_payment(balance=D("-20.00"), purchases=D("100")) == D("0.00")


def test_interest_217_50_full_balance():
    posted = date(2026, 1, 21)
    payments = [(posted + timedelta(35), D("5000")), (posted + timedelta(52), D("5000"))]
    raw = interest_full_balance(D("10000"), posted, posted + timedelta(60), payments, RATE)
    assert money(raw) == D("217.50")


def test_interest_130_unpaid_part():
    posted = date(2026, 1, 21)
    raw = interest_unpaid_part(D("5000"), posted, posted + timedelta(60),
                               [(posted + timedelta(52), D("5000"))], RATE)
    assert money(raw) == D("130.00")


def test_interest_counts_the_first_day_not_the_last():
    day = date(2026, 3, 1)
    assert interest_full_balance(D("1000"), day, day, [], RATE) == 0
    assert interest_full_balance(D("1000"), day, day + timedelta(1), [], RATE) == D("0.5")
    # A repayment on the posting day itself earns nothing.
    assert interest_full_balance(D("1000"), day, day + timedelta(9), [(day, D("1000"))], RATE) == 0


def test_late_fee_is_5_percent_of_the_unpaid_minimum():
    assert late_fee(D("1000.00")) == D("50.00")
    assert late_fee(D("683.30")) == D("34.17")


def test_late_fee_is_at_least_10():
    assert late_fee(D("100.00")) == D("10.00")


def test_late_fee_not_charged_within_the_tolerance():
    assert late_fee(D("10.00")) == D("0.00")
    assert late_fee(D("10.01")) == D("10.00")
